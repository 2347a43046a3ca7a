import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultShouldRetry,
  SseHttpError,
  type StreamedEvent,
  streamEvents,
} from '../../src/client/index.js';
import { createAuthorizer, createToken } from '../../src/hub/auth/index.js';
import { createHub, type Hub } from '../../src/hub/index.js';

const SECRET = 'client-suite-secret-that-is-long-enough-for-hs512-0123456789abcdef0123456789abcdef';
const TOPIC = 'https://example.com/books/{id}';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function startHub(): Promise<{ hub: Hub; server: Server; url: string }> {
  const hub = createHub({ authorizer: await createAuthorizer({ key: { key: SECRET } }) });
  const server = createServer(hub.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () => hub.close(),
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    server,
    url: `http://127.0.0.1:${port}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`,
  };
}

/** Collects events from an iterator until `count` have arrived (then resolves, leaving the loop running). */
function collector(iterable: AsyncIterable<StreamedEvent>) {
  const events: StreamedEvent[] = [];
  let wake: () => void = () => {};
  const done = (async () => {
    for await (const event of iterable) {
      events.push(event);
      wake();
    }
  })();
  return {
    events,
    done,
    until: (count: number) =>
      new Promise<void>((resolve) => {
        wake = () => events.length >= count && resolve();
        wake();
      }),
  };
}

describe('ssehub/client against the ssehub hub', () => {
  it('refreshes a rejected token on 401 through shouldRetry and the headers hook, then gets private updates', async () => {
    const { hub, url } = await startHub();
    let jwt = 'not-a-valid-token';
    const statuses: number[] = [];
    let live: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      live = resolve;
    });
    const stream = streamEvents(url, {
      headers: () => ({ authorization: `Bearer ${jwt}` }),
      random: () => 0,
      onResponse: (response) => {
        statuses.push(response.status);
        if (response.status === 200) live();
      },
      shouldRetry: async (error) => {
        if (error instanceof SseHttpError && error.status === 401) {
          jwt = await createToken({ subscribe: [TOPIC] }, SECRET);
          return true;
        }
        return defaultShouldRetry(error);
      },
    });
    cleanups.push(() => stream.close());
    const received = collector(stream);
    await opened;
    await hub.publish({ topics: 'https://example.com/books/1', data: 'private', private: true });
    await received.until(1);
    expect(received.events[0]?.data).toBe('private');
    expect(statuses).toEqual([401, 200]);
  });

  it('resumes after a dropped connection, and from a saved id in a new client, reading the hub cursor', async () => {
    const { hub, server, url } = await startHub();
    const jwt = await createToken({ subscribe: [TOPIC] }, SECRET);
    let live: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      live = resolve;
    });
    const stream = streamEvents(url, {
      headers: { authorization: `Bearer ${jwt}` },
      reconnectionTime: 10,
      onResponse: (response) => response.status === 200 && live(),
    });
    cleanups.push(() => stream.close());
    const c = collector(stream);
    await opened;
    await hub.publish({ topics: 'https://example.com/books/1', data: 'one', private: true });
    await c.until(1);
    const firstId = c.events[0]!.lastEventId;
    expect(firstId).not.toBe('');

    server.closeAllConnections();
    await hub.publish({ topics: 'https://example.com/books/2', data: 'missed while away', private: true });
    await c.until(2);
    expect(c.events.map((e) => e.data)).toEqual(['one', 'missed while away']);
    // The hub confirms the cursor it resumed from in its response headers.
    expect(stream.response?.headers.get('mercure-last-event-id')).toBe(firstId);
    stream.close();

    // A "reloaded page": a fresh client given the saved id gets what was published since.
    await hub.publish({ topics: 'https://example.com/books/3', data: 'after reload', private: true });
    const resumed = streamEvents(url, { headers: { authorization: `Bearer ${jwt}` }, lastEventId: firstId });
    cleanups.push(() => resumed.close());
    const r = collector(resumed);
    await r.until(2);
    expect(r.events.map((e) => e.data)).toEqual(['missed while away', 'after reload']);
  });
});
