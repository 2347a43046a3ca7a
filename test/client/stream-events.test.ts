import { afterEach, describe, expect, it } from 'vitest';
import {
  type EventStream,
  type ReconnectInfo,
  SseContentTypeError,
  SseEventTooLargeError,
  SseHttpError,
  SseNetworkError,
  SseRequestError,
  SseStalledError,
  type StreamedEvent,
  streamEvents,
} from '../../src/client/index.js';
import { type Handler, lastEventIdOf, openStream, startServer, type TestServer } from './test-server.js';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

async function take(stream: EventStream, count: number): Promise<StreamedEvent[]> {
  const events: StreamedEvent[] = [];
  if (count === 0) return events;
  for await (const event of stream) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

describe('streamEvents: requests', () => {
  it('GETs with Accept: text/event-stream and yields events with origin and type', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: one\n\nevent: tick\ndata: two\n\n');
    });
    const events = await take(streamEvents(`${server.origin}/events`), 2);
    expect(events).toEqual([
      { type: 'message', data: 'one', lastEventId: '', origin: server.origin },
      { type: 'tick', data: 'two', lastEventId: '', origin: server.origin },
    ]);
    const seen = server.requests[0]!;
    expect(seen.method).toBe('GET');
    expect(seen.headers.accept).toBe('text/event-stream');
    // cache: 'no-store' makes fetch send these (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch; WPT request-cache-control).
    expect(seen.headers['cache-control']).toBe('no-cache');
    expect(seen.headers.pragma).toBe('no-cache');
    expect(seen.headers['last-event-id']).toBeUndefined();
  });

  it('POSTs a body with custom headers, as an AI chat request', async () => {
    const server = await serve((_req, res, _i, body) => {
      openStream(res);
      const { prompt } = JSON.parse(body) as { prompt: string };
      for (const token of prompt.split(' ')) res.write(`data: ${token}\n\n`);
      res.end();
    });
    const tokens: string[] = [];
    for await (const event of streamEvents(server.origin, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k1' },
      body: JSON.stringify({ prompt: 'hello brave new world' }),
      reconnectOnEnd: false,
    })) {
      tokens.push(event.data);
    }
    expect(tokens).toEqual(['hello', 'brave', 'new', 'world']);
    expect(server.requests).toHaveLength(1);
    const seen = server.requests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-api-key']).toBe('k1');
    expect(JSON.parse(seen.body)).toEqual({ prompt: 'hello brave new world' });
  });

  it('refuses a body on GET and a one-shot stream body, with a clear TypeError', () => {
    expect(() => streamEvents('http://127.0.0.1:1/', { body: 'x' })).toThrow(/method: 'POST'/);
    expect(() => streamEvents('http://127.0.0.1:1/', { method: 'POST', body: new ReadableStream() })).toThrow(
      /re-readable/,
    );
  });

  it('calls the headers hook before every connection, so each carries a fresh token', async () => {
    const server = await serve((_req, res, index) => {
      openStream(res);
      res.end(`id: ${index}\ndata: n${index}\n\n`);
    });
    let token = 0;
    const contexts: number[] = [];
    const stream = streamEvents(server.origin, {
      reconnectionTime: 1,
      headers: (context) => {
        contexts.push(context.attempt);
        token++;
        return { authorization: `Bearer t${token}` };
      },
    });
    await take(stream, 3);
    expect(server.requests.slice(0, 3).map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
    ]);
    expect(contexts.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('retries when the headers hook throws (token service offline) without sending a request', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: in\n\n');
    });
    let calls = 0;
    const infos: ReconnectInfo[] = [];
    const [event] = await take(
      streamEvents(server.origin, {
        random: () => 0,
        onReconnect: (i) => infos.push(i),
        headers: () => {
          if (++calls === 1) throw new Error('token service unreachable');
          return { authorization: 'Bearer ok' };
        },
      }),
      1,
    );
    expect(event?.data).toBe('in');
    expect(infos[0]?.error).toBeInstanceOf(SseRequestError);
    expect(infos[0]?.error?.message).toMatch(/token service unreachable/);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer ok']);
  });

  it('sends an initial lastEventId on the first request, to resume after a reload', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: resumed\n\n');
    });
    const [event] = await take(streamEvents(server.origin, { lastEventId: 'ev-41' }), 1);
    expect(lastEventIdOf(server.requests[0]!)).toBe('ev-41');
    // The persisted id is reported on events that carry none (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
    expect(event?.lastEventId).toBe('ev-41');
  });

  it('gives access to every response: status and headers such as the hub cursor', async () => {
    const server = await serve((_req, res) => {
      openStream(res, { 'mercure-last-event-id': 'urn:uuid:42' });
      res.write('data: x\n\n');
    });
    const statuses: number[] = [];
    const stream = streamEvents(server.origin, { onResponse: (r) => statuses.push(r.status) });
    await take(stream, 1);
    expect(statuses).toEqual([200]);
    expect(stream.response?.headers.get('mercure-last-event-id')).toBe('urn:uuid:42');
  });
  it('tells the headers hook the id it will send and the failure count; uses an injected fetch', async () => {
    const server = await serve((_req, res, index) => {
      if (index === 1) {
        res.writeHead(502);
        res.end();
        return;
      }
      openStream(res);
      res.end(`id: n${index}\ndata: ${index}\n\n`);
    });
    const contexts: string[] = [];
    const fetched: string[] = [];
    await take(
      streamEvents(server.origin, {
        random: () => 0,
        reconnectionTime: 1,
        headers: ({ lastEventId, failures }) => {
          contexts.push(`${lastEventId}/${failures}`);
          return {};
        },
        fetch: (input, init) => {
          fetched.push(String(input));
          return fetch(input, init);
        },
      }),
      2,
    );
    expect(contexts.slice(0, 3)).toEqual(['/0', 'n0/0', 'n0/1']);
    expect(fetched.slice(0, 3)).toEqual(Array(3).fill(`${server.origin}/`));
  });
});

