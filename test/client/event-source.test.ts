import { afterEach, describe, expect, it } from 'vitest';
import { EventSource, SseErrorEvent, SseEventSource, SseHttpError } from '../../src/client/index.js';
import { type Handler, lastEventIdOf, openStream, startServer, type TestServer } from './test-server.js';

let servers: TestServer[] = [];
let sources: SseEventSource[] = [];
afterEach(async () => {
  for (const source of sources) source.close();
  sources = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

function open(url: string, init?: ConstructorParameters<typeof SseEventSource>[1]): SseEventSource {
  const source = new SseEventSource(url, init);
  sources.push(source);
  return source;
}

/** Resolves with the next event of `type`, recording the readyState at dispatch time. */
function next<E extends Event>(target: EventTarget, type: string): Promise<{ event: E; state: number }> {
  return new Promise((resolve) => {
    target.addEventListener(
      type,
      (event) => resolve({ event: event as E, state: (target as SseEventSource).readyState }),
      {
        once: true,
      },
    );
  });
}

describe('SseEventSource: the standard surface', () => {
  it('exposes the readyState constants on the class and on instances, and is exported as EventSource', () => {
    expect([SseEventSource.CONNECTING, SseEventSource.OPEN, SseEventSource.CLOSED]).toEqual([0, 1, 2]);
    const source = open('http://127.0.0.1:9/', { reconnectionTime: 60_000 });
    expect([source.CONNECTING, source.OPEN, source.CLOSED]).toEqual([0, 1, 2]);
    expect(source.readyState).toBe(SseEventSource.CONNECTING);
    expect(source.url).toBe('http://127.0.0.1:9/');
    expect(source.withCredentials).toBe(false);
    expect(EventSource).toBe(SseEventSource);
    expect(source).toBeInstanceOf(EventTarget);
  });

  it('throws a SyntaxError DOMException for a URL it cannot resolve', () => {
    expect(() => new SseEventSource('/relative/in/node')).toThrow(
      expect.objectContaining({ name: 'SyntaxError' }) as Error,
    );
  });

  it('opens, then dispatches MessageEvents with data, origin and the persisted lastEventId', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('id: 5\ndata: first\n\nevent: custom\ndata: second\n\ndata: third\n\n');
    });
    const source = open(`${server.origin}/s`);
    const opened = next(source, 'open');
    const onopen = new Promise<number>((resolve) => {
      source.onopen = function () {
        resolve(this.readyState);
      };
    });
    const messages: MessageEvent[] = [];
    const custom = next<MessageEvent>(source, 'custom');
    const third = new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        messages.push(event);
        if (messages.length === 2) resolve();
      };
    });
    expect((await opened).state).toBe(SseEventSource.OPEN);
    expect(await onopen).toBe(SseEventSource.OPEN);
    await third;
    const named = (await custom).event;
    expect(messages.map((m) => m.data)).toEqual(['first', 'third']);
    expect(messages[0]).toBeInstanceOf(MessageEvent);
    expect(messages[0]!.origin).toBe(server.origin);
    expect(messages.map((m) => m.lastEventId)).toEqual(['5', '5']);
    expect(named.data).toBe('second');
    expect(named.lastEventId).toBe('5');
  });

  it('re-establishes after the stream ends: error with CONNECTING, then open, with Last-Event-ID', async () => {
    const server = await serve((_req, res, index) => {
      openStream(res);
      if (index === 0) res.end('retry: 5\nid: abc\ndata: one\n\n');
      else res.write('data: two\n\n');
    });
    // minReconnectionTime 0: honour the server's 5 ms as is (the default floor is 500 ms).
    const source = open(server.origin, { minReconnectionTime: 0 });
    const states: string[] = [];
    source.addEventListener('open', () => states.push(`open:${source.readyState}`));
    source.addEventListener('error', () => states.push(`error:${source.readyState}`));
    const second = new Promise<MessageEvent>((resolve) => {
      source.addEventListener('message', (event) => {
        if (event.data === 'two') resolve(event);
      });
    });
    const event = await second;
    expect(states).toEqual(['open:1', 'error:0', 'open:1']);
    expect(event.lastEventId).toBe('abc');
    expect(lastEventIdOf(server.requests[1]!)).toBe('abc');
    expect(source.reconnectionTime).toBe(5);
  });

  it('fails the connection on 401: error with CLOSED, the status, and no reconnection', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const source = open(server.origin, { reconnectionTime: 1 });
    const { event, state } = await next<SseErrorEvent>(source, 'error');
    expect(state).toBe(SseEventSource.CLOSED);
    expect(event).toBeInstanceOf(SseErrorEvent);
    expect(event.status).toBe(401);
    expect(event.error).toBeInstanceOf(SseHttpError);
    expect(server.requests).toHaveLength(1);
  });

  it('stops on 204: error with CLOSED and status 204', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const source = open(server.origin, { reconnectionTime: 1 });
    const { event, state } = await next<SseErrorEvent>(source, 'error');
    expect(state).toBe(SseEventSource.CLOSED);
    expect(event.status).toBe(204);
    expect(event.error).toBeUndefined();
  });

  it('close() from a handler stops dispatch at once, even mid-chunk, and releases the socket', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    });
    const source = open(server.origin, { reconnectionTime: 1 });
    const seen: string[] = [];
    let errors = 0;
    source.onerror = () => errors++;
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        seen.push(event.data);
        source.close();
        resolve();
      };
    });
    await server.requests[0]!.closed;
    expect(seen).toEqual(['1']);
    expect(errors).toBe(0);
    expect(source.readyState).toBe(SseEventSource.CLOSED);
    expect(server.requests).toHaveLength(1);
  });

  it('replaces an event handler attribute and removes it with null', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: a\n\n');
    });
    const source = open(server.origin);
    const calls: string[] = [];
    source.onmessage = () => calls.push('old');
    source.onmessage = () => calls.push('new');
    await next(source, 'message');
    source.onmessage = null;
    expect(source.onmessage).toBeNull();
    expect(calls).toEqual(['new']);
  });
});

