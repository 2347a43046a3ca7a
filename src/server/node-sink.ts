import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { chunkFramed } from './chunked.js';
import type { SinkEvents, SseSink } from './sink.js';

/** A Node response of either HTTP major version. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Where a response (and, on the direct path, its socket) keeps its sink, for the shared listeners. */
const SINK = Symbol('ssehub.sink');
type Tagged<T> = T & { [SINK]?: NodeSink };

// Shared listeners (`this` is the emitter): no per-connection closures, which matters at 10k+ streams.
function onDrain(this: Tagged<ServerResponse | Socket>): void {
  this[SINK]?.drained();
}
function onClose(this: Tagged<ServerResponse>): void {
  this[SINK]?.closed();
}
/** An error is always followed by `close`; listening keeps it from becoming an uncaught exception. */
function ignoreError(): void {}

/** Whether the response's transport is already closed (peer gone, HTTP/2 stream reset, or destroyed). */
function isGone(res: NodeResponse): boolean {
  if ('stream' in res) return res.stream.destroyed || res.stream.closed;
  return res.destroyed || (res.socket?.destroyed ?? false);
}

function uncork(socket: Socket & { [SINK]?: NodeSink }): void {
  socket[SINK]?.uncorked();
  socket.uncork();
}

/** Matches nothing in a header block; running it makes V8 flatten the string it is given. */
const FLATTEN = /\0\0/;

/**
 * Node builds the response head by concatenation and keeps it on the response (`_header`) for as long as
 * the response lives: a tree of about 40 string pieces, ~1.2 KiB per idle SSE connection. Any regular
 * expression run over it flattens that tree in place into one string of the head's length.
 */
function flattenHeader(res: ServerResponse): void {
  const head = (res as { _header?: unknown })._header;
  if (typeof head === 'string') FLATTEN.test(head);
}

/**
 * {@link SseSink} over a Node `ServerResponse` (HTTP/1.x) or `Http2ServerResponse` (HTTP/2 compat API).
 * Listens for `close` and `error`, and for `drain` only while congested; detach removes its listeners.
 *
 * Type-only Node imports: importing the package needs no `node:` module (Fetch-only runtimes).
 *
 * On a plain HTTP/1.1 chunked response (no middleware wrapping `write`), once the headers are out, frames
 * go to the socket directly, pre-framed as one chunk shared by all connections ({@link chunkFramed}),
 * corked per tick as Node itself does. Any other case uses `res.write`.
 */
export class NodeSink implements SseSink {
  #res: Tagged<ServerResponse>;
  #events: SinkEvents | undefined;
  #drainArmed = false;
  #socket: Tagged<Socket> | undefined;
  #corked = false;

  constructor(res: NodeResponse) {
    this.#res = res as Tagged<ServerResponse>;
  }

  get pendingBytes(): number {
    const res = this.#res as NodeResponse;
    // HTTP/2 compat responses do not expose writableLength; their Http2Stream does.
    return 'stream' in res ? res.stream.writableLength : res.writableLength;
  }

  attach(events: SinkEvents): void {
    this.#events = events;
    const res = this.#res;
    res[SINK] = this;
    res.on('close', onClose);
    res.on('error', ignoreError);
    // A handler that awaited something (a token check) may open the stream after the client left: `close`
    // has fired already and will not again, so the stream is told now (after its constructor returns).
    if (isGone(res as NodeResponse)) queueMicrotask(() => this.closed());
  }

  /** Takes the direct socket path when it is safe: call after the first write has sent the headers. */
  goDirect(): void {
    const res = this.#res;
    flattenHeader(res);
    const socket = res.socket as Tagged<Socket> | null;
    if (
      'stream' in (res as NodeResponse) ||
      // Middleware such as `compression` wraps `write` on the instance: then Node's path must be kept.
      Object.hasOwn(res, 'write') ||
      !res.headersSent ||
      !(res as { chunkedEncoding?: boolean }).chunkedEncoding ||
      socket === null ||
      (socket as { _httpMessage?: unknown })._httpMessage !== res
    ) {
      return;
    }
    this.#socket = socket;
    socket[SINK] = this;
  }

  write(chunk: Uint8Array): boolean {
    const socket = this.#socket;
    // `_httpMessage` stops being this response if the socket moved on (pipelining, end): fall back.
    if (socket !== undefined && (socket as { _httpMessage?: unknown })._httpMessage === this.#res) {
      if (!this.#corked) {
        this.#corked = true;
        socket.cork();
        process.nextTick(uncork, socket);
      }
      const ok = socket.write(chunkFramed(chunk));
      if (!ok) this.#armDrain(socket);
      return ok;
    }
    const ok = this.#res.write(chunk);
    if (!ok) this.#armDrain(this.#res);
    return ok;
  }

  #armDrain(emitter: Tagged<ServerResponse | Socket>): void {
    if (this.#drainArmed) return;
    this.#drainArmed = true;
    emitter.on('drain', onDrain);
  }

  #disarmDrain(): void {
    if (!this.#drainArmed) return;
    this.#drainArmed = false;
    this.#res.off('drain', onDrain);
    this.#socket?.off('drain', onDrain);
  }

  /** @internal Called by the per-tick uncork. */
  uncorked(): void {
    this.#corked = false;
  }

  /** @internal Called by the shared `drain` listener. */
  drained(): void {
    this.#disarmDrain();
    this.#events?.sinkDrained();
  }

  /** @internal Called by the shared `close` listener. */
  closed(): void {
    this.#events?.sinkClosed();
  }

  end(): void {
    this.#leaveSocket();
    this.#res.end();
  }

  destroy(): void {
    const res = this.#res as NodeResponse;
    if ('stream' in res) res.stream.destroy();
    else res.destroy();
  }

  detach(): void {
    this.#disarmDrain();
    this.#leaveSocket();
    const res = this.#res;
    res.off('close', onClose);
    res[SINK] = undefined;
    // The no-op error listener stays: a late socket error after close must not crash the process.
    this.#events = undefined;
  }

  /** Hands the socket back to Node (keep-alive may reuse it for another response). */
  #leaveSocket(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    if (this.#drainArmed) socket.off('drain', onDrain);
    if (socket[SINK] === this) socket[SINK] = undefined;
    this.#socket = undefined;
  }
}
