import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, publishOk, type RunningHub, subscribe, subscribeUrl, token } from '../support/harness.js';
import { grant, hubUrl, matchUrl, startDualHub } from './support.js';
import { accessToken } from './tokens.js';

/**
 * Mercure 1.0 over real sockets, section by section (https://mercure.rocks/spec), on a hub that serves
 * 0.x at the same time.
 */

let h: RunningHub;
beforeAll(async () => {
  h = await startDualHub();
});
afterAll(() => h.close());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('§Subscription: matcher query parameters', () => {
  it.each([
    ['match=x', 200],
    ['match_exact=x', 200],
    ['match_urlpattern=https%3A%2F%2Fe.com%2F%3Aid', 200],
    ['match=x&match_urlpattern=https%3A%2F%2Fe.com%2F%3Aid&match=x', 200],
    ['match=', 200],
    ['matchURLPattern=x', 400],
    ['match_regex=x', 400],
    ['MATCH=x', 400],
    ['Match_urlpattern=x', 400],
    ['matches=x', 400],
    ['match=x&topic=y', 400],
    ['match=a%0Ab', 400],
    ['match=a%C2%85b', 400],
    ['match=a%E2%80%AEb', 400],
    ['match_urlpattern=https%3A%2F%2Fe.com%2F%3Aid((a%2B)%2B)', 400],
    ['match_urlpattern=https%3A%2F%2Fe.com%2F*a*a*b', 400],
    [`match=${'a'.repeat(4097)}`, 400],
    ['last_event_id=x', 400],
  ])('?%s → %i', async (query, status) => {
    const res = await fetch(`${hubUrl(h)}?${query}`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(status);
    await res.body?.cancel();
  });

  it('a matcher count over the limit is refused with 400', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `match=t${i}`).join('&');
    const res = await fetch(`${hubUrl(h)}?${many}`);
    expect(res.status).toBe(400);
    await res.body?.cancel();
  });

  it('routes by exact and URL-pattern matchers alike', async () => {
    const sub = await subscribe(
      matchUrl(h, { match: ['https://example.com/foo'], urlpattern: ['https://example.com/bar/:id'] }),
    );
    const publisher = await grant(h, ['publish'], ['*']);
    await publishOk(h.base, { topic: 'https://example.com/bar/1', data: 'bar' }, publisher);
    await publishOk(h.base, { topic: 'https://example.com/other', data: 'other' }, publisher);
    await publishOk(h.base, { topic: 'https://example.com/foo', data: 'foo' }, publisher);
    expect((await sub.waitFor(2)).map((e) => e.data)).toEqual(['bar', 'foo']);
    sub.abort();
  });
});

describe('§Subscribers and §Private Update Audience: private updates follow the token, never the routing matchers', () => {
  const cases: [
    string,
    readonly (string | { match: string; match_type?: string })[] | null,
    string[],
    boolean,
  ][] = [
    ['no token (anonymous)', null, ['https://example.com/books/1'], false],
    [
      'exact grant on the canonical topic',
      ['https://example.com/books/1'],
      ['https://example.com/books/1'],
      true,
    ],
    ['exact grant on another book', ['https://example.com/books/7'], ['https://example.com/books/1'], false],
    [
      'URL-pattern grant on an alternate topic',
      [{ match: 'https://example.com/users/42/*', match_type: 'urlpattern' }],
      ['https://example.com/books/1', 'https://example.com/users/42/books/1'],
      true,
    ],
    ['the * wildcard grant', ['*'], ['https://example.com/books/1'], true],
    ['a publish-only grant', null, ['https://example.com/books/1'], false],
  ];
  it.each(cases)('%s → delivered: %s', async (name, topics, updateTopics, delivered) => {
    const headers =
      topics === null
        ? name === 'a publish-only grant'
          ? bearer(await grant(h, ['publish'], ['*']))
          : {}
        : bearer(await grant(h, ['subscribe'], topics));
    const sub = await subscribe(matchUrl(h, { urlpattern: ['https://example.com/books/:id'] }), headers);
    const publisher = await grant(h, ['publish'], ['*']);
    await publishOk(h.base, { topic: updateTopics, data: 'secret', private: 'on' }, publisher);
    await publishOk(h.base, { topic: 'https://example.com/books/2', data: 'public' }, publisher);
    const events = await sub.waitFor(delivered ? 2 : 1);
    expect(events.map((e) => e.data)).toEqual(delivered ? ['secret', 'public'] : ['public']);
    sub.abort();
  });
});

