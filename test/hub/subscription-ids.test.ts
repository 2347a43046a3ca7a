import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityTag, ifNoneMatchMatches } from '../../src/hub/http/entity-tag.js';
import {
  expandSegment,
  parseSubscriptionsPath,
  subscriptionTopic,
} from '../../src/hub/subscribers/subscriptions.js';
import { publishOk, type RunningHub, startHub, subscribe, subscribeUrl, token } from './support/harness.js';

/**
 * Subscription ids are expansions of `/.well-known/mercure/subscriptions{/topic}{/subscriber}` (Mercure
 * https://mercure.rocks/spec#subscription-events, RFC 6570: every reserved character percent-encoded, a space as %20, never `+`).
 * For topics holding each kind of troublesome character, end to end: the event reaches a watcher
 * subscribed with the documented template, and the id it carries resolves on the subscriptions API.
 */

const TEMPLATE = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';
const TOPICS = [
  'chat room',
  'a+b',
  'https://example.com/books/1',
  'what?x=1&y=2',
  'tag#1',
  '100%',
  '%41 stays %41',
  'café',
  'emoji 🎉',
  "it's (a) *star*!",
];

let h: RunningHub;
let watcher: Record<string, string>;
beforeAll(async () => {
  h = await startHub({ subscriptions: true });
  watcher = { authorization: `Bearer ${await token({ subscribe: [TEMPLATE] })}` };
});
afterAll(() => h.close());

describe('subscription ids with reserved and non-ASCII characters', () => {
  it.each(TOPICS)('%s: the event reaches a template watcher and its id resolves', async (topic) => {
    const events = await subscribe(subscribeUrl(h.base, [TEMPLATE]), watcher);
    const sub = await subscribe(subscribeUrl(h.base, [topic]), {
      authorization: `Bearer ${await token({ subscribe: ['*'] })}`,
    });
    try {
      // Other subscriptions come and go on the same hub: wait for this one's announcement.
      let doc: { id: string; subscriber: string } | undefined;
      for (let n = 1; doc === undefined; n++) {
        doc = (await events.waitFor(n))
          .map((e) => JSON.parse(e.data))
          .find((d) => d.topic === topic && d.active);
      }
      expect(doc?.id).toBe(
        `/.well-known/mercure/subscriptions/${encodeURIComponent(topic).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}/${encodeURIComponent(doc.subscriber)}`,
      );
      expect(doc.id).not.toContain('+');
      expect(events.events.find((e) => JSON.parse(e.data).topic === topic)?.lastEventId).toBeTruthy();
      const one = await fetch(`${h.base}${doc.id}`, { headers: watcher });
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({ id: doc.id, topic, subscriber: doc.subscriber, active: true });
      const collection = await fetch(`${h.base}${doc.id.slice(0, doc.id.lastIndexOf('/'))}`, {
        headers: watcher,
      });
      expect(collection.status).toBe(200);
      expect((await collection.json()).subscriptions.map((s: { id: string }) => s.id)).toContain(doc.id);
    } finally {
      sub.abort();
      events.abort();
    }
  });

  it('reads a "+" in an API path as a plus sign, not a space', () => {
    expect(parseSubscriptionsPath('/.well-known/mercure/subscriptions/a+b/x')).toEqual({
      selector: 'a+b',
      subscriber: 'x',
    });
    expect(parseSubscriptionsPath('/.well-known/mercure/subscriptions/%ZZ/x')?.malformed).toContain(
      'Malformed',
    );
    for (const topic of TOPICS) {
      expect(parseSubscriptionsPath(subscriptionTopic(topic, 'urn:uuid:1'))).toEqual({
        selector: topic,
        subscriber: 'urn:uuid:1',
      });
      expect(expandSegment(topic)).toMatch(/^([A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
    }
  });

  it('answers 400 to a subscriptions path with a malformed escape', async () => {
    const res = await fetch(`${h.base}/.well-known/mercure/subscriptions/%ZZ/x`, { headers: watcher });
    expect(res.status).toBe(400);
  });
});

describe('the subscriptions API ETag', () => {
  it('gives different ids different tags (quotes, spaces and % no longer collide) and honours If-None-Match lists', async () => {
    const ids = ['a"b', 'ab', 'a b', 'a%20b', '%', '%25', 'café'];
    const tags = ids.map(entityTag);
    expect(new Set(tags).size).toBe(ids.length);
    for (const tag of tags) expect(tag).toMatch(/^"[\x21\x23-\x7e\x80-\xff]*"$/);
    const etag = entityTag('a b');
    expect(ifNoneMatchMatches(`"x", W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchMatches('*', etag)).toBe(true);
    expect(ifNoneMatchMatches(entityTag('a%20b'), etag)).toBe(false);

    const publisher = await token({ publish: ['*'] });
    await publishOk(h.base, { topic: 'https://example.com/1', id: 'a"b', data: 'x' }, publisher);
    const first = await fetch(`${h.base}/.well-known/mercure/subscriptions`, { headers: watcher });
    const firstTag = first.headers.get('etag')!;
    await publishOk(h.base, { topic: 'https://example.com/1', id: 'ab', data: 'y' }, publisher);
    const second = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: { ...watcher, 'if-none-match': firstTag },
    });
    // A new update changed the state: not "304 Not Modified" because two ids once shared a tag.
    expect(second.status).toBe(200);
    const third = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: { ...watcher, 'if-none-match': `"nope", ${second.headers.get('etag')}` },
    });
    expect(third.status).toBe(304);
  });
});
