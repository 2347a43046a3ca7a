import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Access, grantsOf } from '../auth/access.js';
import type { HubContext } from '../hub-context.js';
import { MERCURE_1 } from '../mercure-1-names.js';
import {
  parseSubscriptionsPath1,
  type SubscriptionDocument1,
  type SubscriptionsQuery1,
  subscriptionDocument1,
  subscriptionsPath1,
} from '../subscribers/mercure-1-subscriptions.js';
import {
  MERCURE_CONTEXT,
  parseSubscriptionsPath,
  type SubscriptionDocument,
  type SubscriptionsQuery,
  subscriptionDocument,
  subscriptionsPath,
} from '../subscribers/subscriptions.js';
import { entityTag, ifNoneMatchMatches } from './entity-tag.js';
import { EARLIEST } from './history-replay.js';
import { HubHttpError } from './http-error.js';

/**
 * The subscriptions API (Mercure §Subscription API, https://mercure.rocks/spec#subscription-api), answering
 * each generation in its own shape, decided by the token:
 * - Mercure 1.0 access token: `…/subscriptions[/{match_type}/{match}[/{subscriber}]]`; a `subscribe` grant
 *   must match the path in its canonical form as a topic (403 `insufficient_scope` otherwise);
 *   `application/json` 1.0 documents, and the cursor on `Link: <hub>; rel="mercure"; last-event-id=…`.
 * - 0.x token: `…/subscriptions[/{selector}[/{subscriber}]]`; a `mercure.subscribe` selector must match the
 *   canonical path (401 otherwise); JSON-LD 0.x documents.
 * A malformed escape is a 400. Both answer an `ETag` made from the last event id ({@link entityTag}) and
 * 304 when `If-None-Match` matches it. Lists every node's active subscriptions of the request's
 * generation when the transport shares them (Redis), else this process's; ended ones are omitted.
 */
export async function handleSubscriptionsApi(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HubHttpError('SSEHUB_METHOD_NOT_ALLOWED', 'The subscriptions API only answers GET', {
      allow: 'GET, HEAD',
    });
  }
  const legacyQuery = parseSubscriptionsPath(rawPath);
  const modernQuery = parseSubscriptionsPath1(rawPath);
  const malformed = (modernQuery ?? legacyQuery)?.malformed;
  if (malformed !== undefined) throw new HubHttpError('SSEHUB_MALFORMED_FORM', malformed);
  const access = await ctx.authorize(req, url, 'subscribe');
  if (access.anonymous) {
    throw new HubHttpError(
      'SSEHUB_UNAUTHORIZED',
      `Reading ${rawPath} requires a token`,
      ctx.challenge(req, undefined),
    );
  }
  const modern = access.generation === '1.0';
  const query = modern ? modernQuery : legacyQuery;
  if (query === undefined)
    throw new HubHttpError('SSEHUB_NOT_FOUND', `No such subscriptions resource: ${rawPath}`);
  // Authorised (and named) by the canonical form of the path, the one subscription events are published
  // under, so a client spelling the same id with other escapes gets the same answer.
  const path = modern
    ? subscriptionsPath1(query as SubscriptionsQuery1)
    : subscriptionsPath(query as SubscriptionsQuery);
  if (!readsSubscriptions(ctx, access, path)) {
    if (modern) {
      throw new HubHttpError(
        'SSEHUB_FORBIDDEN',
        `Reading ${path} requires a "subscribe" authorization detail matching this path (e.g. {"match": "/.well-known/mercure/subscriptions/*", "match_type": "urlpattern"})`,
        ctx.challenge(req, 'insufficient_scope'),
      );
    }
    throw new HubHttpError(
      'SSEHUB_UNAUTHORIZED',
      `Reading ${path} requires a token whose mercure.subscribe claim matches this path (e.g. "/.well-known/mercure/subscriptions{/topic}{/subscriber}")`,
      ctx.challenge(req, undefined),
    );
  }
  const lastEventId = (await ctx.transport.lastEventId()) ?? EARLIEST;
  const etag = entityTag(lastEventId);
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'private, no-cache');
  if (modern) {
    // The reconciliation cursor on every endpoint, as in discovery (§Subscription API).
    res.setHeader(
      'link',
      `<${ctx.resource(req)}>; rel="mercure"; ${MERCURE_1.linkLastEventId}="${etag.replace(/^W\/|"/g, '')}"; type="${MERCURE_1.subscriptionEventType}"; content-type="application/json"`,
    );
  }
  if (ifNoneMatchMatches(req.headers['if-none-match'], etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const documents = await activeSubscriptions(ctx);
  const body = modern
    ? modernBody(documents.modern, query as SubscriptionsQuery1, path, lastEventId)
    : legacyBody(documents.legacy, query as SubscriptionsQuery, path, lastEventId);
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('content-type', modern ? 'application/json' : 'application/ld+json');
  res.setHeader('content-length', Buffer.byteLength(text));
  // A Buffer, not a string: Node writes the head together with a first string chunk in that chunk's
  // encoding (UTF-8), which would encode the Latin-1 ETag bytes a second time.
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(text));
}

