/**
 * The client resumes a POST-started resumable stream by attaching with Last-Event-ID (a GET to
 * `resumeUrl`), never by sending the POST again; `sessionCursor` carries the cursor across a "reload";
 * a second reader attaches to the same running stream. Real sockets, the real registry.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSource, sessionCursor, streamEvents } from '../../src/client/index.js';
import { ResumableStreams } from '../../src/server/index.js';
import { Gate, tokens, until } from '../server/resumable/support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** POST /chat starts (the body is the prompt), GET /chat/<id> attaches; counts requests; can cut the POST. */
async function chatServer(count = 10) {
  const gate = new Gate();
  const registry = new ResumableStreams();
  const requests: { method: string; lastEventId: string | undefined }[] = [];
  let postResponse: ServerResponse | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const last = req.headers['last-event-id'];
    requests.push({ method: req.method!, lastEventId: typeof last === 'string' ? last : undefined });
    const path = new URL(req.url!, 'http://x').pathname;
    if (req.method === 'POST' && path === '/chat') {
      postResponse = res;
      req.resume();
      void registry.start(req, res, tokens(count, gate.wait));
    } else if (req.method === 'GET' && path.startsWith('/chat/')) {
      void registry.attach(req, res, path.slice('/chat/'.length));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`;
  cleanups.push(async () => {
    await registry.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url,
    gate,
    registry,
    requests,
    /** Cuts the POST's connection, as a dropped network would. */
    cutPost: () => postResponse!.socket!.destroy(),
    /** Lets the producer run to its end. */
    async finish() {
      while (registry.running > 0) {
        gate.open();
        await new Promise((r) => setTimeout(r, 1));
      }
    },
  };
}

const resumeUrl = (lastEventId: string) => `/chat/${lastEventId.split(':')[0]}`;
const FAST = { reconnectionTime: 1, minReconnectionTime: 0, random: () => 0 };

describe('client resumes a POST-started stream', () => {
  it('streamEvents re-attaches by GET with Last-Event-ID after a cut, never re-POSTs', async () => {
    const chat = await chatServer();
    const seen: string[] = [];
    const events = streamEvents(chat.url, {
      method: 'POST',
      body: '{"prompt":"hi"}',
      resumeUrl,
      ...FAST,
    });
    const reading = (async () => {
      for await (const event of events) {
        seen.push(`${event.type}:${event.data}`);
        if (event.data === 't3') chat.cutPost();
      }
    })();
    for (let i = 0; i < 4; i++) {
      await until(() => chat.gate.waiting > 0);
      chat.gate.open();
    }
    await until(() => chat.requests.length >= 2);
    await chat.finish();
    await reading; // ends on the 204 that follows `done`
    expect(seen).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `token:t${i}`),
      'done:{"reason":"complete"}',
    ]);
    expect(chat.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const gets = chat.requests.filter((r) => r.method === 'GET');
    expect(gets[0]!.lastEventId).toMatch(/:3$/);
    expect(gets.at(-1)!.lastEventId).toMatch(/:10$/); // after `done`: answered 204
  });

  it('the EventSource class does the same, and stops on the 204 after done', async () => {
    const chat = await chatServer(5);
    const seen: string[] = [];
    const source = new EventSource(chat.url, { method: 'POST', body: 'x', resumeUrl, ...FAST });
    source.addEventListener('token', (event) => {
      seen.push(event.data);
      if (event.data === 't1') chat.cutPost();
    });
    source.addEventListener('done', () => seen.push('done'));
    const closed = new Promise<number | undefined>((resolve) => {
      source.onerror = (event) => {
        if (source.readyState === EventSource.CLOSED) resolve(event.status);
      };
    });
    for (let i = 0; i < 2; i++) {
      await until(() => chat.gate.waiting > 0);
      chat.gate.open();
    }
    await until(() => chat.requests.length >= 2);
    await chat.finish();
    expect(await closed).toBe(204);
    expect(seen).toEqual(['t0', 't1', 't2', 't3', 't4', 'done']);
    expect(chat.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('sessionCursor: a "reloaded page" with the same code attaches where it stopped', async () => {
    const chat = await chatServer(6);
    const storage = new Map<string, string>();
    const fakeSession = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    };
    const page = () =>
      streamEvents(chat.url, {
        method: 'POST',
        body: '{"prompt":"hi"}',
        resumeUrl,
        cursor: sessionCursor('answer', fakeSession),
        ...FAST,
      });
    const before: string[] = [];
    const firstLoad = (async () => {
      for await (const event of page()) {
        before.push(event.data);
        if (before.length === 3) break; // the page is reloaded here
      }
    })();
    for (let i = 0; i < 3; i++) {
      await until(() => chat.gate.waiting > 0);
      chat.gate.open();
    }
    await firstLoad;
    expect(storage.get('answer')).toMatch(/:2$/);
    const after: string[] = [];
    const secondLoad = (async () => {
      for await (const event of page()) after.push(event.data);
    })();
    await chat.finish();
    await secondLoad;
    expect([...before, ...after]).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', '{"reason":"complete"}']);
    expect(chat.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(storage.has('answer')).toBe(false); // cleared by the final 204
  });

  it('a second reader attaches to the same running stream and gets the same events', async () => {
    const chat = await chatServer(4);
    const first = streamEvents(chat.url, { method: 'POST', body: 'x', resumeUrl, ...FAST });
    const a: string[] = [];
    const b: string[] = [];
    let streamId = '';
    const readingA = (async () => {
      for await (const event of first) {
        streamId = event.lastEventId.split(':')[0]!;
        a.push(event.lastEventId);
      }
    })();
    await until(() => chat.gate.waiting > 0);
    chat.gate.open();
    await until(() => streamId !== '');
    const readingB = (async () => {
      for await (const event of streamEvents(`${chat.url}/${streamId}`, FAST)) b.push(event.lastEventId);
    })();
    await until(() => chat.requests.length >= 2);
    await chat.finish();
    await Promise.all([readingA, readingB]);
    expect(b).toEqual(a);
    expect(a).toHaveLength(5);
  });
});
