import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  publish,
  publishOk,
  type RunningHub,
  SECRET,
  startHub,
  subscribe,
  subscribeUrl,
  token,
} from './support/harness.js';
import { SlowReplayTransport } from './support/slow-replay-transport.js';

let h: RunningHub;
let pub: string;
const bearer = async (subscribeClaim: string[]) => ({
  authorization: `Bearer ${await token({ subscribe: subscribeClaim })}`,
});

beforeEach(async () => {
  h = await startHub({}, { key: { key: SECRET }, anonymous: true });
  pub = await token({ publish: ['*'] });
});
afterEach(() => h.close());

describe('subscribe (https://mercure.rocks/spec#subscription)', () => {
  it('answers an event stream head and an opening comment at once', async () => {
    const sub = await subscribe(subscribeUrl(h.base, ['t']));
    expect(sub.response.status).toBe(200);
    expect(sub.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sub.response.headers.get('x-accel-buffering')).toBe('no');
    expect(sub.response.headers.get('last-event-id')).toBeNull();
    await sub.waitForComment(() => true);
    sub.abort();
  });

  it('refuses a missing topic, too many topics and bad tokens with a reason', async () => {
    const none = await fetch(`${h.base}/.well-known/mercure`);
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/Missing "topic"/);
    const many = await fetch(
      subscribeUrl(
        h.base,
        Array.from({ length: 1001 }, (_, i) => `t${i}`),
      ),
    );
    expect(many.status).toBe(400);
    const bad = await fetch(subscribeUrl(h.base, ['t']), { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(bad.status).toBe(401);
    const expired = await fetch(subscribeUrl(h.base, ['t']), {
      headers: { authorization: `Bearer ${await token({ subscribe: ['*'], expiresInSeconds: -10 })}` },
    });
    expect(expired.status).toBe(401);
  });

  it('refuses anonymous subscribers unless enabled', async () => {
    const closed = await startHub();
    try {
      const res = await fetch(subscribeUrl(closed.base, ['t']));
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/token/i);
    } finally {
      await closed.close();
    }
  });

  it('matches URI template and * selectors', async () => {
    const tpl = await subscribe(subscribeUrl(h.base, ['https://example.com/books/{id}']));
    const all = await subscribe(subscribeUrl(h.base, ['*']));
    await publishOk(h.base, { topic: 'https://example.com/books/1/reviews', data: 'nested' }, pub);
    await publishOk(h.base, { topic: 'https://example.com/books/42', data: 'book' }, pub);
    expect((await tpl.waitFor(1)).map((e) => e.data)).toEqual(['book']);
    expect((await all.waitFor(2)).map((e) => e.data)).toEqual(['nested', 'book']);
    tpl.abort();
    all.abort();
  });

  it('delivers a private update through an alternate topic the claim matches, and to nobody else', async () => {
    const books = 'https://example.com/books/{id}';
    const kevinTopic = 'https://example.com/users/kevin/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1';
    const kevin = await subscribe(
      subscribeUrl(h.base, [books]),
      await bearer(['https://example.com/users/kevin/{?topic}']),
    );
    const bob = await subscribe(
      subscribeUrl(h.base, [books]),
      await bearer(['https://example.com/users/bob/{?topic}']),
    );
    const anonymous = await subscribe(subscribeUrl(h.base, [books]));
    const routedOnlyByClaim = await subscribe(
      subscribeUrl(h.base, ['https://example.com/other']),
      await bearer(['*']),
    );
    await publishOk(
      h.base,
      { topic: ['https://example.com/books/1', kevinTopic], data: 'for kevin', private: 'on' },
      pub,
    );
    await publishOk(h.base, { topic: 'https://example.com/books/2', data: 'public' }, pub);
    expect((await kevin.waitFor(2)).map((e) => e.data)).toEqual(['for kevin', 'public']);
    // Everyone else's first event is the public one: the private update never reached them.
    expect((await bob.waitFor(1)).map((e) => e.data)).toEqual(['public']);
    expect((await anonymous.waitFor(1)).map((e) => e.data)).toEqual(['public']);
    await publishOk(h.base, { topic: 'https://example.com/other', data: 'sentinel' }, pub);
    expect((await routedOnlyByClaim.waitFor(1)).map((e) => e.data)).toEqual(['sentinel']);
    for (const s of [kevin, bob, anonymous, routedOnlyByClaim]) s.abort();
  });

  it('accepts the token from the cookie', async () => {
    const cookie = `mercureAuthorization=${await token({ subscribe: ['secret'] })}`;
    const sub = await subscribe(subscribeUrl(h.base, ['secret']), { cookie });
    await publishOk(h.base, { topic: 'secret', data: 'private', private: 'on' }, pub);
    expect((await sub.waitFor(1))[0]?.data).toBe('private');
    sub.abort();
  });
});

