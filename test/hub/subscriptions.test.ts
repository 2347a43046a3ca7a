import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryEscape } from '../../src/hub/index.js';
import { publishOk, type RunningHub, startHub, subscribe, subscribeUrl, token } from './support/harness.js';

const EVENTS_SELECTOR = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';
let h: RunningHub;
let watcher: Record<string, string>;
beforeEach(async () => {
  h = await startHub({ subscriptions: true });
  watcher = {
    authorization: `Bearer ${await token({ subscribe: ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'] })}`,
  };
});
afterEach(() => h.close());

describe('subscription events (https://mercure.rocks/spec#active-subscriptions)', () => {
  it('publishes a private JSON-LD update when a subscription starts and ends', async () => {
    const events = await subscribe(subscribeUrl(h.base, [EVENTS_SELECTOR]), watcher);
    const payload = { user: 'kevin' };
    const selector = 'https://example.com/books/{id}';
    const sub = await subscribe(subscribeUrl(h.base, [selector]), {
      authorization: `Bearer ${await token({ subscribe: ['https://example.com/books/1'], payload })}`,
    });
    // The watcher's own subscription is announced first; find the one for `selector`.
    const docs = async (n: number) =>
      (await events.waitFor(n)).map((e) => JSON.parse(e.data)).filter((d) => d.topic === selector);
    const [doc] = await docs(2);
    expect(doc).toMatchObject({
      '@context': 'https://mercure.rocks/',
      type: 'Subscription',
      topic: selector,
      active: true,
      payload,
    });
    expect(doc.subscriber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(doc.id).toBe(
      `/.well-known/mercure/subscriptions/${queryEscape(selector)}/${queryEscape(doc.subscriber)}`,
    );
    expect(doc.id).toContain('https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D');
    sub.abort();
    const [, ended] = await docs(3);
    expect(ended).toMatchObject({ subscriber: doc.subscriber, active: false });
    events.abort();
  });

  it('keeps subscription events private: a * subscriber without the claim does not see them', async () => {
    const anyone = await subscribe(subscribeUrl(h.base, ['*']), {
      authorization: `Bearer ${await token({ subscribe: ['https://example.com/{x}'] })}`,
    });
    const other = await subscribe(subscribeUrl(h.base, ['https://example.com/a']), watcher);
    await publishOk(
      h.base,
      { topic: 'https://example.com/public', data: 'public' },
      await token({ publish: ['*'] }),
    );
    expect((await anyone.waitFor(1)).map((e) => e.data)).toEqual(['public']);
    anyone.abort();
    other.abort();
  });
});

describe('subscriptions API (https://mercure.rocks/spec#active-subscriptions)', () => {
  it('lists active subscriptions as JSON-LD with an ETag, filtered by selector and subscriber', async () => {
    const a = await subscribe(
      subscribeUrl(h.base, ['https://example.com/a', 'https://example.com/b']),
      watcher,
    );
    const list = await fetch(`${h.base}/.well-known/mercure/subscriptions`, { headers: watcher });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/ld+json');
    const etag = list.headers.get('etag');
    expect(etag).toBeTruthy();
    const body = await list.json();
    expect(body).toMatchObject({
      '@context': 'https://mercure.rocks/',
      id: '/.well-known/mercure/subscriptions',
      type: 'Subscriptions',
    });
    expect(body.lastEventID).toMatch(/^urn:uuid:/);
    expect(body.subscriptions.map((s: { topic: string }) => s.topic).sort()).toEqual([
      'https://example.com/a',
      'https://example.com/b',
    ]);
    const subscriber = body.subscriptions[0].subscriber as string;

    const byTopic = await fetch(
      `${h.base}/.well-known/mercure/subscriptions/${queryEscape('https://example.com/a')}`,
      {
        headers: watcher,
      },
    );
    expect((await byTopic.json()).subscriptions).toHaveLength(1);

    const single = await fetch(
      `${h.base}/.well-known/mercure/subscriptions/${queryEscape('https://example.com/a')}/${queryEscape(subscriber)}`,
      { headers: watcher },
    );
    expect(single.status).toBe(200);
    expect(await single.json()).toMatchObject({
      type: 'Subscription',
      subscriber,
      active: true,
      topic: 'https://example.com/a',
    });

    const unknown = await fetch(
      `${h.base}/.well-known/mercure/subscriptions/${queryEscape('https://example.com/a')}/${queryEscape('urn:uuid:nope')}`,
      { headers: watcher },
    );
    expect(unknown.status).toBe(404);

    const notModified = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: { ...watcher, 'if-none-match': etag! },
    });
    expect(notModified.status).toBe(304);
    // A new subscription publishes an event: the ETag moves on.
    const b = await subscribe(subscribeUrl(h.base, ['https://example.com/c']), watcher);
    const changed = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: { ...watcher, 'if-none-match': etag! },
    });
    expect(changed.status).toBe(200);
    a.abort();
    b.abort();
  });

  it('requires a subscribe claim matching the request path (401 otherwise)', async () => {
    const narrow = { authorization: `Bearer ${await token({ subscribe: ['https://example.com/{x}'] })}` };
    expect((await fetch(`${h.base}/.well-known/mercure/subscriptions`, { headers: narrow })).status).toBe(
      401,
    );
    expect((await fetch(`${h.base}/.well-known/mercure/subscriptions`)).status).toBe(401);
  });

  it('is not served when subscriptions are disabled', async () => {
    const plain = await startHub();
    try {
      expect(
        (await fetch(`${plain.base}/.well-known/mercure/subscriptions`, { headers: watcher })).status,
      ).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
