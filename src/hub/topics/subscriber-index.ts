import type { Subscriber } from '../subscribers/subscriber.js';
import { isTemplateSelector, MATCH_ALL, type TopicSelectorStore } from './topic-selector.js';

/**
 * Finds the subscribers an update is routed to, in O(subscribers that match) for exact selectors:
 * subscribers are indexed by exact topic; `*` subscribers are kept apart; template selectors are grouped
 * by selector, so each distinct template is evaluated once per update topic (and that result is cached
 * per (selector, topic) by the {@link TopicSelectorStore}), however many subscribers share it.
 */
export class SubscriberIndex {
  readonly #exact = new Map<string, Set<Subscriber>>();
  readonly #templates = new Map<string, Set<Subscriber>>();
  readonly #all = new Set<Subscriber>();
  readonly #everyone = new Set<Subscriber>();
  readonly #matcher: TopicSelectorStore;

  constructor(matcher: TopicSelectorStore) {
    this.#matcher = matcher;
  }

  /** Number of registered subscribers. */
  get size(): number {
    return this.#everyone.size;
  }

  /** Registers `subscriber` under each of its selectors. */
  add(subscriber: Subscriber): void {
    this.#everyone.add(subscriber);
    for (const selector of subscriber.selectors) {
      if (selector === MATCH_ALL) this.#all.add(subscriber);
      else addTo(isTemplateSelector(selector) ? this.#templates : this.#exact, selector, subscriber);
    }
  }

  /** Unregisters `subscriber` (idempotent per registration). */
  remove(subscriber: Subscriber): void {
    if (!this.#everyone.delete(subscriber)) return;
    for (const selector of subscriber.selectors) {
      if (selector === MATCH_ALL) this.#all.delete(subscriber);
      else removeFrom(isTemplateSelector(selector) ? this.#templates : this.#exact, selector, subscriber);
    }
  }

  /**
   * Subscribers whose query selectors match at least one of `topics` (the routing half of the rule). When
   * a single group matches (the usual case: one topic, exact selectors) that group itself is returned,
   * not a copy: read it at once, as the fan-out does (a subscriber removed meanwhile is skipped).
   */
  route(topics: readonly string[]): ReadonlySet<Subscriber> {
    const groups: Set<Subscriber>[] = [];
    if (this.#all.size > 0) groups.push(this.#all);
    for (const topic of topics) {
      const exact = this.#exact.get(topic);
      if (exact) groups.push(exact);
    }
    for (const [selector, subscribers] of this.#templates) {
      for (const topic of topics) {
        if (this.#matcher.match(topic, selector)) {
          groups.push(subscribers);
          break;
        }
      }
    }
    if (groups.length === 0) return NOBODY;
    if (groups.length === 1) return groups[0]!;
    const out = new Set<Subscriber>();
    for (const group of groups) for (const s of group) out.add(s);
    return out;
  }

  /** Every registered subscriber (for the subscriptions API and shutdown). */
  all(): IterableIterator<Subscriber> {
    return this.#everyone.values();
  }
}

const NOBODY: ReadonlySet<Subscriber> = new Set();

function addTo(map: Map<string, Set<Subscriber>>, key: string, subscriber: Subscriber): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(subscriber);
}

function removeFrom(map: Map<string, Set<Subscriber>>, key: string, subscriber: Subscriber): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(subscriber);
  if (set.size === 0) map.delete(key);
}
