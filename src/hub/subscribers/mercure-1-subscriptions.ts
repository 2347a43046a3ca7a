import { isMatchType, type MatchType, MERCURE_1 } from '../mercure-1-names.js';
import type { TopicMatcher, TopicMatcherStore } from '../topics/topic-matcher.js';
import type { Subscriber } from './subscriber.js';
import { SUBSCRIPTIONS_PATH } from './subscriptions.js';

/**
 * RFC 6570 simple string expansion of one variable: every character but the unreserved set
 * (`A-Z a-z 0-9 - . _ ~`) percent-encoded from UTF-8, exactly once, `%` included (Mercure 1.0 §Subscription
 * Events: "percent-encoded exactly once ... encoding the raw matcher or subscriber string as a whole").
 */
export function expandVariable(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Topic (and `id`) of one 1.0 subscription: `/.well-known/mercure/subscriptions/{match_type}/{match}/{subscriber}`. */
export function subscriptionTopic1(matcher: TopicMatcher, subscriberId: string): string {
  return `${SUBSCRIPTIONS_PATH}/${matcher.type}/${expandVariable(matcher.pattern)}/${expandVariable(subscriberId)}`;
}

/** One subscription as Mercure 1.0 describes it (§Subscription Events). */
export interface SubscriptionDocument1 {
  id: string;
  type: typeof MERCURE_1.subscriptionType;
  match_type: string;
  match: string;
  subscriber: string;
  active: boolean;
  payload?: unknown;
}

/**
 * The payload of a subscription (§Payloads): that of the first `subscribe` detail whose matchers match
 * the subscription's own matcher string taken as a topic.
 */
export function subscriptionPayload(
  subscriber: Subscriber,
  matcher: TopicMatcher,
  store: TopicMatcherStore,
): unknown {
  for (const { matchers, payload } of subscriber.access.payloads ?? []) {
    if (matchers.some((m) => store.match(matcher.pattern, m))) return payload;
  }
  return undefined;
}

/** The 1.0 document describing `subscriber`'s subscription through `matcher`. */
export function subscriptionDocument1(
  subscriber: Subscriber,
  matcher: TopicMatcher,
  active: boolean,
  store: TopicMatcherStore,
): SubscriptionDocument1 {
  const doc: SubscriptionDocument1 = {
    id: subscriptionTopic1(matcher, subscriber.id),
    type: MERCURE_1.subscriptionType,
    match_type: matcher.type,
    match: matcher.pattern,
    subscriber: subscriber.id,
    active,
  };
  const payload = subscriptionPayload(subscriber, matcher, store);
  if (payload !== undefined) doc.payload = payload;
  return doc;
}

/** What a 1.0 subscriptions API path asks for. */
export interface SubscriptionsQuery1 {
  matchType?: MatchType;
  match?: string;
  subscriber?: string;
  /** Set when a segment holds a malformed escape: the hub answers 400 with this reason. */
  malformed?: string;
}

/**
 * Parses `/.well-known/mercure/subscriptions[/{match_type}/{match}[/{subscriber}]]` from the raw path
 * (§Subscription API), splitting before decoding since encoded matchers hold `%2F`; undefined when the
 * path is no such resource (then 404).
 */
export function parseSubscriptionsPath1(rawPath: string): SubscriptionsQuery1 | undefined {
  if (rawPath === SUBSCRIPTIONS_PATH) return {};
  if (!rawPath.startsWith(`${SUBSCRIPTIONS_PATH}/`)) return undefined;
  const parts = rawPath.slice(SUBSCRIPTIONS_PATH.length + 1).split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  const [type, ...encoded] = parts as [string, ...string[]];
  if (!isMatchType(type)) return undefined;
  try {
    const [match, subscriber] = encoded.map((p) => decodeURIComponent(p));
    return { matchType: type, match, ...(subscriber !== undefined ? { subscriber } : {}) };
  } catch {
    return {
      malformed: `Malformed subscriptions path ${rawPath}: an escape that is not UTF-8 percent-encoding`,
    };
  }
}

/** The canonical path of a parsed 1.0 query: the form subscription events are published under. */
export function subscriptionsPath1(query: SubscriptionsQuery1): string {
  if (query.matchType === undefined || query.match === undefined) return SUBSCRIPTIONS_PATH;
  const base = `${SUBSCRIPTIONS_PATH}/${query.matchType}/${expandVariable(query.match)}`;
  return query.subscriber === undefined ? base : `${base}/${expandVariable(query.subscriber)}`;
}
