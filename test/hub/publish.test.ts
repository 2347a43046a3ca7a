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

let h: RunningHub;
let pub: string;
let auth: Record<string, string>;
beforeEach(async () => {
  h = await startHub({ maxBodyBytes: 4096, maxTopics: 5 });
  pub = await token({ publish: ['*'] });
  auth = { authorization: `Bearer ${await token({ subscribe: ['*'] })}` };
});
afterEach(() => h.close());

describe('publish (https://mercure.rocks/spec#publication)', () => {
  it('answers 200 text/plain with a generated urn:uuid UUIDv7 id', async () => {
    const res = await publish(h.base, { topic: 'https://example.com/books/1', data: 'hello' }, pub);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('carries every field to subscribers: id, type, retry, multi-line data', async () => {
    const sub = await subscribe(subscribeUrl(h.base, ['https://example.com/books/1']), auth);
    const res = await publish(
      h.base,
      {
        topic: 'https://example.com/books/1',
        data: 'line 1\nline 2\r\nline 3',
        id: 'book-1-v2',
        type: 'update',
        retry: '1234',
      },
      pub,
    );
    expect(await res.text()).toBe('book-1-v2');
    const [event] = await sub.waitFor(1);
    expect(event).toEqual({ type: 'update', data: 'line 1\nline 2\nline 3', lastEventId: 'book-1-v2' });
    expect(sub.retries).toContain(1234);
    sub.abort();
  });

  it('routes to subscribers of any alternate topic', async () => {
    const sub = await subscribe(subscribeUrl(h.base, ['https://example.com/alt']), auth);
    await publishOk(
      h.base,
      { topic: ['https://example.com/canonical', 'https://example.com/alt'], data: 'x' },
      pub,
    );
    const [event] = await sub.waitFor(1);
    expect(event?.data).toBe('x');
    sub.abort();
  });

  it('refuses bad fields with 400 and a reason', async () => {
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ data: 'no topic' }, /Missing "topic"/],
      [{ topic: 'a', id: '#frag' }, /"#"/],
      [{ topic: 'a', id: 'earliest' }, /reserved/],
      [{ topic: 'a', id: 'x\ny' }, /control/],
      [{ topic: 'a', type: 'a\rb' }, /control/],
      [{ topic: 'a', type: 'mercure' }, /reserved/],
      [{ topic: 'a', retry: '-1' }, /retry/],
      [{ topic: 'a', retry: '1.5' }, /retry/],
      [{ topic: ['a', 'b', 'c', 'd', 'e', 'f'] }, /Too many topics/],
    ];
    for (const [fields, reason] of cases) {
      const res = await publish(h.base, fields, pub);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(await res.text()).toMatch(reason);
    }
  });

  it('refuses reserved /.well-known/mercure topics with 403, also when disguised', async () => {
    for (const topic of [
      '/.well-known/mercure/subscriptions/x/y',
      'https://example.com/.well-known/mercure/subscriptions/a/b',
      '/.well-known/%6Dercure/subscriptions/a/b',
      '/.well-known/x/../mercure/subscriptions/a/b',
      // Non-canonical spellings of the same path: repeated slashes, backslashes, an escaped slash, case,
      // an escaped dot segment.
      '/.well-known//mercure/subscriptions/a/b',
      'https://example.com//.well-known///mercure/subscriptions/a/b',
      '/.well-known\\mercure/subscriptions/a/b',
      '/.well-known%2Fmercure/subscriptions/a/b',
      '/.well-known%2fmercure',
      '/.Well-Known/Mercure/subscriptions/a/b',
      '/.well-known/x/%2E%2E/mercure/subscriptions/a/b',
      'urn:x:/.well-known//mercure',
    ]) {
      const res = await publish(h.base, { topic, data: 'forged' }, pub);
      expect(res.status, topic).toBe(403);
      expect(await res.text()).toMatch(/reserved/);
    }
  });

  it('answers 413 for a body over maxBodyBytes, declared or chunked', async () => {
    const big = await publish(h.base, { topic: 'a', data: 'x'.repeat(5000) }, pub);
    expect(big.status).toBe(413);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('topic=a&data='));
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(1000)));
        controller.close();
      },
    });
    const chunked = await fetch(`${h.base}/.well-known/mercure`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${pub}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('refuses a non-form body with 400', async () => {
    const res = await fetch(`${h.base}/.well-known/mercure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pub}` },
      body: '{"topic":"a"}',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/x-www-form-urlencoded/);
  });

  it('requires every topic, alternates included, to match the publish claim (403)', async () => {
    const narrow = await token({ publish: ['https://example.com/books/{id}'] });
    expect((await publish(h.base, { topic: 'https://example.com/books/1' }, narrow)).status).toBe(200);
    const res = await publish(
      h.base,
      { topic: ['https://example.com/books/1', 'https://example.com/users/1'] },
      narrow,
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/users\/1/);
    const none = await token({ subscribe: ['*'] });
    expect((await publish(h.base, { topic: 'https://example.com/books/1' }, none)).status).toBe(403);
    expect((await publish(h.base, { topic: 'https://example.com/books/1' })).status).toBe(401);
  });

  it('refuses a reused id with 409', async () => {
    await publishOk(h.base, { topic: 'a', id: 'same' }, pub);
    const res = await publish(h.base, { topic: 'a', id: 'same' }, pub);
    expect(res.status).toBe(409);
  });

  it('marks updates private when the field is present whatever its value', async () => {
    const anonymousHub = await startHub({}, { key: { key: SECRET }, anonymous: true });
    try {
      const sub = await subscribe(subscribeUrl(anonymousHub.base, ['t']));
      await publishOk(anonymousHub.base, { topic: 't', data: 'secret', private: '' }, pub);
      await publishOk(anonymousHub.base, { topic: 't', data: 'secret2', private: 'off' }, pub);
      await publishOk(anonymousHub.base, { topic: 't', data: 'public' }, pub);
      const [event] = await sub.waitFor(1);
      expect(event?.data).toBe('public');
      expect(sub.events).toHaveLength(1);
      sub.abort();
    } finally {
      await anonymousHub.close();
    }
  });
});

