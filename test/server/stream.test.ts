import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../../src/protocol/index.js';
import { type CloseReason, openStream, type SseStream, type StreamOptions } from '../../src/server/index.js';
import { parsedGet, rawGet } from './support/clients.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts a server whose every request opens a stream; resolves streams as they open. */
async function serve(options?: StreamOptions, onRes?: (res: ServerResponse) => void) {
  const opened: SseStream[] = [];
  const waiters: Array<(s: SseStream) => void> = [];
  server = await startHttp((req, res) => {
    onRes?.(res);
    const stream = openStream(req, res, options);
    const waiter = waiters.shift();
    if (waiter) waiter(stream);
    else opened.push(stream);
  });
  const next = (): Promise<SseStream> =>
    new Promise((resolve) => {
      const ready = opened.shift();
      if (ready) resolve(ready);
      else waiters.push(resolve);
    });
  return { next, url: server.url, port: server.port };
}

function closeReason(stream: SseStream): Promise<CloseReason> {
  return new Promise((resolve) => stream.onClose(resolve));
}

describe('openStream on node:http (HTTP/1.1)', () => {
  it('sends status, SSE headers, keep-alive and the first comment at once', async () => {
    const { next, port } = await serve();
    const raw = rawGet(port);
    await next();
    const text = await raw.until((t) => t.includes(': ok\n'));
    const [head] = text.split('\r\n\r\n');
    const lines = head!.toLowerCase().split('\r\n');
    expect(lines[0]).toBe('http/1.1 200 ok');
    expect(lines).toContain('content-type: text/event-stream; charset=utf-8');
    expect(lines).toContain('cache-control: no-cache, no-transform');
    expect(lines).toContain('x-accel-buffering: no');
    expect(lines).toContain('connection: keep-alive');
    raw.socket.destroy();
  });

  it("lets a caller's Cache-Control win (Mercure's value) but never its Content-Type or X-Accel-Buffering", async () => {
    const mercure = 'private, no-cache, no-store, must-revalidate, max-age=0';
    const { next, port } = await serve({
      headers: {
        'Cache-Control': mercure,
        'content-type': 'text/plain',
        'X-Accel-Buffering': 'yes',
        'access-control-allow-origin': 'https://app.example',
      },
    });
    const raw = rawGet(port);
    await next();
    const text = await raw.until((t) => t.includes(': ok\n'));
    const lines = text.split('\r\n\r\n')[0]!.toLowerCase().split('\r\n');
    expect(lines.filter((l) => l.startsWith('cache-control:'))).toEqual([`cache-control: ${mercure}`]);
    expect(lines).toContain('content-type: text/event-stream; charset=utf-8');
    expect(lines).toContain('x-accel-buffering: no');
    expect(lines).toContain('access-control-allow-origin: https://app.example');
    raw.socket.destroy();
  });

  it('delivers send, comment and an initial retry to a real parser, then ends on close', async () => {
    const { next, url } = await serve({ retry: 2000 });
    const client = await parsedGet(url);
    const stream = await next();
    expect(client.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.send({ event: 'greet', id: '1', data: 'hello\nworld' })).toBe(true);
    stream.comment('note');
    stream.send({ data: 'two' });
    await client.waitFor(2);
    stream.close({ retry: 5000 });
    await client.ended;
    expect(client.events).toEqual([
      { type: 'greet', data: 'hello\nworld', lastEventId: '1' },
      { type: 'message', data: 'two', lastEventId: '1' },
    ]);
    expect(client.comments).toEqual(['ok', 'note']);
    expect(client.retries).toEqual([2000, 5000]);
    expect(stream.closeReason).toBe('server');
    expect(stream.signal.aborted).toBe(true);
    expect(stream.send({ data: 'late' })).toBe(false);
  });

  it('jitters the initial retry within [retry, retry × (1 + jitter)]', async () => {
    const { next, url } = await serve({ retry: 1000, retryJitter: 0.5 });
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const client = await parsedGet(url);
      const stream = await next();
      stream.close();
      await client.ended;
      const r = client.retries[0]!;
      expect(r).toBeGreaterThanOrEqual(1000);
      expect(r).toBeLessThanOrEqual(1500);
      seen.add(r);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses CR, LF and NUL in event and id, and writes nothing for the refused event', async () => {
    const { next, url } = await serve();
    const client = await parsedGet(url);
    const stream = await next();
    expect(() => stream.send({ id: '1\nevent: forged', data: 'x' })).toThrow(InvalidFieldError);
    expect(() => stream.send({ event: 'a\rb', data: 'x' })).toThrow(InvalidFieldError);
    expect(() => stream.send({ id: 'a\0b', data: 'x' })).toThrow(InvalidFieldError);
    stream.send({ data: 'data: forged\r\nid: 9\n\nevent: x' });
    stream.close();
    await client.ended;
    expect(client.events).toEqual([
      { type: 'message', data: 'data: forged\nid: 9\n\nevent: x', lastEventId: '' },
    ]);
  });

  it('reads Last-Event-ID from the header first, then the query parameter, and ignores hostile values', async () => {
    const { next, url } = await serve();
    const cases: Array<[string, Record<string, string>, string | undefined]> = [
      ['/?lastEventId=q1', { 'Last-Event-ID': 'h1' }, 'h1'],
      ['/?lastEventId=q2', {}, 'q2'],
      ['/', {}, undefined],
      ['/', { 'Last-Event-ID': 'x'.repeat(2000) }, undefined],
      ['/?lastEventId=a%0Ab', {}, undefined],
    ];
    for (const [path, headers, expected] of cases) {
      const client = await parsedGet(url + path, headers);
      const stream = await next();
      expect(stream.lastEventId).toBe(expected);
      stream.close();
      await client.ended;
    }
  });

  it('honours a custom query parameter name and lastEventIdParam: false', async () => {
    const custom = await serve({ lastEventIdParam: 'since' });
    const a = await parsedGet(`${custom.url}/?since=7&lastEventId=8`);
    const sa = await custom.next();
    expect(sa.lastEventId).toBe('7');
    sa.close();
    await a.ended;
    await server?.close();
    const off = await serve({ lastEventIdParam: false });
    const b = await parsedGet(`${off.url}/?lastEventId=8`);
    const sb = await off.next();
    expect(sb.lastEventId).toBeUndefined();
    sb.close();
    await b.ended;
  });

  it('sends heartbeat comments on idle, and every write postpones them', async () => {
    const { next, url } = await serve({ heartbeatMs: 40 });
    const client = await parsedGet(url);
    const stream = await next();
    while (client.comments.filter((c) => c === 'heartbeat').length < 2)
      await new Promise((r) => setTimeout(r, 10));
    expect(stream.stats.heartbeats).toBeGreaterThanOrEqual(2);
    stream.close();
    await client.ended;
  });

  it('closes with reason "client" when the peer goes away, and runs onClose once', async () => {
    const { next, port } = await serve();
    const raw = rawGet(port);
    const stream = await next();
    await raw.until((t) => t.includes(': ok'));
    const calls: CloseReason[] = [];
    stream.onClose((r) => calls.push(r));
    const reason = closeReason(stream);
    raw.socket.destroy();
    expect(await reason).toBe('client');
    await stream.finished();
    expect(calls).toEqual(['client']);
    expect(stream.closed).toBe(true);
  });

  it('closes with reason "aborted" when the signal aborts', async () => {
    const controller = new AbortController();
    const { next, url } = await serve({ signal: controller.signal });
    const client = await parsedGet(url);
    const stream = await next();
    const reason = closeReason(stream);
    controller.abort();
    expect(await reason).toBe('aborted');
    await client.ended;
  });

  it('passes extra headers through', async () => {
    const { next, url } = await serve({ headers: { 'Access-Control-Allow-Origin': '*', 'X-Cursor': '5' } });
    const client = await parsedGet(url);
    const stream = await next();
    expect(client.response.headers.get('access-control-allow-origin')).toBe('*');
    expect(client.response.headers.get('x-cursor')).toBe('5');
    stream.close();
    await client.ended;
  });

  it('writes valid HTTP/1.1 chunked framing, and the keep-alive connection serves the next request after close', async () => {
    const { next, port } = await serve();
    const raw = rawGet(port, '/first');
    const first = await next();
    first.send({ data: 'one' });
    first.comment('c');
    first.send({ data: 'two\nlines' });
    first.close();
    await raw.until((t) => t.endsWith('\r\n0\r\n\r\n'));
    raw.socket.write('GET /second HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const second = await next();
    second.send({ data: 'three' });
    second.close();
    const text = await raw.until((t) => t.split('\r\n0\r\n\r\n').length === 3);
    const bodies = text
      .split(/HTTP\/1\.1 200 OK\r\n/)
      .slice(1)
      .map((response) => dechunk(response.slice(response.indexOf('\r\n\r\n') + 4)));
    expect(bodies).toEqual([': ok\ndata: one\n\n: c\ndata: two\ndata: lines\n\n', ': ok\ndata: three\n\n']);
    raw.socket.destroy();
  });
});

/** Decodes an HTTP/1.1 chunked body strictly: throws on any framing error. */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error(`no chunk size line at ${at}`);
    const size = Number.parseInt(body.slice(at, eol), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size ${JSON.stringify(body.slice(at, eol))}`);
    if (size === 0) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    if (body.slice(eol + 2 + size, eol + 4 + size) !== '\r\n') throw new Error('chunk not followed by CRLF');
    at = eol + 4 + size;
  }
}