/**
 * Whether `access` may read the subscriptions resource at `path` (its canonical form): one of its
 * `subscribe` grants matches the path as a topic (https://mercure.rocks/spec#subscription-api).
 */
export function readsSubscriptions(ctx: Pick<HubContext, 'matcher'>, access: Access, path: string): boolean {
  return grantsOf(access).some((matcher) => ctx.matcher.match(path, matcher));
}

/** The 0.x JSON-LD answer: one subscription, or the collection (https://mercure.rocks/spec#subscription-api). */
function legacyBody(
  documents: readonly SubscriptionDocument[],
  query: SubscriptionsQuery,
  path: string,
  lastEventId: string,
): unknown {
  const matching = documents.filter(
    (doc) =>
      (query.subscriber === undefined || doc.subscriber === query.subscriber) &&
      (query.selector === undefined || doc.topic === query.selector),
  );
  if (query.subscriber !== undefined) {
    const [single] = matching;
    if (!single) {
      throw new HubHttpError(
        'SSEHUB_NOT_FOUND',
        `No active subscription of "${query.subscriber}" to "${query.selector}"`,
      );
    }
    return { '@context': MERCURE_CONTEXT, ...single, lastEventID: lastEventId };
  }
  return {
    '@context': MERCURE_CONTEXT,
    id: path,
    type: 'Subscriptions',
    lastEventID: lastEventId,
    subscriptions: matching,
  };
}

/** The 1.0 answer: one subscription document, or a `subscriptions` collection (§Subscription API). */
function modernBody(
  documents: readonly SubscriptionDocument1[],
  query: SubscriptionsQuery1,
  path: string,
  lastEventId: string,
): unknown {
  const matching = documents.filter(
    (doc) =>
      (query.subscriber === undefined || doc.subscriber === query.subscriber) &&
      (query.matchType === undefined || (doc.match_type === query.matchType && doc.match === query.match)),
  );
  if (query.subscriber !== undefined) {
    const [single] = matching;
    if (!single) throw new HubHttpError('SSEHUB_NOT_FOUND', `No active subscription at ${path}`);
    return single;
  }
  // `last_event_id` as well as the Link header: the OpenAPI description lists it for collections.
  return { id: path, type: MERCURE_1.subscriptionsType, last_event_id: lastEventId, subscriptions: matching };
}

/** Active subscriptions of both generations: every node's from the transport's registry, else this node's. */
async function activeSubscriptions(
  ctx: HubContext,
): Promise<{ legacy: SubscriptionDocument[]; modern: SubscriptionDocument1[] }> {
  const legacy: SubscriptionDocument[] = [];
  const modern: SubscriptionDocument1[] = [];
  const registry = ctx.transport.subscriptions;
  if (registry !== undefined) {
    // Unreachable, it rejects with TransportUnavailableError: the hub answers 503 with Retry-After.
    for (const text of await registry.list()) {
      const doc = JSON.parse(text) as SubscriptionDocument | SubscriptionDocument1;
      if ('match_type' in doc) modern.push(doc);
      else legacy.push(doc);
    }
    return { legacy, modern };
  }
  for (const subscriber of ctx.index.all()) {
    if (!subscriber.streaming) continue;
    for (const matcher of subscriber.matchers) {
      if (subscriber.generation === '1.0')
        modern.push(subscriptionDocument1(subscriber, matcher, true, ctx.matcher));
      else legacy.push(subscriptionDocument(subscriber, matcher.pattern, true));
    }
  }
  return { legacy, modern };
}
