import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { SinkEvents, SseSink } from './sink.js';

/** A Node response of either HTTP major version. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Where a response keeps its sink, so the listeners below can be shared by every response. */
const SINK = Symbol('ssehub.sink');
type Tagged = ServerResponse & { [SINK]?: NodeSink };

// Shared listeners (`this` is the response): no per-connection closures, which matters at 10k+ streams.
function onDrain(this: Tagged): void {
  this[SINK]?.drained();
}
function onClose(this: Tagged): void {
  this[SINK]?.closed();
}
/** An error is always followed by `close`; listening keeps it from becoming an uncaught exception. */
function ignoreError(): void {}

/**
 * {@link SseSink} over a Node `ServerResponse` (HTTP/1.x) or `Http2ServerResponse` (HTTP/2 compat API).
 * Listens for `close` and `error`, and for `drain` only while the response is congested; detach removes
 * the listeners it added.
 */
export class NodeSink implements SseSink {
  #res: Tagged;
  #events: SinkEvents | undefined;
  #drainArmed = false;

  constructor(res: NodeResponse) {
    this.#res = res as Tagged;
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
  }

  write(chunk: Uint8Array): boolean {
    const ok = this.#res.write(chunk);
    if (!ok && !this.#drainArmed) {
      this.#drainArmed = true;
      this.#res.on('drain', onDrain);
    }
    return ok;
  }

  /** @internal Called by the shared `drain` listener. */
  drained(): void {
    if (this.#drainArmed) {
      this.#drainArmed = false;
      this.#res.off('drain', onDrain);
    }
    this.#events?.sinkDrained();
  }

  /** @internal Called by the shared `close` listener. */
  closed(): void {
    this.#events?.sinkClosed();
  }

  end(): void {
    this.#res.end();
  }

  destroy(): void {
    const res = this.#res as NodeResponse;
    if ('stream' in res) res.stream.destroy();
    else res.destroy();
  }

  detach(): void {
    const res = this.#res;
    if (this.#drainArmed) res.off('drain', onDrain);
    this.#drainArmed = false;
    res.off('close', onClose);
    res[SINK] = undefined;
    // The no-op error listener stays: a late socket error after close must not crash the process.
    this.#events = undefined;
  }
}
