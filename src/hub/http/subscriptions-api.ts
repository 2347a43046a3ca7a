import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HubContext } from '../hub-context.js';
import {
  MERCURE_CONTEXT,
  type SubscriptionDocument,
  type SubscriptionsQuery,
  subscriptionDocument,
  subscriptionsPath,
} from '../subscribers/subscriptions.js';
import { entityTag, ifNoneMatchMatches } from './entity-tag.js';
import { EARLIEST } from './history-replay.js';
import { HubHttpError } from './http-error.js';

/**
 * `GET /.well-known/mercure/subscriptions[/{selector}[/{subscriber}]]` (https://mercure.rocks/spec#subscription-api,
 * https://mercure.rocks/spec#subscription-api): the token's `mercure.subscribe` selectors must match the
 * path, in the canonical form subscription events use, as if it were a topic (401 otherwise); a malformed
 * escape in it is a 400. Answers JSON-LD with an `ETag` made from the last event id ({@link entityTag}) and
 * 304 when `If-None-Match` matches it.
 * Lists every node's active subscriptions when the transport shares them (Redis), else this process's;
 * ended ones are omitted.
 */
export async function handleSubscriptionsApi(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  query: SubscriptionsQuery,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HubHttpError('SSEHUB_METHOD_NOT_ALLOWED', 'The subscriptions API only answers GET', {
      allow: 'GET, HEAD',
    });
  }
  if (query.malformed !== undefined) throw new HubHttpError('SSEHUB_MALFORMED_FORM', query.malformed);
  // Authorised (and named) by the canonical form of the path, the one subscription events are published
  // under, so a client spelling the same id with other escapes gets the same answer.
  const path = subscriptionsPath(query);
  const access = await ctx.authorize(req, url, 'subscribe');
  if (access.anonymous || !access.topics.some((selector) => ctx.matcher.match(path, selector))) {
    throw new HubHttpError(
      'SSEHUB_UNAUTHORIZED',
      `Reading ${path} requires a token whose mercure.subscribe claim matches this path (e.g. "/.well-known/mercure/subscriptions{/topic}{/subscriber}")`,
    );
  }
  const lastEventId = (await ctx.transport.lastEventId()) ?? EARLIEST;
  const etag = entityTag(lastEventId);
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'private, no-cache');
  if (ifNoneMatchMatches(req.headers['if-none-match'], etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const matching = (await activeSubscriptions(ctx)).filter(
    (doc) =>
      (query.subscriber === undefined || doc.subscriber === query.subscriber) &&
      (query.selector === undefined || doc.topic === query.selector),
  );
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
      id: path,
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

/** Active subscriptions: every node's from the transport's registry when it has one, else this node's. */
async function activeSubscriptions(ctx: HubContext): Promise<SubscriptionDocument[]> {
  const registry = ctx.transport.subscriptions;
  if (registry !== undefined) {
    // Unreachable, it rejects with TransportUnavailableError: the hub answers 503 with Retry-After.
    const documents = await registry.list();
    return documents.map((text) => JSON.parse(text) as SubscriptionDocument);
  }
  const documents: SubscriptionDocument[] = [];
  for (const subscriber of ctx.index.all()) {
    if (!subscriber.streaming) continue;
    for (const selector of subscriber.selectors)
      documents.push(subscriptionDocument(subscriber, selector, true));
  }
  return documents;
}