describe('SseEventSource: extensions', () => {
  it('POSTs with headers from a hook, re-connects on 503 instead of giving up, and exposes the response', async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) {
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
        return;
      }
      openStream(res, { 'mercure-last-event-id': 'cursor-9' });
      res.write('data: up\n\n');
    });
    let calls = 0;
    const source = open(server.origin, {
      method: 'POST',
      body: 'q=1',
      headers: () => ({ authorization: `Bearer ${++calls}` }),
      withCredentials: true,
      // Retry-After: 0 is a minimum, not the delay: the backoff still applies, from this base.
      reconnectionTime: 1,
    });
    const errorState = next(source, 'error');
    const message = next<MessageEvent>(source, 'message');
    expect((await errorState).state).toBe(SseEventSource.CONNECTING);
    expect((await message).event.data).toBe('up');
    expect(source.withCredentials).toBe(true);
    expect(source.response?.headers.get('mercure-last-event-id')).toBe('cursor-9');
    expect(server.requests.map((r) => [r.method, r.body, r.headers.authorization])).toEqual([
      ['POST', 'q=1', 'Bearer 1'],
      ['POST', 'q=1', 'Bearer 2'],
    ]);
  });
});

describe('createMessageEvent', () => {
  it('falls back to a compatible Event subclass where the runtime has no MessageEvent', async () => {
    const { createMessageEvent } = await import('../../src/client/message-event.js');
    const native = globalThis.MessageEvent;
    try {
      (globalThis as { MessageEvent?: unknown }).MessageEvent = undefined;
      const event = createMessageEvent('tick', { data: 'd', origin: 'http://o', lastEventId: '3' });
      expect(event).toBeInstanceOf(Event);
      expect(event).not.toBeInstanceOf(native);
      expect([event.type, event.data, event.origin, event.lastEventId]).toEqual([
        'tick',
        'd',
        'http://o',
        '3',
      ]);
    } finally {
      globalThis.MessageEvent = native;
    }
    expect(createMessageEvent('message', { data: '', origin: '', lastEventId: '' })).toBeInstanceOf(
      MessageEvent,
    );
  });
});
