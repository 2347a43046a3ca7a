import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeComment, encodeEvent, type SseEvent } from '../../protocol/index.js';

/**
 * One `text/event-stream` response of the demo endpoints (chat answers, dashboard feed). Applies the
 * headers that keep proxies from buffering (sse-rules §2), flushes a first comment so `onopen` fires
 * at once, sends a heartbeat comment on idle, and runs `onClose` exactly once when either side ends.
 */
export class DemoEventStream {
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #onClose: (() => void)[] = [];

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly heartbeatMs = 15_000,
  ) {
    const headers: Record<string, string> = {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    };
    if (req.httpVersionMajor < 2) headers.Connection = 'keep-alive';
    res.socket?.setNoDelay(true);
    res.writeHead(200, headers);
    res.write(encodeComment(''));
    const end = (): void => this.close();
    res.on('close', end);
    req.on('aborted', end);
    this.#arm();
  }

  /** True once the stream ended (client gone or {@link close} called). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one event; returns false when the stream is closed or the socket buffer is full. */
  send(event: SseEvent): boolean {
    if (this.#closed) return false;
    this.#arm();
    return this.res.write(encodeEvent(event));
  }

  /** Bytes waiting in the socket: a reader this far behind is too slow. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** Registers cleanup run once when the stream ends. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /** Ends the response and runs the close listeners. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#heartbeat);
    if (!this.res.writableEnded) this.res.end();
    for (const listener of this.#onClose.splice(0)) listener();
  }

  #arm(): void {
    clearTimeout(this.#heartbeat);
    if (this.heartbeatMs <= 0) return;
    this.#heartbeat = setTimeout(() => {
      if (this.#closed) return;
      this.res.write(encodeComment(''));
      this.#arm();
    }, this.heartbeatMs);
    this.#heartbeat.unref();
  }
}
