/**
 * The peers' behaviour, measured on the same misbehaving servers as ours: the evidence behind the
 * README comparison table (section "ssehub/client", column by column).
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { EventSource as NpmEventSource } from 'eventsource';
import { createEventSource } from 'eventsource-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ReconnectInfo,
  SseContentTypeError,
  SseHttpError,
  streamEvents,
} from '../../src/client/index.js';
import { type Handler, openStream, startServer, type TestServer } from './test-server.js';

let servers: TestServer[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** An empty 200 stream that ends at once: a server that accepts and drops, again and again. */
const dropAtOnce: Handler = (_req, res) => {
  openStream(res);
  res.end();
};

describe('eventsource (npm) 4.x', () => {
  it('reconnects on a fixed schedule: no backoff after repeated failures, no jitter', async () => {
    const server = await serve(dropAtOnce);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const source = new NpmEventSource(server.origin);
    cleanups.push(() => source.close());
    // It fires `error` right before it schedules the reconnection timer (same tick).
    let errors = 0;
    source.onerror = () => errors++;
    await server.request(0);
    for (let attempt = 1; attempt <= 5; attempt++) {
      while (errors < attempt) await settle();
      vi.advanceTimersByTime(2999);
      await settle();
      expect(server.requests).toHaveLength(attempt);
      vi.advanceTimersByTime(1);
      await server.request(attempt);
    }
  });

  it('gives up for good on 503 and ignores Retry-After; exposes the status as `code`', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '1' });
      res.end();
    });
    const source = new NpmEventSource(server.origin);
    cleanups.push(() => source.close());
    const error = await new Promise<{ code?: number }>((resolve) => {
      source.onerror = (event) => resolve(event);
    });
    expect(error.code).toBe(503);
    expect(source.readyState).toBe(NpmEventSource.CLOSED);
  });

  it('has no headers option: a header passed in the init is not sent', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: x\n\n');
    });
    const source = new NpmEventSource(server.origin, { headers: { authorization: 'Bearer t' } } as never);
    cleanups.push(() => source.close());
    await new Promise((resolve) => {
      source.onmessage = resolve;
    });
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('@microsoft/fetch-event-source 2.0.1', () => {
  it('cannot run in Node: it touches document, and window even with openWhenHidden', async () => {
    const server = await serve(dropAtOnce);
    await expect(fetchEventSource(server.origin, { onmessage: () => undefined })).rejects.toThrow(
      /document is not defined/,
    );
    await expect(
      fetchEventSource(server.origin, { openWhenHidden: true, onmessage: () => undefined }),
    ).rejects.toThrow(/window is not defined/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('eventsource-client 1.2', () => {
  it('treats a 401 as a stream: no error surfaced, retried forever at a fixed 2 s', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"unauthorized"}');
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const delays: number[] = [];
    const messages: string[] = [];
    const source = createEventSource({
      url: server.origin,
      onMessage: (m) => messages.push(m.data),
      onScheduleReconnect: ({ delay }) => delays.push(delay),
    });
    cleanups.push(() => source.close());
    for (let attempt = 1; attempt <= 4; attempt++) {
      while (delays.length < attempt) await settle();
      vi.advanceTimersByTime(delays[attempt - 1]!);
      await server.request(attempt);
    }
    expect(delays).toEqual([2000, 2000, 2000, 2000]);
    expect(messages).toEqual([]);
    expect(source.readyState).not.toBe('closed');

    // Ours on the same server: one request, then a typed error with the status.
    vi.useRealTimers();
    const before = server.requests.length;
    source.close();
    const error = await (async () => {
      for await (const _ of streamEvents(server.origin)) break;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseHttpError);
    expect((error as SseHttpError).status).toBe(401);
    expect(server.requests.length).toBe(before + 1);
  });

  it('does not check the content type: an HTML page is parsed as events', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('data: not-an-event-stream\n\n');
    });
    const source = createEventSource({ url: server.origin });
    cleanups.push(() => source.close());
    for await (const message of source) {
      expect(message.data).toBe('not-an-event-stream');
      break;
    }
    const ours = await (async () => {
      for await (const _ of streamEvents(server.origin)) break;
    })().catch((e: unknown) => e);
    expect(ours).toBeInstanceOf(SseContentTypeError);
  });
});

describe('ssehub/client on the same schedule test', () => {
  it('backs off with full jitter where the peers keep a fixed delay', async () => {
    const server = await serve(dropAtOnce);
    const infos: ReconnectInfo[] = [];
    const stream = streamEvents(server.origin, {
      reconnectionTime: 2,
      maxReconnectDelay: 10_000,
      random: () => 0.999,
      onReconnect: (info) => {
        infos.push(info);
        if (infos.length === 5) stream.close();
      },
    });
    for await (const _ of stream) break;
    expect(infos.map((i) => i.delay)).toEqual([3, 7, 15, 31, 63]);
  });
});
