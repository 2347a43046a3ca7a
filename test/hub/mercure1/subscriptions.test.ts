import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHub, subscribe, subscribeUrl, token } from '../support/harness.js';
import { grant, hubUrl, matchUrl, startDualHub } from './support.js';

/**
 * Mercure 1.0 §Active Subscriptions (https://mercure.rocks/spec#active-subscriptions): subscription events
 * and the subscriptions API in the 1.0 shape, while 0.x subscriptions keep theirs.
 */

const WATCH = { match: '/.well-known/mercure/subscriptions/*', match_type: 'urlpattern' };
let h: RunningHub;
beforeEach(async () => {
  h = await startDualHub({ subscriptions: true });
});
afterEach(() => h.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('§Subscription Events', () => {
  it('a private update typed "mercure" with the 1.0 document, on .../{match_type}/{match}/{subscriber}', async () => {
    const watcher = await subscribe(
      matchUrl(h, { urlpattern: ['/.well-known/mercure/subscriptions/*'] }),
      bearer(await grant(h, ['subscribe'], [WATCH])),
    );
    const pattern = 'https://example.com/:selector';
    const sub = await subscribe(
      matchUrl(h, { urlpattern: [pattern] }),
      bearer(
        await grant(
          h,
          ['subscribe'],
          [{ match: 'https://example.com/:selector', match_type: 'urlpattern' }],
          {
            foo: 'bar',
          },
        ),
      ),
    );
    const docs = async (n: number) =>
      (await watcher.waitFor(n)).filter((e) => JSON.parse(e.data).match === pattern);
    const [started] = await docs(2);
    expect(started!.type).toBe('mercure');
    const doc = JSON.parse(started!.data);
    expect(doc).toEqual({
      id: `/.well-known/mercure/subscriptions/urlpattern/https%3A%2F%2Fexample.com%2F%3Aselector/${encodeURIComponent(doc.subscriber)}`,
      type: 'subscription',
      match_type: 'urlpattern',
      match: pattern,
      subscriber: doc.subscriber,
      active: true,
      payload: { foo: 'bar' },
    });
    sub.abort();
    const [, ended] = await docs(3);
    expect(JSON.parse(ended!.data)).toMatchObject({ active: false, id: doc.id });
    watcher.abort();
  });

  it("the payload is the first subscribe detail matching the subscription's own matcher (§Payloads)", async () => {
    const watcher = await subscribe(
      matchUrl(h, { urlpattern: ['/.well-known/mercure/subscriptions/*'] }),
      bearer(await grant(h, ['subscribe'], [WATCH])),
    );
    const t = await (await import('./tokens.js')).accessToken({
      aud: hubUrl(h),
      details: [
        {
          type: 'https://mercure.rocks/authorization-detail',
          actions: ['subscribe'],
          topics: [{ match: 'https://example.com/foo' }],
          payload: { custom1: 1 },
        },
        {
          type: 'https://mercure.rocks/authorization-detail',
          actions: ['subscribe'],
          topics: [{ match: '*' }],
          payload: { custom3: 3 },
        },
      ],
    });
    const sub = await subscribe(
      matchUrl(h, { match: ['https://example.com/foo', 'https://example.com/bar'] }),
      bearer(t),
    );
    const events = (await watcher.waitFor(3))
      .map((e) => JSON.parse(e.data))
      .filter((d) => d.match !== WATCH.match);
    expect(Object.fromEntries(events.map((d) => [d.match, d.payload]))).toEqual({
      'https://example.com/foo': { custom1: 1 },
      'https://example.com/bar': { custom3: 3 },
    });
    sub.abort();
    watcher.abort();
  });

  it('a 0.x subscriber still produces 0.x documents', async () => {
    const watcher = await subscribe(
      subscribeUrl(h.base, ['/.well-known/mercure/subscriptions{/topic}{/subscriber}']),
      bearer(await token({ subscribe: ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'] })),
    );
    const [doc] = (await watcher.waitFor(1)).map((e) => JSON.parse(e.data));
    expect(doc).toMatchObject({ '@context': 'https://mercure.rocks/', type: 'Subscription', active: true });
    watcher.abort();
  });
});

describe('§Subscription API', () => {
  it('answers the three endpoints in the 1.0 shape with the Link cursor', async () => {
    const sub = await subscribe(
      matchUrl(h, { match: ['https://example.com/a-topic'] }),
      bearer(await grant(h, ['subscribe'], ['*'])),
    );
    const reader = bearer(
      await grant(h, ['subscribe'], [WATCH, { match: '/.well-known/mercure/subscriptions' }]),
    );
    const collection = await fetch(`${h.base}/.well-known/mercure/subscriptions`, { headers: reader });
    expect(collection.status).toBe(200);
    expect(collection.headers.get('content-type')).toBe('application/json');
    expect(collection.headers.get('link')).toMatch(
      new RegExp(
        `^<${hubUrl(h)}>; rel="mercure"; last-event-id="[^"]+"; type="mercure"; content-type="application/json"$`,
      ),
    );
    const body = await collection.json();
    expect(body).toMatchObject({ id: '/.well-known/mercure/subscriptions', type: 'subscriptions' });
    const [doc] = body.subscriptions;
    expect(doc).toMatchObject({
      type: 'subscription',
      match_type: 'exact',
      match: 'https://example.com/a-topic',
      active: true,
    });
    const perMatcher = await fetch(
      `${h.base}/.well-known/mercure/subscriptions/exact/https%3A%2F%2Fexample.com%2Fa-topic`,
      {
        headers: reader,
      },
    );
    expect((await perMatcher.json()).subscriptions).toHaveLength(1);
    const single = await fetch(`${h.base}${doc.id}`, { headers: reader });
    expect(await single.json()).toEqual(doc);
    const missing = await fetch(`${h.base}/.well-known/mercure/subscriptions/exact/nope/urn%3Ax`, {
      headers: reader,
    });
    expect(missing.status).toBe(404);
    sub.abort();
  });

  it('a token whose subscribe grants do not match the path gets 403 insufficient_scope; no token 401', async () => {
    const res = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: bearer(await grant(h, ['subscribe'], ['https://example.com/x'])),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const anonymous = await fetch(`${h.base}/.well-known/mercure/subscriptions`);
    expect(anonymous.status).toBe(401);
  });

  it('each generation lists its own subscriptions in its own shape', async () => {
    const modern = await subscribe(matchUrl(h, { match: ['m'] }));
    const old = await subscribe(subscribeUrl(h.base, ['o']));
    const v1 = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: bearer(await grant(h, ['subscribe'], ['*'])),
    });
    expect((await v1.json()).subscriptions.map((d: { match: string }) => d.match)).toEqual(['m']);
    const v0 = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: bearer(await token({ subscribe: ['*'] })),
    });
    expect(v0.headers.get('content-type')).toBe('application/ld+json');
    expect((await v0.json()).subscriptions.map((d: { topic: string }) => d.topic)).toEqual(['o']);
    modern.abort();
    old.abort();
  });
});
