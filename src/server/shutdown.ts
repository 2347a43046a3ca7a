import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { jitteredRetry } from './jitter.js';
import type { CloseReason } from './options.js';
import {
  type ResolvedShutdownOptions,
  resolveShutdownOptions,
  type ShutdownOptions,
} from './shutdown-options.js';
import type { SseStream } from './stream.js';

/** What a shutdown did. */
export interface ShutdownResult {
  /** Streams that ended and flushed in time. */
  closed: number;
  /** Streams destroyed at the deadline (their clients were not reading). */
  forced: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closes every stream with a per-client jittered `retry:` (reason `shutdown`), so clients do not
 * reconnect in one storm, and waits for their responses to flush, up to `deadlineMs`; what is left is
 * destroyed (docs/shutdown.md).
 */
export async function closeAll(
  streams: Iterable<SseStream>,
  options: ShutdownOptions = {},
): Promise<ShutdownResult> {
  const { retry, retryJitter: jitter, spreadMs, deadlineMs } = resolveShutdownOptions(options);
  const list = [...streams];
  const started = Date.now();
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const finished = new Set<SseStream>();
  const waits = list.map((stream) => stream.finished().then(() => finished.add(stream)));
  const closing = (async () => {
    for (let i = 0; i < list.length; i++) {
      if (spreadMs > 0 && list.length > 1) {
        const due = started + (spreadMs * i) / (list.length - 1);
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      list[i]!.closeWith('shutdown', jitteredRetry(retry, jitter));
    }
    await Promise.all(waits);
    return 'done' as const;
  })();
  const outcome = await Promise.race([closing, deadline]);
  clearTimeout(deadlineTimer);
  let forced = 0;
  if (outcome === 'deadline') {
    for (const stream of list) {
      if (finished.has(stream)) continue;
      if (!stream.closed) stream.closeWith('shutdown');
      stream.destroy();
      forced++;
    }
  }
  return { closed: list.length - forced, forced };
}

/**
 * Tracks open streams so a server can stop gracefully. Streams leave the group when they close. After
 * {@link SseServerGroup.shutdown} starts, streams added later are closed at once with a jittered
 * `retry:` (a 200 + `retry:` + close, never a 503, which would stop native EventSource for good, https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model).
 */
export class SseServerGroup {
  readonly #streams = new Set<SseStream>();
  readonly #onClose = (_reason: CloseReason, stream: SseStream): void => {
    this.#streams.delete(stream);
  };
  #shutdown: ResolvedShutdownOptions | undefined;

  /** Open streams in the group. */
  get size(): number {
    return this.#streams.size;
  }

  /** Whether shutdown has begun. */
  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Tracks `stream` until it closes; returns it. */
  add(stream: SseStream): SseStream {
    if (this.#shutdown !== undefined) {
      stream.closeWith('shutdown', jitteredRetry(this.#shutdown.retry, this.#shutdown.retryJitter));
      return stream;
    }
    if (stream.closed || this.#streams.has(stream)) return stream;
    this.#streams.add(stream);
    stream.onClose(this.#onClose);
    return stream;
  }

  /** Closes every tracked stream as {@link closeAll} does. */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownResult> {
    this.#shutdown = resolveShutdownOptions(options);
    return closeAll(this.#streams, this.#shutdown);
  }
}

/**
 * Stops `server` gracefully: stop accepting connections, wind the group's streams down with jittered
 * `retry:` ({@link closeAll}), then close idle keep-alive connections and wait for the server to close.
 */
export async function stopServer(
  server: HttpServer | Http2Server | Http2SecureServer,
  group: SseServerGroup,
  options: ShutdownOptions = {},
): Promise<ShutdownResult> {
  const { deadlineMs } = resolveShutdownOptions(options);
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await group.shutdown(options);
  const http1 = server as HttpServer;
  if (typeof http1.closeIdleConnections === 'function') http1.closeIdleConnections();
  if (result.forced > 0 && typeof http1.closeAllConnections === 'function') http1.closeAllConnections();
  // HTTP/2 sessions cannot be enumerated from the server: do not wait past the deadline for them.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    serverClosed,
    new Promise<void>((r) => {
      timer = setTimeout(r, deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
