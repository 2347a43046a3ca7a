import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../src/hub/auth/index.js';
import { createHub, type Hub } from '../../src/hub/index.js';
import { publishOk, SECRET, subscribe, subscribeUrl, token } from './support/harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens on a free loopback port, closes the server (and its open streams) after the test, returns its base URL. */
async function serve(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) =>
    server.listening ? resolve() : server.once('listening', () => resolve()),
  );
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function makeHub(): Promise<Hub> {
  const hub = createHub({ authorizer: await createAuthorizer({ key: { key: SECRET }, anonymous: true }) });
  cleanups.push(() => hub.close());
  return hub;
}

async function roundTrip(base: string): Promise<void> {
  const sub = await subscribe(subscribeUrl(base, ['https://example.com/x']));
  const id = await publishOk(
    base,
    { topic: 'https://example.com/x', data: 'through the framework' },
    await token({ publish: ['*'] }),
  );
  const [event] = await sub.waitFor(1);
  expect(event).toEqual({ type: 'message', data: 'through the framework', lastEventId: id });
  sub.abort();
}

describe('embedding', () => {
  it('works under Express with app.use, passing other paths to next', async () => {
    const hub = await makeHub();
    const app = express();
    app.use(hub.handler);
    app.get('/app', (_req, res) => {
      res.send('app route');
    });
    const base = await serve(app.listen(0, '127.0.0.1'));
    await roundTrip(base);
    expect(await (await fetch(`${base}/app`)).text()).toBe('app route');
  });

  it('accepts publishes whose body express.urlencoded() already parsed', async () => {
    const hub = await makeHub();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(hub.handler);
    const base = await serve(app.listen(0, '127.0.0.1'));
    const sub = await subscribe(subscribeUrl(base, ['https://example.com/alt']));
    await publishOk(
      base,
      { topic: ['https://example.com/x', 'https://example.com/alt'], data: 'pre-parsed', id: 'pp-1' },
      await token({ publish: ['*'] }),
    );
    expect((await sub.waitFor(1))[0]).toEqual({ type: 'message', data: 'pre-parsed', lastEventId: 'pp-1' });
    sub.abort();
  });

  it('works under Fastify through reply.hijack() on the raw objects', async () => {
    const hub = await makeHub();
    const app = Fastify({ forceCloseConnections: true });
    // Leave form bodies unread: the hub reads them itself from the raw request.
    app.addContentTypeParser('application/x-www-form-urlencoded', (_req, _payload, done) => done(null));
    const toHub = (
      request: { raw: import('node:http').IncomingMessage },
      reply: { hijack(): void; raw: import('node:http').ServerResponse },
    ) => {
      reply.hijack();
      hub.handler(request.raw, reply.raw);
    };
    app.all('/.well-known/mercure', toHub);
    app.get('/hello', async () => 'fastify route');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
    });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await roundTrip(base);
    expect(await (await fetch(`${base}/hello`)).text()).toBe('fastify route');
  });

  it('serves non-hub paths through the fallback, else 404', async () => {
    const hub = createHub({ allowAnonymous: true, fallback: (_req, res) => res.end('fallback page') });
    cleanups.push(() => hub.close());
    const server = createServer(hub.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/`)).text()).toBe('fallback page');
    const bare = createHub();
    cleanups.push(() => bare.close());
    const server2 = createServer(bare.handler);
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server2.close(() => resolve())));
    const res = await fetch(`http://127.0.0.1:${(server2.address() as AddressInfo).port}/nope`);
    expect(res.status).toBe(404);
  });

  it('publishes in-process with hub.publish(), validated like HTTP, to HTTP subscribers', async () => {
    const hub = await makeHub();
    const base = await serve(createServer(hub.handler));
    const sub = await subscribe(subscribeUrl(base, ['a']));
    const update = await hub.publish({ topics: ['a', 'b'], data: 'in-process', type: 'note', retry: 500 });
    expect(update.id).toMatch(/^urn:uuid:/);
    expect(update.topics).toEqual(['a', 'b']);
    expect((await sub.waitFor(1))[0]).toEqual({ type: 'note', data: 'in-process', lastEventId: update.id });
    await expect(hub.publish({ topics: [] })).rejects.toThrow(/topic/);
    await expect(hub.publish({ topics: '/.well-known/mercure/subscriptions/a/b' })).rejects.toThrow(
      /reserved/,
    );
    sub.abort();
  });
});

describe('the npm eventsource client', () => {
  it('receives private updates with Authorization via a fetch override, and resumes with Last-Event-ID', async () => {
    const hub = createHub({ authorizer: await createAuthorizer({ key: { key: SECRET } }) });
    cleanups.push(() => hub.close());
    const server = createServer(hub.handler);
    const base = await serve(server);
    const jwt = await token({ subscribe: ['https://example.com/{x}'] });
    const seenLastEventIds: (string | null)[] = [];
    const es = new EventSource(subscribeUrl(base, ['https://example.com/{x}']), {
      fetch: (input, init) => {
        seenLastEventIds.push(new Headers(init?.headers).get('last-event-id'));
        return fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${jwt}` } });
      },
    });
    cleanups.push(async () => es.close());
    const received: string[] = [];
    let notify: () => void = () => {};
    es.onmessage = (e) => {
      received.push(e.data);
      notify();
    };
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        notify = () => received.length >= n && resolve();
        notify();
      });
    await new Promise<void>((resolve) => {
      es.onopen = () => resolve();
    });
    // retry: 50 also shortens the client's reconnection delay (the `retry` publish field at work).
    await hub.publish({ topics: 'https://example.com/1', data: 'private one', private: true, retry: 50 });
    await waitFor(1);
    const first = (await hub.transport.lastEventId())!;
    // Kill every connection: the client reconnects with Last-Event-ID and gets what it missed.
    server.closeAllConnections();
    await hub.publish({ topics: 'https://example.com/2', data: 'missed while away', private: true });
    await waitFor(2);
    expect(received).toEqual(['private one', 'missed while away']);
    expect(seenLastEventIds.at(-1)).toBe(first);
  });
});

describe('HTTP/2', () => {
  it('serves subscribers over h2c with the same handler (no Connection header)', async () => {
    const http2 = await import('node:http2');
    const hub = createHub({ allowAnonymous: true });
    cleanups.push(() => hub.close());
    const server = http2.createServer({}, hub.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanups.push(
      () =>
        new Promise((resolve) => {
          client.close();
          server.close(() => resolve());
        }),
    );
    const stream = client.request({ ':path': '/.well-known/mercure?topic=t' });
    const head = await new Promise<Record<string, unknown>>((resolve) => stream.on('response', resolve));
    expect(head[':status']).toBe(200);
    expect(head['content-type']).toMatch(/^text\/event-stream/);
    expect(head.connection).toBeUndefined();
    stream.setEncoding('utf8');
    let body = '';
    const got = new Promise<void>((resolve) =>
      stream.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes('data: over h2')) resolve();
      }),
    );
    const update = await hub.publish({ topics: 't', data: 'over h2' });
    await got;
    expect(body).toContain(`id: ${update.id}\ndata: over h2\n\n`);
    stream.close();
  });
});
