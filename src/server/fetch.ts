import { FetchSink } from './fetch-sink.js';
import { sseHeaders } from './headers.js';
import { readLastEventId } from './last-event-id.js';
import { openingFrame } from './open-stream.js';
import { resolveStreamOptions, type StreamOptions, streamCore } from './options.js';
import { SseStream } from './stream.js';

/**
 * Opens an SSE stream as a Fetch API `Response` (Hono, `@hono/node-server`, Deno, Bun, Workers, Next route
 * handlers). The same stream core as {@link openStream}: bounded buffer, overflow policy, heartbeat, close
 * reasons. No hop-by-hop headers (the runtime owns the connection). The request's `signal` aborting
 * (client gone) closes the stream with reason `client`.
 *
 * `handler` runs after the opening comment is queued; it may keep the stream and write later. Its result
 * is ignored (so `(stream) => channel.join(stream)` fits), except that an error it throws, or a promise it
 * returns that rejects, closes the stream with reason `server`.
 */
export function sseResponse(
  request: Request,
  handler: (stream: SseStream) => unknown,
  options?: StreamOptions,
): Response {
  const resolved = resolveStreamOptions(options);
  const sink = new FetchSink();
  const lastEventId = readLastEventId(
    request.headers.get('last-event-id'),
    request.url,
    resolved.lastEventIdParam,
  );
  const stream = new SseStream({ sink, options: streamCore(resolved), lastEventId });
  stream.writeUnbounded(openingFrame(resolved));
  const onRequestAbort = (): void => sink.peerGone();
  if (request.signal.aborted) onRequestAbort();
  else {
    request.signal.addEventListener('abort', onRequestAbort, { once: true });
    stream.onClose(() => request.signal.removeEventListener('abort', onRequestAbort));
  }
  try {
    Promise.resolve(handler(stream)).catch(() => stream.close());
  } catch {
    stream.close();
  }
  return new Response(sink.body, { status: 200, headers: sseHeaders('fetch', resolved.headers) });
}