describe('streamEvents: reconnection', () => {
  it('reconnects after a drop mid-event with Last-Event-ID, discarding the partial event', async () => {
    const server = await serve((_req, res, index) => {
      openStream(res);
      if (index === 0) {
        res.write('id: 1\ndata: complete\n\nid: 2\ndata: partial');
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.write('data: after\n\n');
      }
    });
    const errors: (Error | undefined)[] = [];
    const delays: number[] = [];
    const events = await take(
      streamEvents(server.origin, {
        reconnectionTime: 10,
        random: () => 0.5,
        onReconnect: (i) => {
          errors.push(i.error);
          delays.push(i.delay);
        },
      }),
      2,
    );
    // A healthy connection lost to an error: the reconnection time plus a random share of one more.
    expect(delays[0]).toBe(15);
    expect(events.map((e) => [e.data, e.lastEventId])).toEqual([
      ['complete', '1'],
      ['after', '1'],
    ]);
    expect(lastEventIdOf(server.requests[1]!)).toBe('1');
    expect(errors[0]).toBeInstanceOf(SseNetworkError);
  });

  it('reconnects after a clean end, sending a non-ASCII id as UTF-8 and none once the id is reset', async () => {
    const server = await serve((_req, res, index) => {
      openStream(res);
      if (index === 0) res.end('id: é€😀\ndata: a\n\n');
      else if (index === 1) res.end('id\ndata: b\n\n');
      else res.write('data: c\n\n');
    });
    const events = await take(streamEvents(server.origin, { reconnectionTime: 1 }), 3);
    expect(events.map((e) => e.lastEventId)).toEqual(['é€😀', '', '']);
    expect(lastEventIdOf(server.requests[1]!)).toBe('é€😀');
    expect(server.requests[2]!.headers['last-event-id']).toBeUndefined();
  });

  it('honours retry: as the reconnection time after a healthy connection', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.end('retry: 1234\ndata: x\n\n');
    });
    const infos: ReconnectInfo[] = [];
    const stream = streamEvents(server.origin, {
      onReconnect: (info) => {
        infos.push(info);
        stream.close();
      },
    });
    await take(stream, 2);
    expect(infos).toEqual([{ error: undefined, delay: 1234, failures: 0 }]);
  });

  it('floors a server retry: 0 at minReconnectionTime, so clean ends cannot drive a hot reconnect loop', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.end('retry: 0\ndata: x\n\n');
    });
    const delays = async (options: { minReconnectionTime?: number }): Promise<number[]> => {
      const infos: ReconnectInfo[] = [];
      const stream = streamEvents(server.origin, {
        ...options,
        onReconnect: (info) => {
          infos.push(info);
          stream.close();
        },
      });
      await take(stream, 2);
      return infos.map((i) => i.delay);
    };
    expect(await delays({})).toEqual([500]);
    expect(await delays({ minReconnectionTime: 0 })).toEqual([0]);
  });

  it('does not forward Authorization or Cookie on a cross-origin redirect (docs/security.md#cors), but keeps them same-origin', async () => {
    const target = await serve((_req, res) => {
      openStream(res);
      res.write('data: landed\n\n');
    });
    const origin = await serve((req, res) => {
      // Another port is another origin; /same redirects within this one.
      if (req.url === '/same-hop') {
        openStream(res);
        res.write('data: same\n\n');
        return;
      }
      res.writeHead(307, { location: req.url === '/same' ? '/same-hop' : `${target.origin}/` });
      res.end();
    });
    const headers = { authorization: 'Bearer secret', cookie: 'session=secret' };
    expect((await take(streamEvents(`${origin.origin}/cross`, { headers }), 1))[0]?.data).toBe('landed');
    expect(target.requests[0]!.headers.authorization).toBeUndefined();
    expect(target.requests[0]!.headers.cookie).toBeUndefined();
    expect((await take(streamEvents(`${origin.origin}/same`, { headers }), 1))[0]?.data).toBe('same');
    const hop = origin.requests.find((r) => r.path === '/same-hop')!;
    expect(hop.headers.authorization).toBe('Bearer secret');
  });

  it('does not reconnect at once after a retry: beyond the timer range (2^31 ms would overflow to 1 ms)', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.end('retry: 9999999999\ndata: x\n\n');
    });
    let scheduled: (info: ReconnectInfo) => void = () => undefined;
    const reconnect = new Promise<ReconnectInfo>((resolve) => {
      scheduled = resolve;
    });
    const stream = streamEvents(server.origin, { onReconnect: (info) => scheduled(info) });
    const reading = (async () => {
      for await (const _ of stream);
    })();
    try {
      expect((await reconnect).delay).toBe(9_999_999_999);
      // An overflowing timer would have fired after 1 ms: give it far longer than that.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.requests).toHaveLength(1);
    } finally {
      stream.close();
      await reading;
    }
  });

  it('treats Retry-After as a minimum: 503 with Retry-After: 0 still backs off', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '0' });
      res.end();
    });
    const infos: ReconnectInfo[] = [];
    const stream = streamEvents(server.origin, {
      random: () => 0.5,
      onReconnect: (info) => {
        infos.push(info);
        if (infos.length === 1) stream.close();
      },
    });
    await expect(take(stream, 1)).resolves.toEqual([]);
    // failures 1, base 3000: full jitter over [0, 6000) with r = 0.5; Retry-After 0 does not lower it.
    expect(infos.map((i) => i.delay)).toEqual([3000]);
    expect((infos[0]!.error as SseHttpError).retryAfter).toBe(0);
  });

  it('follows a 307 redirect, reports the final origin, and reconnects to the original URL', async () => {
    const target = await serve((req, res) => {
      openStream(res);
      res.end(`data: auth=${req.headers.authorization ?? 'none'}\n\n`);
    });
    const server = await serve((_req, res) => {
      res.writeHead(307, { location: `${target.origin}/moved` });
      res.end();
    });
    const events = await take(
      streamEvents(`${server.origin}/original`, {
        reconnectionTime: 1,
        headers: { authorization: 'Bearer secret' },
      }),
      2,
    );
    expect(events[0]).toMatchObject({ origin: target.origin, data: 'auth=none' });
    expect(server.requests.slice(0, 2).map((r) => r.path)).toEqual(['/original', '/original']);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer secret');
    expect(target.requests[0]!.path).toBe('/moved');
  });
});