describe('§Reconciliation: reconnection names', () => {
  it('last_event_id replays and Mercure-Last-Event-ID answers the anchor; no 0.x Last-Event-ID header', async () => {
    const publisher = await grant(h, ['publish'], ['*']);
    const first = await publishOk(h.base, { topic: 'https://example.com/r', data: '1' }, publisher);
    await publishOk(h.base, { topic: 'https://example.com/r', data: '2' }, publisher);
    const sub = await subscribe(matchUrl(h, { match: ['https://example.com/r'] }, { last_event_id: first }));
    expect(sub.response.headers.get('mercure-last-event-id')).toBe(first);
    expect(sub.response.headers.get('last-event-id')).toBeNull();
    expect((await sub.waitFor(1))[0]!.data).toBe('2');
    sub.abort();
  });

  it.each([
    ['an unknown id', 'urn:uuid:does-not-exist'],
    ['earliest', 'earliest'],
  ])('%s answers Mercure-Last-Event-ID: earliest', async (_, id) => {
    const sub = await subscribe(matchUrl(h, { match: ['https://example.com/none'] }, { last_event_id: id }));
    expect(sub.response.headers.get('mercure-last-event-id')).toBe('earliest');
    sub.abort();
  });

  it('the Last-Event-ID header takes precedence over last_event_id', async () => {
    const publisher = await grant(h, ['publish'], ['*']);
    const a = await publishOk(h.base, { topic: 'https://example.com/p', data: 'a' }, publisher);
    const b = await publishOk(h.base, { topic: 'https://example.com/p', data: 'b' }, publisher);
    const sub = await subscribe(matchUrl(h, { match: ['https://example.com/p'] }, { last_event_id: a }), {
      'last-event-id': b,
    });
    expect(sub.response.headers.get('mercure-last-event-id')).toBe(b);
    sub.abort();
  });
});

