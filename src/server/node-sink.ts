import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { SinkEvents, SseSink } from './sink.js';

/** An error is always followed by `close`; listening keeps it from becoming an uncaught exception. */
function ignoreError(): void {}

/** A Node response of either HTTP major version. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/**
 * {@link SseSink} over a Node `ServerResponse` (HTTP/1.x) or `Http2ServerResponse` (HTTP/2 compat API).
 * Listens for `drain`, `close` and `error` on the response, and removes exactly those listeners on detach.
 */
export class NodeSink implements SseSink {
  #res: NodeResponse;
  #events: SinkEvents | undefined;
  #onDrain = (): void => this.#events?.sinkDrained();
  #onClose = (): void => this.#events?.sinkClosed();

  constructor(res: NodeResponse) {
    this.#res = res;
  }

  get pendingBytes(): number {
    const res = this.#res;
    // HTTP/2 compat responses do not expose writableLength; their Http2Stream does.
    return 'stream' in res ? res.stream.writableLength : res.writableLength;
  }

  attach(events: SinkEvents): void {
    this.#events = events;
    const res = this.#res as ServerResponse;
    res.on('drain', this.#onDrain);
    res.on('close', this.#onClose);
    res.on('error', ignoreError);
  }

  write(chunk: Uint8Array): boolean {
    return (this.#res as ServerResponse).write(chunk);
  }

  end(): void {
    (this.#res as ServerResponse).end();
  }

  destroy(): void {
    const res = this.#res;
    if ('stream' in res) res.stream.destroy();
    else res.destroy();
  }

  detach(): void {
    const res = this.#res as ServerResponse;
    res.off('drain', this.#onDrain);
    res.off('close', this.#onClose);
    // The no-op error listener stays: a late socket error after close must not crash the process.
    this.#events = undefined;
  }
}