describe('streamEvents: stalls', () => {
  it('drops a connection that sends no bytes for heartbeatTimeout and reconnects', async () => {
    const server = await serve((_req, res, index) => {
      openStream(res);
      if (index === 0) res.write(': hello\n\nid: 7\ndata: before\n\n');
      else res.write('data: after\n\n');
      // then silence: a proxy that lost the stream
    });
    const infos: ReconnectInfo[] = [];
    const events = await take(
      streamEvents(server.origin, {
        heartbeatTimeout: 500,
        reconnectionTime: 1,
        onReconnect: (i) => infos.push(i),
      }),
      2,
    );
    expect(events.map((e) => e.data)).toEqual(['before', 'after']);
    expect(infos[0]?.error).toBeInstanceOf(SseStalledError);
    expect(lastEventIdOf(server.requests[1]!)).toBe('7');
    await server.requests[0]!.closed;
  });

  it('also times out a server that never sends response headers', async () => {
    const server = await serve((_req, res, index) => {
      if (index > 0) {
        openStream(res);
        res.write('data: finally\n\n');
      }
    });
    const infos: ReconnectInfo[] = [];
    const [event] = await take(
      streamEvents(server.origin, {
        heartbeatTimeout: 400,
        random: () => 0,
        onReconnect: (i) => infos.push(i),
      }),
      1,
    );
    expect(event?.data).toBe('finally');
    expect(infos[0]?.error).toBeInstanceOf(SseStalledError);
  });
});