describe('§Publication: the 1.0 form and answers', () => {
  it('answers 200 text/plain; charset=utf-8 with the id', async () => {
    const res = await publish(
      h.base,
      { topic: 'https://example.com/x', data: 'd' },
      await grant(h, ['publish'], ['*']),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toMatch(/^urn:uuid:/);
  });

  it.each([
    ['a topic that is exactly *', { topic: '*' }],
    [
      'a topic in the reserved namespace (400, where 0.x answers 403)',
      { topic: '/.well-known/mercure/subscriptions/x' },
    ],
    ['an absolute topic in the reserved namespace', { topic: 'https://hub.example/.well-known/%6Dercure/x' }],
    ['a topic with a format character', { topic: 'https://example.com/\u202e' }],
    ['an id with a C1 control', { topic: 'https://example.com/x', id: 'a\u0085b' }],
    ['the reserved type mercure', { topic: 'https://example.com/x', type: 'mercure' }],
    ['a non-digit retry', { topic: 'https://example.com/x', retry: '1e3' }],
  ])('refuses %s with 400', async (_, fields) => {
    const res = await publish(h.base, fields, await grant(h, ['publish'], ['*']));
    expect(res.status).toBe(400);
  });

  it('0.x keeps answering 403 for the reserved namespace', async () => {
    const res = await publish(
      h.base,
      { topic: '/.well-known/mercure/subscriptions/x' },
      await token({ publish: ['*'] }),
    );
    expect(res.status).toBe(403);
  });

  it('every topic, alternates included, must be granted (§Publishers)', async () => {
    const t = await grant(
      h,
      ['publish'],
      [{ match: 'https://example.com/books/:id', match_type: 'urlpattern' }],
    );
    expect((await publish(h.base, { topic: 'https://example.com/books/1' }, t)).status).toBe(200);
    const res = await publish(
      h.base,
      { topic: ['https://example.com/books/1', 'https://example.com/users/1'] },
      t,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });
});

describe('§Error Responses: RFC 6750 challenges on 400/401/403', () => {
  const metadata = () =>
    `resource_metadata="${h.base}/.well-known/oauth-protected-resource/.well-known/mercure"`;
  it.each([
    ['publish without a token', async () => ({}), 401, null],
    [
      'publish with an expired access token',
      async () => bearer(await accessToken({ aud: hubUrl(h), expiresIn: -60 })),
      401,
      'invalid_token',
    ],
    [
      'publish with a token for another hub',
      async () => bearer(await accessToken({ aud: 'https://other/.well-known/mercure' })),
      401,
      'invalid_token',
    ],
    [
      'publish with a subscribe-only token',
      async () => bearer(await grant(h, ['subscribe'], ['*'])),
      403,
      'insufficient_scope',
    ],
    [
      'publish with a malformed Authorization header',
      async () => ({ authorization: 'Token abc' }),
      400,
      'invalid_request',
    ],
  ] as const)('%s → %i %s', async (_, headers, status, error) => {
    const res = await fetch(hubUrl(h), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(await headers()) },
      body: 'topic=https%3A%2F%2Fexample.com%2Fx',
    });
    expect(res.status).toBe(status);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(metadata());
    if (error === null) expect(challenge).not.toContain('error=');
    else expect(challenge).toContain(`error="${error}"`);
  });

  it('a 400 for a request malformed independently of the token carries no challenge', async () => {
    const res = await fetch(`${hubUrl(h)}?match_nope=x`);
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

describe('§Protected Resource Metadata (RFC 9728)', () => {
  it('is served at the well-known path derived from the hub URL', async () => {
    const res = await fetch(`${h.base}/.well-known/oauth-protected-resource/.well-known/mercure`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      resource: hubUrl(h),
      authorization_details_types_supported: ['https://mercure.rocks/authorization-detail'],
      bearer_methods_supported: ['header'],
      mercure_cookie: '__Secure-mercure_access_token',
      mercure_matcher_types_supported: ['exact', 'urlpattern'],
    });
  });

  it('a pinned resource identifier moves the document, lists authorization servers and subscriptions', async () => {
    const pinned = 'https://hub.example.com/mercure/.well-known/mercure';
    const other = await startDualHub({ resourceIdentifier: pinned, subscriptions: true });
    try {
      const res = await fetch(
        `${other.base}/.well-known/oauth-protected-resource/mercure/.well-known/mercure`,
      );
      const doc = await res.json();
      expect(doc).toMatchObject({ resource: pinned, mercure_subscriptions: true });
      const token = await accessToken({ aud: pinned, details: [] });
      const ok = await fetch(`${other.base}/.well-known/mercure?match=x`, { headers: bearer(token) });
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
      const wrong = await fetch(`${other.base}/.well-known/mercure?match=x`, {
        headers: bearer(await accessToken({ aud: hubUrl(other), details: [] })),
      });
      expect(wrong.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('0.x next to 1.0', () => {
  it("a 0.x subscriber and a 1.0 subscriber on the same topic both receive a 0.x publisher's and a 1.0 publisher's updates", async () => {
    const topic = 'https://example.com/shared/1';
    const old = await subscribe(
      subscribeUrl(h.base, ['https://example.com/shared/{id}']),
      bearer(await token({ subscribe: ['*'] })),
    );
    const modern = await subscribe(
      matchUrl(h, { urlpattern: ['https://example.com/shared/:id'] }),
      bearer(await grant(h, ['subscribe'], ['*'])),
    );
    await publishOk(h.base, { topic, data: 'from 0.x', private: 'on' }, await token({ publish: ['*'] }));
    await publishOk(h.base, { topic, data: 'from 1.0', private: 'on' }, await grant(h, ['publish'], ['*']));
    for (const sub of [old, modern]) {
      expect((await sub.waitFor(2)).map((e) => e.data)).toEqual(['from 0.x', 'from 1.0']);
      sub.abort();
    }
  });

  it('mercure0x: false refuses topic= subscriptions and 0.x tokens, and keeps 1.0 working', async () => {
    const strict = await startDualHub({ mercure0x: false });
    try {
      const res = await fetch(subscribeUrl(strict.base, ['x']));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/turned off/);
      const legacy = await publish(strict.base, { topic: 'x' }, await token({ publish: ['*'] }));
      expect(legacy.status).toBe(401);
      expect(legacy.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const ok = await publish(strict.base, { topic: 'x' }, await grant(strict, ['publish'], ['*']));
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