describe('publish authorisation through the hub (https://mercure.rocks/spec#authorization)', () => {
  it('requires an allowed Origin for cookie-authenticated publishes and lets the header win', async () => {
    const guarded = await startHub({}, { key: { key: SECRET }, publishOrigins: ['https://app.example'] });
    try {
      const cookie = `mercureAuthorization=${await token({ publish: ['*'] })}`;
      const noOrigin = await publish(guarded.base, { topic: 't' }, undefined, { cookie });
      expect(noOrigin.status).toBe(403);
      expect(await noOrigin.text()).toMatch(/Origin/);
      const foreign = await publish(guarded.base, { topic: 't' }, undefined, {
        cookie,
        origin: 'https://evil.example',
      });
      expect(foreign.status).toBe(403);
      const allowed = await publish(guarded.base, { topic: 't' }, undefined, {
        cookie,
        origin: 'https://app.example',
      });
      expect(allowed.status).toBe(200);
      // A present Authorization header is the only source, even when the cookie would be valid.
      const badHeader = await publish(guarded.base, { topic: 't' }, 'not-a-token', {
        cookie,
        origin: 'https://app.example',
      });
      expect(badHeader.status).toBe(401);
      // The authorization query parameter comes before the cookie.
      const viaQuery = await fetch(
        `${guarded.base}/.well-known/mercure?authorization=${await token({ publish: ['*'] })}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'topic=t&data=q',
        },
      );
      expect(viaQuery.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('hub.publish() (in-process, validated directly)', () => {
  it('keeps every field as given, and refuses what could not travel, naming the field', async () => {
    const { createHub } = await import('../../src/hub/index.js');
    const hub = createHub();
    try {
      const update = await hub.publish({
        topics: ['https://example.com/a', 'https://example.com/b'],
        data: 'line 1\r\nline 2',
        private: true,
        id: 'café-1',
        type: 'note',
        retry: 2500,
      });
      expect(update).toEqual({
        id: 'café-1',
        topics: ['https://example.com/a', 'https://example.com/b'],
        data: 'line 1\r\nline 2',
        private: true,
        type: 'note',
        retry: 2500,
      });
      // An id with a lone surrogate has no UTF-8 form: it could never come back as a Last-Event-ID.
      await expect(hub.publish({ topics: 't', id: 'a\uD800' })).rejects.toMatchObject({
        code: 'SSEHUB_INVALID_ID',
      });
      for (const retry of [1.5, -1, Number.NaN, 1e16]) {
        await expect(hub.publish({ topics: 't', retry }), String(retry)).rejects.toMatchObject({
          code: 'SSEHUB_INVALID_RETRY',
        });
      }
      await expect(hub.publish({ topics: [] })).rejects.toMatchObject({ code: 'SSEHUB_INVALID_TOPIC' });
    } finally {
      await hub.close();
    }
  });
});
