import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeHeaderText } from '../../server/index.js';
import type { HubContext } from '../hub-context.js';
import {
  MERCURE_CONTEXT,
  type SubscriptionDocument,
  type SubscriptionsQuery,
  subscriptionDocument,
} from '../subscribers/subscriptions.js';
import { EARLIEST } from './history-replay.js';
import { HubHttpError } from './http-error.js';

/**
 * `GET /.well-known/mercure/subscriptions[/{selector}[/{subscriber}]]` (mercure-protocol §3.6): the
 * token's `mercure.subscribe` selectors must match the request path as if it were a topic (401
 * otherwise); answers JSON-LD with `ETag: <last event id>` and 304 when `If-None-Match` equals it.
 * Only subscriptions of this hub process are listed; ended ones are omitted.
 */
export async function handleSubscriptionsApi(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPath: string,
  query: SubscriptionsQuery,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HubHttpError('SSEHUB_METHOD_NOT_ALLOWED', 'The subscriptions API only answers GET', {
      allow: 'GET, HEAD',
    });
  }
  const access = await ctx.authorize(req, url, 'subscribe');
  if (access.anonymous || !access.topics.some((selector) => ctx.matcher.match(rawPath, selector))) {
    throw new HubHttpError(
      'SSEHUB_UNAUTHORIZED',
      `Reading ${rawPath} requires a token whose mercure.subscribe claim matches this path (e.g. "/.well-known/mercure/subscriptions{/topic}{/subscriber}")`,
    );
  }
  const lastEventId = (await ctx.transport.lastEventId()) ?? EARLIEST;
  // A non-ASCII id goes out as its UTF-8 bytes, and a client echoes those bytes in If-None-Match.
  const tag = encodeHeaderText(lastEventId.replace(/["\\]/g, ''));
  const etag = `"${tag}"`;
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'private, no-cache');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && (ifNoneMatch === etag || ifNoneMatch === tag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const matching: SubscriptionDocument[] = [];
  for (const subscriber of ctx.index.all()) {
    if (!subscriber.streaming) continue;
    if (query.subscriber !== undefined && subscriber.id !== query.subscriber) continue;
    for (const selector of subscriber.selectors) {
      if (query.selector !== undefined && selector !== query.selector) continue;
      matching.push(subscriptionDocument(subscriber, selector, true));
    }
  }
  let body: unknown;
  if (query.subscriber !== undefined) {
    const [single] = matching;
    if (!single) {
      throw new HubHttpError(
        'SSEHUB_NOT_FOUND',
        `No active subscription of "${query.subscriber}" to "${query.selector}"`,
      );
    }
    body = { '@context': MERCURE_CONTEXT, ...single, lastEventID: lastEventId };
  } else {
    body = {
      '@context': MERCURE_CONTEXT,
      id: rawPath,
      type: 'Subscriptions',
      lastEventID: lastEventId,
      subscriptions: matching,
    };
  }
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('content-type', 'application/ld+json');
  res.setHeader('content-length', Buffer.byteLength(text));
  // A Buffer, not a string: Node writes the head together with a first string chunk in that chunk's
  // encoding (UTF-8), which would encode the Latin-1 ETag bytes a second time.
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(text));
}
