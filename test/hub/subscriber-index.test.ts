import { describe, expect, it } from 'vitest';
import type { Access } from '../../src/hub/auth/access.js';
import { Subscriber } from '../../src/hub/subscribers/subscriber.js';
import { SubscriberIndex } from '../../src/hub/topics/subscriber-index.js';
import { type TopicMatcher, TopicMatcherStore } from '../../src/hub/topics/topic-matcher.js';
import { TopicSelectorStore } from '../../src/hub/topics/topic-selector.js';

/** A real matcher store that counts the evaluations that reach it. */
class CountingStore extends TopicMatcherStore {
  calls = 0;
  constructor() {
    super(new TopicSelectorStore());
  }
  override match(topic: string, matcher: TopicMatcher): boolean {
    this.calls++;
    return super.match(topic, matcher);
  }
}

const access: Access = {
  anonymous: true,
  topics: [],
  payload: undefined,
  expiresAt: undefined,
  viaCookie: false,
};

function subscriber(store: TopicMatcherStore, selectors: string[], n: number): Subscriber {
  const matchers = selectors.map((pattern): TopicMatcher => ({ type: 'topic', pattern }));
  return new Subscriber({ id: `s${n}`, matchers, access, matcher: store, queueSize: 10 });
}

describe('SubscriberIndex (O(subscribers that match))', () => {
  it('routes exact topics without evaluating any selector', () => {
    const store = new CountingStore();
    const index = new SubscriberIndex(store);
    for (let i = 0; i < 10_000; i++) index.add(subscriber(store, [`https://example.com/items/${i}`], i));
    const routed = index.route(['https://example.com/items/42']);
    expect([...routed].map((s) => s.id)).toEqual(['s42']);
    expect(store.calls).toBe(0);
  });

  it('evaluates each distinct template once per topic, however many subscribers share it', () => {
    const store = new CountingStore();
    const index = new SubscriberIndex(store);
    for (let i = 0; i < 1_000; i++) index.add(subscriber(store, ['https://example.com/books/{id}'], i));
    index.add(subscriber(store, ['*'], 1_000));
    const routed = index.route(['https://example.com/books/1', 'https://example.com/alt']);
    expect(routed.size).toBe(1_001);
    expect(store.calls).toBe(1); // matched on the first topic, the second is not needed
    index.route(['https://example.com/other']);
    expect(store.calls).toBe(2);
  });

  it('forgets subscribers on removal', () => {
    const store = new CountingStore();
    const index = new SubscriberIndex(store);
    const a = subscriber(store, ['x', '{t}', '*'], 1);
    index.add(a);
    expect(index.size).toBe(1);
    index.remove(a);
    index.remove(a);
    expect(index.size).toBe(0);
    expect(index.route(['x']).size).toBe(0);
  });
});

describe('SubscriberIndex with Mercure 1.0 matchers next to 0.x selectors', () => {
  const typed = (store: TopicMatcherStore, matchers: TopicMatcher[], n: number) =>
    new Subscriber({
      id: `m${n}`,
      matchers,
      generation: '1.0',
      access,
      matcher: store,
      queueSize: 10,
    });

  it('routes exact matchers by map lookup and evaluates each distinct URL pattern once', () => {
    const store = new CountingStore();
    const index = new SubscriberIndex(store);
    for (let i = 0; i < 1_000; i++)
      index.add(typed(store, [{ type: 'exact', pattern: `https://example.com/items/${i}` }], i));
    for (let i = 0; i < 100; i++)
      index.add(typed(store, [{ type: 'urlpattern', pattern: 'https://example.com/books/:id' }], 1_000 + i));
    index.add(subscriber(store, ['https://example.com/books/{id}'], 2_000));
    const routed = index.route(['https://example.com/books/7']);
    expect(routed.size).toBe(101);
    expect(store.calls).toBe(2); // one URL pattern, one URI template
    expect([...index.route(['https://example.com/items/5'])].map((s) => s.id)).toEqual(['m5']);
  });

  it('an exact matcher and a 0.x selector with the same text stay distinct for templates', () => {
    const store = new CountingStore();
    const index = new SubscriberIndex(store);
    index.add(typed(store, [{ type: 'exact', pattern: 'https://example.com/{id}' }], 1));
    index.add(subscriber(store, ['https://example.com/{id}'], 2));
    expect([...index.route(['https://example.com/1'])].map((s) => s.id)).toEqual(['s2']);
  });
});
