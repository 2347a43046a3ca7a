import type { Subscriber } from '../subscribers/subscriber.js';
import type { TopicMatcher, TopicMatcherStore } from './topic-matcher.js';
import { isTemplateSelector, MATCH_ALL } from './topic-selector.js';

/** Where a matcher is indexed: the exact-topic map, the evaluated-pattern map, or the match-all set. */
function slot(matcher: TopicMatcher): 'all' | 'exact' | 'pattern' {
  if (matcher.pattern === MATCH_ALL) return 'all';
  if (matcher.type === 'exact') return 'exact';
  if (matcher.type === 'topic' && !isTemplateSelector(matcher.pattern)) return 'exact';
  return 'pattern';
}

/**
 * Finds the subscribers an update is routed to, in O(subscribers that match) for exact matchers (1.0
 * `exact`, 0.x plain topics): subscribers are indexed by exact topic; `*` subscribers are kept apart;
 * URI templates and URL patterns are grouped by (type, pattern), so each distinct one is evaluated once
 * per update topic (and that result is cached per (pattern, topic) by the {@link TopicMatcherStore}),
 * however many subscribers share it.
 */
export class SubscriberIndex {
  readonly #exact = new Map<string, Set<Subscriber>>();
  readonly #patterns = new Map<string, { matcher: TopicMatcher; subscribers: Set<Subscriber> }>();
  readonly #all = new Set<Subscriber>();
  readonly #everyone = new Set<Subscriber>();
  readonly #matcher: TopicMatcherStore;

  constructor(matcher: TopicMatcherStore) {
    this.#matcher = matcher;
  }

  /** Number of registered subscribers. */
  get size(): number {
    return this.#everyone.size;
  }

  /** Registers `subscriber` under each of its matchers. */
  add(subscriber: Subscriber): void {
    this.#everyone.add(subscriber);
    for (const matcher of subscriber.matchers) {
      const where = slot(matcher);
      if (where === 'all') this.#all.add(subscriber);
      else if (where === 'exact') addTo(this.#exact, matcher.pattern, subscriber);
      else {
        const key = `${matcher.type}:${matcher.pattern}`;
        let group = this.#patterns.get(key);
        if (!group) {
          group = { matcher, subscribers: new Set() };
          this.#patterns.set(key, group);
        }
        group.subscribers.add(subscriber);
      }
    }
  }

  /** Unregisters `subscriber` (idempotent per registration). */
  remove(subscriber: Subscriber): void {
    if (!this.#everyone.delete(subscriber)) return;
    for (const matcher of subscriber.matchers) {
      const where = slot(matcher);
      if (where === 'all') this.#all.delete(subscriber);
      else if (where === 'exact') removeFrom(this.#exact, matcher.pattern, subscriber);
      else {
        const key = `${matcher.type}:${matcher.pattern}`;
        const group = this.#patterns.get(key);
        group?.subscribers.delete(subscriber);
        if (group?.subscribers.size === 0) this.#patterns.delete(key);
      }
    }
  }

  /**
   * Subscribers whose request matchers match at least one of `topics` (the routing half of the rule). When
   * a single group matches (the usual case: one topic, exact matchers) that group itself is returned,
   * not a copy: read it at once, as the fan-out does (a subscriber removed meanwhile is skipped).
   */
  route(topics: readonly string[]): ReadonlySet<Subscriber> {
    const groups: Set<Subscriber>[] = [];
    if (this.#all.size > 0) groups.push(this.#all);
    for (const topic of topics) {
      const exact = this.#exact.get(topic);
      if (exact) groups.push(exact);
    }
    for (const { matcher, subscribers } of this.#patterns.values()) {
      for (const topic of topics) {
        if (this.#matcher.match(topic, matcher)) {
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
