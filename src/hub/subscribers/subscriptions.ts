import { HUB_PATH } from '../topics/reserved-topic.js';
import type { Subscriber } from './subscriber.js';

/** JSON-LD context of every subscription document (https://mercure.rocks/spec#json-ld-context). */
export const MERCURE_CONTEXT = 'https://mercure.rocks/';
/** Path of the subscriptions API and prefix of subscription-event topics. */
export const SUBSCRIPTIONS_PATH = `${HUB_PATH}/subscriptions`;

/**
 * One variable of a subscription id, expanded as RFC 6570 §3.2.2 expands a value (https://mercure.rocks/spec#subscription
 * Events, https://mercure.rocks/spec#subscription-events): the UTF-8 bytes of every character but the
 * unreserved `A-Z a-z 0-9 - _ . ~` percent-encoded, exactly once (a `%` already in the value becomes
 * `%25`); a space is `%20`, never `+`. So `chat room` is `chat%20room`, which the documented template
 * `/.well-known/mercure/subscriptions{/topic}{/subscriber}` matches and a path decoder reads back.
 */
export function expandSegment(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** @deprecated Use {@link expandSegment}; kept for callers of 0.1, it now encodes a space as `%20`. */
export const queryEscape = expandSegment;

/**
 * Decodes one path segment of a subscriptions API URL (RFC 3986 §2.1): `%HH` escapes as UTF-8, and a `+`
 * stays a `+` (it is a space only in form encoding); undefined for malformed escapes.
 */
export function decodeSegment(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The topic (and JSON-LD `id`) of one subscription: `/.well-known/mercure/subscriptions/{selector}/{subscriber}`. */
export function subscriptionTopic(selector: string, subscriberId: string): string {
  return `${SUBSCRIPTIONS_PATH}/${expandSegment(selector)}/${expandSegment(subscriberId)}`;
}

/** The canonical subscriptions API path for `query` (the collection, a selector's, or one subscription). */
export function subscriptionsPath(query: SubscriptionsQuery): string {
  if (query.selector === undefined) return SUBSCRIPTIONS_PATH;
  if (query.subscriber === undefined) return `${SUBSCRIPTIONS_PATH}/${expandSegment(query.selector)}`;
  return subscriptionTopic(query.selector, query.subscriber);
}

/** One subscription as a JSON-LD document (without `@context`, which the caller adds where required). */
export interface SubscriptionDocument {
  id: string;
  type: 'Subscription';
  topic: string;
  subscriber: string;
  active: boolean;
  payload?: unknown;
}

/** The document describing `subscriber`'s subscription to `selector`. */
export function subscriptionDocument(
  subscriber: Subscriber,
  selector: string,
  active: boolean,
): SubscriptionDocument {
  const doc: SubscriptionDocument = {
    id: subscriptionTopic(selector, subscriber.id),
    type: 'Subscription',
    topic: selector,
    subscriber: subscriber.id,
    active,
  };
  if (subscriber.access.payload !== undefined) doc.payload = subscriber.access.payload;
  return doc;
}

/**
 * Data of a subscription event: the document with its `@context`. Published as a **private** update
 * on the subscription's own topic when it starts (`active: true`) and ends (`active: false`).
 */
export function subscriptionEventData(subscriber: Subscriber, selector: string, active: boolean): string {
  return JSON.stringify({
    '@context': MERCURE_CONTEXT,
    ...subscriptionDocument(subscriber, selector, active),
  });
}

/** What a subscriptions API path asks for; undefined when it is not one. */
export interface SubscriptionsQuery {
  selector?: string;
  subscriber?: string;
  /** Set when a segment holds a malformed escape: the hub answers 400 with this reason. */
  malformed?: string;
}

/**
 * Parses `/.well-known/mercure/subscriptions[/{selector}[/{subscriber}]]` from the raw (still encoded)
 * path: segments are split on `/` before decoding ({@link decodeSegment}), because encoded selectors hold
 * `%2F`. The inverse of {@link subscriptionTopic}, so every id the hub lists resolves.
 */
export function parseSubscriptionsPath(rawPath: string): SubscriptionsQuery | undefined {
  if (rawPath === SUBSCRIPTIONS_PATH || rawPath === `${SUBSCRIPTIONS_PATH}/`) return {};
  if (!rawPath.startsWith(`${SUBSCRIPTIONS_PATH}/`)) return undefined;
  const parts = rawPath.slice(SUBSCRIPTIONS_PATH.length + 1).split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
  const [selector, subscriber] = parts.map(decodeSegment);
  if (selector === undefined || (parts.length === 2 && subscriber === undefined)) {
    return {
      malformed: `Malformed subscriptions path ${rawPath}: a "%" not followed by two hex digits, or escapes that are not UTF-8`,
    };
  }
  return parts.length === 1 ? { selector } : { selector, subscriber };
}
