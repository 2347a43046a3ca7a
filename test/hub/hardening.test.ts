import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CACHED_KEY_LENGTH, TopicSelectorStore } from '../../src/hub/topics/topic-selector.js';
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

/**
 * Regression tests of the security review (docs/security.md): each one failed before its fix. Slow-loris bodies,
 * topic and selector bounds, the match-cache memory bound, cursors naming private updates, non-ASCII ids in
 * headers, and updates too large on the wire for a subscriber's buffer.
 */

let h: RunningHub | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Writes `request` on a raw socket and resolves with everything the hub sent until it closed. */
function raw(port: number, request: string, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(request);
    if (!keepOpen) socket.end();
  });
}

describe('hub hardening: request bodies', () => {
  it('answers 408 and closes the connection when a publish body trickles past bodyTimeoutMs', async () => {
    h = await startHub({ bodyTimeoutMs: 300 });
    const jwt = await token({ publish: ['*'] });
    // Declares 100 bytes, sends 10, then nothing: the hub must give up, not wait for ever.
    const answer = await raw(
      h.port,
      'POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${jwt}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        'Content-Length: 100\r\n\r\ntopic=abcd',
      true,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('did not arrive within 300 ms');
  });
});

describe('hub hardening: topics and selectors', () => {
  it('refuses publish topics with control characters or longer than 4096 characters (400)', async () => {
    h = await startHub();
    const jwt = await token({ publish: ['*'] });
    for (const topic of [
      'a\u0000b',
      'line\nbreak',
      'tab\there',
      'del\u007f',
      `https://x/${'a'.repeat(4087)}`,
    ]) {
      const res = await publish(h.base, { topic, data: 'x' }, jwt);
      expect(res.status, JSON.stringify(topic.slice(0, 20))).toBe(400);
      expect(await res.text()).toMatch(/Invalid "topic": (it contains a control character|longer than 4096)/);
    }
    // The longest allowed topic still works.
    const ok = await publish(h.base, { topic: `https://x/${'a'.repeat(4086)}`, data: 'x' }, jwt);
    expect(ok.status).toBe(200);
  });

  it('refuses subscribe selectors with control characters or longer than 4096 characters (400)', async () => {
    h = await startHub({ allowAnonymous: true }, { key: { key: SECRET }, anonymous: true });
    for (const selector of ['a\u0000b', 'x\r\ny', `https://x/{+a}${'b'.repeat(4090)}`]) {
      const res = await fetch(subscribeUrl(h.base, ['ok', selector]));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/Invalid "topic" selector/);
    }
  });

  it('does not cache matches of long (selector, topic) pairs, so the result cache stays small', () => {
    const store = new TopicSelectorStore(1000);
    const longTopic = `https://example.com/${'x'.repeat(MAX_CACHED_KEY_LENGTH)}`;
    expect(store.match(longTopic, 'https://example.com/{+rest}')).toBe(true);
    expect(store.match(`${longTopic}/2`, 'https://example.com/{+rest}')).toBe(true);
    expect(store.cachedResults).toBe(0);
    expect(store.match('https://example.com/1', 'https://example.com/{id}')).toBe(true);
    expect(store.cachedResults).toBe(1);
  });
});

describe('hub hardening: cursors naming private updates', () => {
  it('treats a cursor naming a private update the subscriber may not read as unknown (no echo, no replay)', async () => {
    h = await startHub({}, { key: { key: SECRET }, anonymous: true });
    const jwt = await token({ publish: ['*'] });
    const base = h.base;
    await publishOk(base, { topic: 'https://example.com/invoices/7', id: 'invoice-7', private: 'on' }, jwt);
    await publishOk(base, { topic: 'https://example.com/news', id: 'news-1', data: 'public' }, jwt);
    const url = subscribeUrl(base, ['https://example.com/news']);

    // Anonymous, guessing the id: the hub must not confirm it exists, by header or by replay.
    const guess = await subscribe(url, { 'last-event-id': 'invoice-7' });
    expect(guess.response.headers.get('last-event-id')).toBe('earliest');
    expect(guess.response.headers.get('mercure-last-event-id')).toBe('earliest');
    await publishOk(base, { topic: 'https://example.com/news', id: 'news-2', data: 'live' }, jwt);
    expect((await guess.waitFor(1)).map((e) => e.lastEventId)).toEqual(['news-2']);
    guess.abort();

    // A subscriber allowed to read the invoice resumes from it as usual.
    const reader = await token({ subscribe: ['https://example.com/invoices/{id}'] });
    const owner = await subscribe(url, { 'last-event-id': 'invoice-7', authorization: `Bearer ${reader}` });
    expect(owner.response.headers.get('last-event-id')).toBe('invoice-7');
    expect((await owner.waitFor(2)).map((e) => e.lastEventId)).toEqual(['news-1', 'news-2']);
    owner.abort();
  });
});

describe('hub hardening: non-ASCII ids in response headers', () => {
  it('answers the subscriptions API when the newest id is not ASCII (ETag as UTF-8 bytes, 304 on revalidation)', async () => {
    h = await startHub({ subscriptions: true });
    const jwt = await token({ publish: ['*'], subscribe: ['*'] });
    await publishOk(h.base, { topic: 'https://example.com/1', id: 'livre-✓-é', data: 'x' }, jwt);
    const auth = { authorization: `Bearer ${jwt}` };
    const list = await fetch(`${h.base}/.well-known/mercure/subscriptions`, { headers: auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { lastEventID: string }).lastEventID).toBe('livre-✓-é');
    // fetch hands header bytes over as Latin-1 characters: decode them back to compare.
    const etag = list.headers.get('etag')!;
    expect(Buffer.from(etag, 'latin1').toString('utf8')).toBe('"livre-✓-é"');
    const again = await fetch(`${h.base}/.well-known/mercure/subscriptions`, {
      headers: { ...auth, 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
  });
});

describe('hub hardening: updates larger on the wire than a subscriber may buffer', () => {
  it('refuses (413) an update whose frame exceeds subscriberMaxBufferedBytes, instead of dropping every subscriber', async () => {
    h = await startHub({ maxBodyBytes: 64 * 1024, subscriberMaxBufferedBytes: 64 * 1024 });
    const jwt = await token({ publish: ['*'], subscribe: ['*'] });
    const sub = await subscribe(subscribeUrl(h.base, ['t']), { authorization: `Bearer ${jwt}` });
    // 20,000 line breaks: a 60 KB body (%0A), within maxBodyBytes, but 140 KB of "data: " lines.
    const res = await publish(h.base, { topic: 't', data: '\n'.repeat(20_000) }, jwt);
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/encodes to \d+ bytes on the wire/);
    // The subscriber is still connected and receives the next update.
    const id = await publishOk(h.base, { topic: 't', data: 'after' }, jwt);
    expect((await sub.waitFor(1)).map((e) => [e.data, e.lastEventId])).toEqual([['after', id]]);
    expect(h.hub.stats().slowSubscribersDropped).toBe(0);
    sub.abort();
    // In-process publishing is held to the same bound.
    await expect(h.hub.publish({ topics: 't', data: '\n'.repeat(20_000) })).rejects.toMatchObject({
      status: 413,
    });
  });
});
