import { once } from 'node:events';
import http2, { type Http2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStreamParser, type ReceivedEvent } from '../../src/protocol/index.js';
import { type CloseReason, openStream, type SseStream, type StreamOptions } from '../../src/server/index.js';
import { selfSignedCert } from './support/tls.js';

const servers: Http2Server[] = [];
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const tls = selfSignedCert();

async function start(
  secure: boolean,
  onStream: (s: SseStream) => void,
  options: StreamOptions = { headers: { Connection: 'keep-alive', 'X-Extra': 'yes' } },
): Promise<string> {
  const handler = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    onStream(openStream(req, res, options));
  };
  const server = secure
    ? (http2.createSecureServer({ key: tls.key, cert: tls.cert }, handler) as unknown as Http2Server)
    : http2.createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
}

/** Opens one HTTP/2 request and parses the body as it arrives. */
async function h2Get(origin: string, path: string, headers: Record<string, string> = {}) {
  const session = http2.connect(origin, { rejectUnauthorized: false });
  sessions.push(session);
  const req = session.request({ ':path': path, accept: 'text/event-stream', ...headers });
  const [responseHeaders] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const parser = new EventStreamParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
  });
  req.on('data', (chunk: Buffer) => parser.feed(chunk));
  const ended = new Promise<void>((resolve) => req.on('close', () => resolve()));
  return { session, req, responseHeaders, events, comments, ended };
}

describe.each([
  ['TLS (h2)', true],
  ['cleartext (h2c)', false],
])('openStream on node:http2 %s', (_name, secure) => {
  it('sends the SSE headers without any hop-by-hop header, and the first comment at once', async () => {
    const opened: SseStream[] = [];
    const origin = await start(secure, (s) => opened.push(s));
    const client = await h2Get(origin, '/?lastEventId=q7');
    expect(client.responseHeaders[':status']).toBe(200);
    expect(client.responseHeaders['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.responseHeaders['cache-control']).toBe('no-cache, no-transform');
    expect(client.responseHeaders['x-accel-buffering']).toBe('no');
    expect(client.responseHeaders['x-extra']).toBe('yes');
    for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) {
      expect(client.responseHeaders[h]).toBeUndefined();
    }
    while (client.comments.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(client.comments[0]).toBe('ok');
    expect(opened[0]!.lastEventId).toBe('q7');
  });

  it('streams events, reads Last-Event-ID and closes either way', async () => {
    const opened: SseStream[] = [];
    const origin = await start(secure, (s) => opened.push(s));
    const client = await h2Get(origin, '/', { 'last-event-id': '41' });
    const stream = opened[0]!;
    expect(stream.lastEventId).toBe('41');
    stream.send({ id: '42', event: 'tick', data: 'a\nb' });
    stream.close();
    await client.ended;
    expect(client.events).toEqual([{ type: 'tick', data: 'a\nb', lastEventId: '42' }]);

    const second = await h2Get(origin, '/');
    const s2 = opened[1]!;
    const reason = new Promise<CloseReason>((r) => s2.onClose(r));
    second.req.close(http2.constants.NGHTTP2_CANCEL);
    expect(await reason).toBe('client');
  });

  it('bounds the buffer for a client that stops reading (flow control stalls the stream): overflow', async () => {
    const opened: SseStream[] = [];
    const origin = await start(secure, (s) => opened.push(s), {
      maxBufferedBytes: 256 * 1024,
      dispatchTimeoutMs: 0,
    });
    const client = await h2Get(origin, '/');
    client.req.pause();
    const stream = opened[0]!;
    const reason = new Promise<CloseReason>((r) => stream.onClose(r));
    const pad = 'x'.repeat(16 * 1024);
    let peak = 0;
    for (let i = 0; i < 10_000 && !stream.closed; i++) {
      stream.send({ data: pad });
      peak = Math.max(peak, stream.bufferedBytes);
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
    expect(await reason).toBe('overflow');
    expect(peak).toBeLessThanOrEqual(256 * 1024);
  });
});
