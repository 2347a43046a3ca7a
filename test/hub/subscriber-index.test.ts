import { describe, expect, it } from 'vitest';
import type { Access } from '../../src/hub/auth/access.js';
import { Subscriber } from '../../src/hub/subscribers/subscriber.js';
import { SubscriberIndex } from '../../src/hub/topics/subscriber-index.js';
import { TopicSelectorStore } from '../../src/hub/topics/topic-selector.js';

/** A real selector store that counts the evaluations that reach it. */
class CountingStore extends TopicSelectorStore {
  calls = 0;
  override match(topic: string, selector: string): boolean {
    this.calls++;
    return super.match(topic, selector);
  }
}

const access: Access = {
  anonymous: true,
  topics: [],
  payload: undefined,
  expiresAt: undefined,
  viaCookie: false,
};

function subscriber(store: TopicSelectorStore, selectors: string[], n: number): Subscriber {
  return new Subscriber({ id: `s${n}`, selectors, access, matcher: store, queueSize: 10, onDrop: () => {} });
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
