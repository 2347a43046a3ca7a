import { HUB_PATH } from '../topics/reserved-topic.js';
import type { Subscriber } from './subscriber.js';

/** JSON-LD context of every subscription document (Mercure §JSON-LD Context). */
export const MERCURE_CONTEXT = 'https://mercure.rocks/';
/** Path of the subscriptions API and prefix of subscription-event topics. */
export const SUBSCRIPTIONS_PATH = `${HUB_PATH}/subscriptions`;

/**
 * Go's `url.QueryEscape`, which the reference hub uses for subscription ids (mercure-protocol §3.6):
 * everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded, and space becomes `+`.
 */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Inverse of {@link queryEscape} (`+` is a space); undefined for malformed escapes. */
export function queryUnescape(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The topic (and JSON-LD `id`) of one subscription: `/.well-known/mercure/subscriptions/{selector}/{subscriber}`. */
export function subscriptionTopic(selector: string, subscriberId: string): string {
  return `${SUBSCRIPTIONS_PATH}/${queryEscape(selector)}/${queryEscape(subscriberId)}`;
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
}

/**
 * Parses `/.well-known/mercure/subscriptions[/{selector}[/{subscriber}]]` from the raw (still encoded)
 * path: segments are split on `/` before decoding, because encoded selectors hold `%2F`.
 */
export function parseSubscriptionsPath(rawPath: string): SubscriptionsQuery | undefined {
  if (rawPath === SUBSCRIPTIONS_PATH || rawPath === `${SUBSCRIPTIONS_PATH}/`) return {};
  if (!rawPath.startsWith(`${SUBSCRIPTIONS_PATH}/`)) return undefined;
  const parts = rawPath.slice(SUBSCRIPTIONS_PATH.length + 1).split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
  const selector = queryUnescape(parts[0]!);
  if (selector === undefined) return undefined;
  if (parts.length === 1) return { selector };
  const subscriber = queryUnescape(parts[1]!);
  return subscriber === undefined ? undefined : { selector, subscriber };
}
