import { afterEach, describe, expect, it } from 'vitest';
import { EventSource, streamEvents } from '../../src/client/index.js';
import { lastEventIdOf, openStream, startServer, type TestServer } from './test-server.js';

/**
 * A server may send an id that fetch cannot carry back in `Last-Event-ID` (a C0 control other than TAB,
 * DEL, a leading or trailing space or tab). The client must still reconnect: it omits the header rather
 * than sending a request that fails before reaching the server, forever, or sending a different id.
 * Ids fetch can carry (TAB inside, non-ASCII, emoji) go back exactly, as UTF-8.
 */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that sends one event with `id` and ends, then holds the next connection open. */
async function idServer(id: string): Promise<TestServer> {
  return startServer((_req, res, index) => {
    openStream(res);
    if (index === 0) res.end(`id: ${id}\ndata: first\n\n`);
    else res.write('data: again\n\n');
  });
}

const OPTIONS = { reconnectionTime: 1, minReconnectionTime: 0 };

const UNSENDABLE: [string, string][] = [
  ['U+0001', 'a\u0001b'],
  ['U+0008', 'a\u0008b'],
  ['U+000B', 'a\u000bb'],
  ['U+000C', 'a\u000cb'],
  ['U+000E', 'a\u000eb'],
  ['U+001B', 'a\u001bb'],
  ['U+001F', 'a\u001fb'],
  ['U+007F', 'a\u007fb'],
  ['a leading space', ' ab'],
  ['a trailing tab', 'ab\t'],
];

describe('Last-Event-ID the client cannot send', () => {
  it.each(UNSENDABLE)('reconnects without the header after an id holding %s', async (_name, id) => {
    server = await idServer(id);
    const seen: string[] = [];
    for await (const event of streamEvents(`${server.origin}/events`, OPTIONS)) {
      seen.push(`${event.data}|${event.lastEventId}`);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([`first|${id}`, `again|${id}`]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['last-event-id']).toBeUndefined();
  });

  it('reconnects the EventSource face too (U+0001)', async () => {
    server = await idServer('a\u0001b');
    const source = new EventSource(`${server.origin}/events`, OPTIONS);
    try {
      const ids = await new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        source.onmessage = (e) => {
          seen.push(e.lastEventId);
          if (seen.length === 2) resolve(seen);
        };
      });
      expect(ids).toEqual(['a\u0001b', 'a\u0001b']);
      expect(server.requests[1]!.headers['last-event-id']).toBeUndefined();
    } finally {
      source.close();
    }
  });
});

describe('Last-Event-ID the client can send', () => {
  it.each([
    ['a tab inside', 'a\tb'],
    ['non-ASCII', 'café-1'],
    ['an emoji', 'id 🎉 2'],
    ['Latin-1 and symbols', 'ÿ%+"\\'],
  ])('sends an id holding %s back exactly, as UTF-8', async (_name, id) => {
    server = await idServer(id);
    let n = 0;
    for await (const _event of streamEvents(`${server.origin}/events`, OPTIONS)) {
      if (++n === 2) break;
    }
    expect(lastEventIdOf(server.requests[1]!)).toBe(id);
  });
});