describe('streamEvents: status awareness', () => {
  it('ends without error on 204 No Content and does not reconnect', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const infos: ReconnectInfo[] = [];
    const events: StreamedEvent[] = [];
    const stream = streamEvents(server.origin, { reconnectionTime: 1, onReconnect: (i) => infos.push(i) });
    for await (const event of stream) events.push(event);
    expect(events).toEqual([]);
    expect(infos).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  for (const status of [401, 403, 404]) {
    it(`stops on ${status} with an SseHttpError carrying the status and headers`, async () => {
      const server = await serve((_req, res) => {
        res.writeHead(status, { 'www-authenticate': 'Bearer', 'content-type': 'application/json' });
        res.end('{"error":"no"}');
      });
      const error = await take(streamEvents(server.origin, { reconnectionTime: 1 }), 1).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SseHttpError);
      expect((error as SseHttpError).status).toBe(status);
      expect((error as SseHttpError).headers.get('www-authenticate')).toBe('Bearer');
      expect(server.requests).toHaveLength(1);
    });
  }

  it('lets shouldRetry refresh credentials after a 401 and try again', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer fresh') {
        res.writeHead(401);
        res.end();
        return;
      }
      openStream(res);
      res.write('data: welcome\n\n');
    });
    let token = 'stale';
    const [event] = await take(
      streamEvents(server.origin, {
        random: () => 0,
        headers: () => ({ authorization: `Bearer ${token}` }),
        shouldRetry: async (error) => {
          if (error instanceof SseHttpError && error.status === 401) {
            token = 'fresh';
            return true;
          }
          return false;
        },
      }),
      1,
    );
    expect(event?.data).toBe('welcome');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  for (const status of [429, 503]) {
    it(`waits for Retry-After (capped by maxRetryAfter) on ${status}`, async () => {
      const server = await serve((_req, res, index) => {
        if (index === 0) {
          res.writeHead(status, { 'retry-after': '120' });
          res.end();
          return;
        }
        openStream(res);
        res.write('data: back\n\n');
      });
      const infos: ReconnectInfo[] = [];
      const [event] = await take(
        streamEvents(server.origin, {
          maxRetryAfter: 25,
          random: () => 0,
          onReconnect: (i) => infos.push(i),
        }),
        1,
      );
      expect(event?.data).toBe('back');
      expect(infos).toHaveLength(1);
      expect(infos[0]?.delay).toBe(25);
      expect((infos[0]!.error as SseHttpError).status).toBe(status);
      expect((infos[0]!.error as SseHttpError).retryAfter).toBe(25);
    });
  }

  it('reconnects with backoff on 500', async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) {
        res.writeHead(500);
        res.end();
        return;
      }
      openStream(res);
      res.write('data: ok\n\n');
    });
    const infos: ReconnectInfo[] = [];
    await take(streamEvents(server.origin, { random: () => 0, onReconnect: (i) => infos.push(i) }), 1);
    expect((infos[0]!.error as SseHttpError).status).toBe(500);
    expect(infos[0]?.failures).toBe(1);
  });

  it('retries a refused connection as an SseNetworkError (asked via shouldRetry)', async () => {
    const gone = await startServer(() => undefined);
    const url = gone.origin;
    await gone.close();
    const asked: string[] = [];
    const error = await take(
      streamEvents(url, {
        random: () => 0,
        shouldRetry: (e, context) => {
          asked.push(`${e.name}:${context.failures}`);
          return context.failures < 3;
        },
      }),
      1,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseNetworkError);
    expect(asked).toEqual(['SseNetworkError:1', 'SseNetworkError:2', 'SseNetworkError:3']);
  });

  it('fails with SseContentTypeError carrying status and type on a non-event-stream answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html>login</html>');
    });
    const error = await take(streamEvents(server.origin), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseContentTypeError);
    expect(error).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8' });
    expect(server.requests).toHaveLength(1);
  });

  it('accepts the MIME essence with parameters and any case', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=utf-8' });
      res.write('data: ok\n\n');
    });
    expect((await take(streamEvents(server.origin), 1))[0]?.data).toBe('ok');
  });
});

