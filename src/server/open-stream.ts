import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { encodeComment, encodeEvent } from '../protocol/index.js';
import { sseHeaders } from './headers.js';
import { jitteredRetry } from './jitter.js';
import { readLastEventId } from './last-event-id.js';
import { NodeSink } from './node-sink.js';
import {
  type ResolvedStreamOptions,
  resolveStreamOptions,
  type StreamOptions,
  streamCore,
} from './options.js';
import { SseStream } from './stream.js';

/** The first bytes of every stream: a comment, so proxies pass the headers on and `onopen` fires at once. */
export function openingFrame(options: ResolvedStreamOptions): Uint8Array {
  let text = encodeComment('ok');
  if (options.retry !== undefined) {
    text += encodeEvent({ retry: jitteredRetry(options.retry, options.retryJitter) });
  }
  return new TextEncoder().encode(text);
}

/**
 * Opens an SSE stream on a Node request/response pair, HTTP/1.x or HTTP/2 (compat API); this also
 * covers Express, Koa (`ctx.respond = false`) and Fastify (`reply.hijack()`, raw objects).
 *
 * Sends status 200 with the anti-buffering headers ({@link sseHeaders}; `Connection: keep-alive` only on
 * HTTP/1.x), turns Nagle off and keeps TCP keepalive on, then flushes the headers with a first comment
 * (and the optional jittered `retry:`) so `EventSource.onopen` fires immediately.
 */
export function openStream(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  options?: StreamOptions,
): SseStream {
  const resolved = resolveStreamOptions(options);
  const http2 = req.httpVersionMajor >= 2;
  const headers = sseHeaders(http2 ? 'http2' : 'http1', resolved.headers);
  // Headers passed to writeHead are not stored per response (less memory per idle connection);
  // middleware that hooks writeHead, such as `compression`, still sees them (tested).
  (res as ServerResponse).writeHead(200, headers);
  const socket = req.socket as Socket | undefined;
  if (!http2 && socket) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
  } else if (http2) {
    // The HTTP/2 session socket is a guarded proxy; where it refuses, nghttp2's own framing applies.
    try {
      ((req as Http2ServerRequest).stream?.session?.socket as Socket | undefined)?.setNoDelay?.(true);
    } catch {}
  }
  const lastEventId = readLastEventId(req.headers['last-event-id'], req.url, resolved.lastEventIdParam);
  const sink = new NodeSink(res);
  const stream = new SseStream({ sink, options: streamCore(resolved), lastEventId });
  stream.writeUnbounded(openingFrame(resolved));
  sink.goDirect();
  return stream;
}
