import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import type { SseStream } from '../../src/server/index.js';
import { parsedGet } from './support/clients.js';
import {
  type AppFactory,
  expressApp,
  fastifyApp,
  honoApp,
  koaApp,
  nodeHttpApp,
  type RunningApp,
} from './support/frameworks.js';

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Resolves with the next value pushed, or rejects with `what` after 10 s (a hang is a failure here). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
}

const frameworks: Array<[string, AppFactory]> = [
  ['node:http', nodeHttpApp],
  ['Express 5', expressApp(false)],
  ['Express 5 + compression', expressApp(true)],
  ['Fastify 5', fastifyApp],
  ['Koa 3', koaApp],
  ['Hono 4 (@hono/node-server, Fetch face)', honoApp],
];

describe.each(frameworks)('%s', (_name, factory) => {
  it('serves the SSE headers, no compression, and the first comment', async () => {
    const streams: SseStream[] = [];
    app = await factory((s) => streams.push(s));
    const client = await parsedGet(app.url, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(client.response.headers.get('x-accel-buffering')).toBe('no');
    expect(client.response.headers.get('content-encoding')).toBeNull();
    while (client.comments.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(client.comments[0]).toBe('ok');
    client.abort();
  });

  it('delivers events one by one (nothing held back by a middleware buffer)', async () => {
    const streams: SseStream[] = [];
    app = await factory((s) => streams.push(s));
    const client = await parsedGet(app.url, { 'Accept-Encoding': 'gzip, deflate, br' });
    while (streams.length === 0) await new Promise((r) => setTimeout(r, 5));
    const stream = streams[0]!;
    for (let i = 1; i <= 3; i++) {
      stream.send({ id: String(i), data: `event ${i}` });
      // Each event must arrive before the next is sent.
      await within(client.waitFor(i), `event ${i} before event ${i + 1} was sent`);
    }
    expect(client.events.map((e) => e.data)).toEqual(['event 1', 'event 2', 'event 3']);
    client.abort();
    await within(new Promise<void>((r) => stream.onClose(() => r())), 'the server to notice the client left');
    expect(stream.closeReason).toBe('client');
  });

  it('with the npm eventsource client: opens, reconnects with Last-Event-ID after a server close', async () => {
    const seenIds: Array<string | undefined> = [];
    app = await factory((stream) => {
      seenIds.push(stream.lastEventId);
      if (stream.lastEventId === undefined) {
        stream.send({ id: 'first', data: 'one' });
        stream.close({ retry: 20 });
      } else {
        stream.send({ id: 'second', event: 'resumed', data: `after ${stream.lastEventId}` });
      }
    });
    const es = new EventSource(app.url);
    try {
      let opens = 0;
      es.onopen = () => opens++;
      const first = within(
        new Promise<string>((r) => es.addEventListener('message', (e) => r(e.data), { once: true })),
        'the first message',
      );
      const resumed = within(
        new Promise<MessageEvent>((r) => es.addEventListener('resumed', (e) => r(e), { once: true })),
        'the resumed event',
      );
      expect(await first).toBe('one');
      const event = await resumed;
      expect(event.data).toBe('after first');
      expect(event.lastEventId).toBe('second');
      expect(seenIds).toEqual([undefined, 'first']);
      expect(opens).toBe(2);
    } finally {
      es.close();
    }
  });
});