describe('history and reconnection (https://mercure.rocks/spec#reconciliation)', () => {
  async function seed(): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publishOk(h.base, { topic: 't', data: `u${i}` }, pub));
    return ids;
  }

  it('replays after the Last-Event-ID header and echoes the cursor in both headers', async () => {
    const ids = await seed();
    const sub = await subscribe(subscribeUrl(h.base, ['t']), { 'last-event-id': ids[1]! });
    expect(sub.response.headers.get('last-event-id')).toBe(ids[1]);
    expect(sub.response.headers.get('mercure-last-event-id')).toBe(ids[1]);
    expect((await sub.waitFor(3)).map((e) => e.data)).toEqual(['u2', 'u3', 'u4']);
    sub.abort();
  });

  it('takes the cursor from lastEventID, last_event_id and Last-Event-ID query parameters', async () => {
    const ids = await seed();
    for (const name of ['lastEventID', 'last_event_id', 'Last-Event-ID']) {
      const sub = await subscribe(subscribeUrl(h.base, ['t'], { [name]: ids[3]! }));
      expect(sub.response.headers.get('last-event-id'), name).toBe(ids[3]);
      expect((await sub.waitFor(1)).map((e) => e.data)).toEqual(['u4']);
      sub.abort();
    }
  });

  it('prefers the header over the query', async () => {
    const ids = await seed();
    const sub = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: ids[0]! }), {
      'last-event-id': ids[3]!,
    });
    expect(sub.response.headers.get('last-event-id')).toBe(ids[3]);
    expect((await sub.waitFor(1)).map((e) => e.data)).toEqual(['u4']);
    sub.abort();
  });

  it('replays everything for earliest', async () => {
    await seed();
    const sub = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }));
    expect(sub.response.headers.get('last-event-id')).toBe('earliest');
    expect((await sub.waitFor(5)).map((e) => e.data)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    sub.abort();
  });

  it('answers earliest for an unknown id and never discloses another id, even a private one', async () => {
    await seed();
    await publishOk(h.base, { topic: 't', data: 'private newest', private: 'on', id: 'private-newest' }, pub);
    const sub = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'never-seen' }));
    expect(sub.response.headers.get('last-event-id')).toBe('earliest');
    expect(sub.response.headers.get('mercure-last-event-id')).toBe('earliest');
    await publishOk(h.base, { topic: 't', data: 'live' }, pub);
    expect((await sub.waitFor(1)).map((e) => e.data)).toEqual(['live']);
    sub.abort();
  });

  it('answers earliest for an unusable cursor (too long, control characters) without replaying', async () => {
    await seed();
    for (const bad of ['x'.repeat(2000), 'a\u0001b']) {
      const sub = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: bad }));
      expect(sub.response.headers.get('last-event-id')).toBe('earliest');
      await publishOk(h.base, { topic: 't', data: 'live' }, pub);
      expect((await sub.waitFor(1)).map((e) => e.data)).toEqual(['live']);
      sub.abort();
    }
  });

  it('re-authorises replayed private updates against the current token', async () => {
    await publishOk(h.base, { topic: 't', data: 'p1', private: 'on' }, pub);
    await publishOk(h.base, { topic: 't', data: 'public' }, pub);
    const anonymous = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }));
    expect((await anonymous.waitFor(1)).map((e) => e.data)).toEqual(['public']);
    const allowed = await subscribe(
      subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }),
      await bearer(['t']),
    );
    expect((await allowed.waitFor(2)).map((e) => e.data)).toEqual(['p1', 'public']);
    anonymous.abort();
    allowed.abort();
  });

  it('has no gap and no duplicate between replay and live under continuous publishing', async () => {
    await h.close();
    // Replay takes 30 ms here, so live updates pile up in the subscriber's queue while it runs.
    h = await startHub({ transport: new SlowReplayTransport(30) }, { key: { key: SECRET }, anonymous: true });
    const total = 300;
    const live = await subscribe(subscribeUrl(h.base, ['t']));
    let resumed: Awaited<ReturnType<typeof subscribe>> | undefined;
    let cursor = '';
    const publishing = (async () => {
      for (let i = 0; i < total; i++) {
        const ids = await publishOk(h.base, { topic: 't', data: `n${i}` }, pub);
        if (i === 50) cursor = ids;
        if (i === 150) {
          // Connect while publishing continues: the replay (51..~150) and live parts must join exactly.
          subscribe(subscribeUrl(h.base, ['t']), { 'last-event-id': cursor }).then((s) => {
            resumed = s;
          });
        }
        // Let the event loop breathe so the subscription's replay overlaps with publishing.
        if (i >= 150 && i < 170) await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await publishing;
    const all = (await live.waitFor(total)).map((e) => e.data);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `n${i}`));
    while (!resumed) await new Promise((r) => setTimeout(r, 10));
    const got = (await resumed.waitFor(total - 51)).map((e) => e.data);
    expect(got).toEqual(all.slice(51));
    live.abort();
    resumed.abort();
  });

  it('keeps publish ids usable as cursors when publishing over the scan bound answers earliest', async () => {
    const bounded = await startHub({ historyScanLimit: 3 }, { key: { key: SECRET }, anonymous: true });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await publishOk(bounded.base, { topic: 't', data: `b${i}` }, pub));
      const old = await subscribe(subscribeUrl(bounded.base, ['t'], { lastEventID: ids[0]! }));
      expect(old.response.headers.get('last-event-id')).toBe('earliest');
      const recent = await subscribe(subscribeUrl(bounded.base, ['t'], { lastEventID: ids[3]! }));
      expect(recent.response.headers.get('last-event-id')).toBe(ids[3]);
      expect((await recent.waitFor(2)).map((e) => e.data)).toEqual(['b4', 'b5']);
      old.abort();
      recent.abort();
    } finally {
      await bounded.close();
    }
  });

  it('publishes fail with 401 for anonymous requests even when anonymous subscribers are on', async () => {
    expect((await publish(h.base, { topic: 't' })).status).toBe(401);
  });
});