describe('streamEvents: bounds and cancellation', () => {
  const oversized: Record<string, string> = {
    'one long line': `data: ${'x'.repeat(5000)}\n\n`,
    'many data lines': `${`data: ${'x'.repeat(600)}\n`.repeat(3)}\n`,
    'a line that never ends': `data: ${'x'.repeat(5000)}`,
  };
  for (const [shape, wire] of Object.entries(oversized)) {
    it(`fails with SseEventTooLargeError past maxEventSize (${shape}) and does not reconnect`, async () => {
      const server = await serve((_req, res) => {
        openStream(res);
        res.write(wire);
      });
      const error = await take(streamEvents(server.origin, { maxEventSize: 1000 }), 1).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SseEventTooLargeError);
      expect((error as SseEventTooLargeError).limit).toBe(1000);
      expect(server.requests).toHaveLength(1);
      await server.requests[0]!.closed;
    });
  }

  it('ends cleanly on break: the server sees the socket closed', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: a\n\n');
    });
    await take(streamEvents(server.origin), 1);
    await server.requests[0]!.closed;
  });

  it('ends cleanly when the AbortSignal fires: no throw, socket closed, no reconnect', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      res.write('data: a\n\n');
    });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of streamEvents(server.origin, {
      signal: controller.signal,
      reconnectionTime: 1,
    })) {
      seen.push(event.data);
      controller.abort();
    }
    expect(seen).toEqual(['a']);
    await server.requests[0]!.closed;
    expect(server.requests).toHaveLength(1);
  });

  it('does not connect at all with an already aborted signal', async () => {
    const server = await serve((_req, res) => openStream(res));
    const events: StreamedEvent[] = [];
    for await (const event of streamEvents(server.origin, { signal: AbortSignal.abort() }))
      events.push(event);
    expect(events).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('delivers every event in order to a slow consumer (reading pauses while the loop body runs)', async () => {
    const server = await serve((_req, res) => {
      openStream(res);
      for (let i = 0; i < 200; i++) res.write(`data: ${i}\n\n`);
    });
    const seen: number[] = [];
    for await (const event of streamEvents(server.origin)) {
      seen.push(Number(event.data));
      await new Promise((r) => setImmediate(r));
      if (seen.length === 200) break;
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
