import { type EncodedEvent, encodeComment, encodeEventBytes, type SseEvent } from '../protocol/index.js';
import { joinHeartbeat, leaveHeartbeat } from './heartbeat.js';
import type { CloseReason, ResolvedStreamOptions } from './options.js';
import type { SinkEvents, SseSink } from './sink.js';

const utf8 = new TextEncoder();

/** Told once why a stream closed; receives the stream so one listener can serve many streams. */
export type CloseListener = (reason: CloseReason, stream: SseStream) => void;

/** Per-stream counters: what reached the transport and what the overflow policy discarded. */
export interface StreamStats {
  /** Events and comments handed to the transport. */
  framesWritten: number;
  /** Bytes handed to the transport. */
  bytesWritten: number;
  /** Frames discarded by the `drop-oldest` policy. */
  framesDropped: number;
  /** Heartbeat comments sent on idle. */
  heartbeats: number;
}

/** What {@link SseStream} needs from the face that opened it. Internal. */
export interface StreamInit {
  sink: SseSink;
  options: ResolvedStreamOptions;
  lastEventId: string | undefined;
}

/**
 * One open `text/event-stream` response. Writes go to the transport at once while it keeps up; when it
 * does not, frames wait in a queue bounded (with the transport's own buffer) by `maxBufferedBytes`, and
 * the overflow policy decides (docs/slow-consumers.md). A transport that cannot drain within
 * `dispatchTimeoutMs` is torn down. Idle streams get a heartbeat comment (https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes). Every close,
 * whoever causes it, runs the same teardown: timers cleared, listeners removed, `onClose` listeners
 * told the reason once.
 *
 * Obtain one from {@link openStream} (Node) or {@link sseResponse} (Fetch).
 */
export class SseStream implements SinkEvents {
  readonly #sink: SseSink;
  readonly #options: ResolvedStreamOptions;
  readonly #lastEventId: string | undefined;
  /** Created on first use of `signal`: most streams never need one (memory per idle connection). */
  #controller: AbortController | undefined;
  /** Frames waiting for the transport to drain; only used while it is congested. */
  #queue: Uint8Array[] = NO_FRAMES;
  #queueHead = 0;
  #queuedBytes = 0;
  #congested = false;
  #closeReason: CloseReason | undefined;
  /** One listener, or several: most streams have exactly one (their channel). */
  #closeListeners: CloseListener | CloseListener[] | undefined;
  #drainWaiters: Array<() => void> | undefined;
  #finishWaiters: Array<() => void> | undefined;
  #finished = false;
  #dispatchTimer: ReturnType<typeof setTimeout> | undefined;
  #lastWriteAt = 0;
  /** When the transport last became congested (it has not drained since). */
  #congestedSince = 0;
  /** Listener for the caller's abort signal; only made when a signal was given. */
  #onAbort: (() => void) | undefined;
  /** Counters for observability. */
  readonly stats: StreamStats = { framesWritten: 0, bytesWritten: 0, framesDropped: 0, heartbeats: 0 };

  /** @internal Use {@link openStream} or {@link sseResponse}. */
  constructor(init: StreamInit) {
    this.#sink = init.sink;
    this.#options = init.options;
    this.#lastEventId = init.lastEventId;
    this.#sink.attach(this);
    const signal = this.#options.signal;
    if (signal) {
      this.#onAbort = () => this.#close('aborted', false);
      if (signal.aborted) {
        queueMicrotask(this.#onAbort);
      } else {
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
    this.#lastWriteAt = Date.now();
    if (this.#options.heartbeatMs > 0) joinHeartbeat(this.#options.heartbeatMs, this);
  }

  /** The client's Last-Event-ID (header, else the query parameter), validated; undefined when absent. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Whether the stream is closed; writes are then ignored and return false. */
  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Why the stream closed, once it has. */
  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /** Aborted when the stream closes: pass it to work that should stop with the stream. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.closed) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** Bytes waiting for this client: our queue plus the transport's buffer. */
  get bufferedBytes(): number {
    return this.#queuedBytes + (this.#finished ? 0 : this.#sink.pendingBytes);
  }

  /**
   * Serialises and writes one event. Returns false under backpressure (or when closed); with the `wait`
   * policy, `await drain()` before sending more. Throws `InvalidFieldError` for CR/LF/NUL in `event`/`id`.
   */
  send(event: SseEvent): boolean {
    const bytes = encodeEventBytes(event);
    return this.#push(bytes);
  }

  /** Writes a pre-encoded event: the broadcast path, no per-connection serialisation. */
  write(frame: EncodedEvent): boolean {
    return this.#push(frame.bytes);
  }

  /** @internal Writes raw frame bytes under the buffer bound (channels pass one shared buffer). */
  writeBytes(bytes: Uint8Array): boolean {
    return this.#push(bytes);
  }

  /** Writes a comment line (ignored by clients; keeps proxies from timing out the connection). */
  comment(text = ''): boolean {
    return this.#push(utf8.encode(encodeComment(text)));
  }

  /** Resolves once everything queued has reached the transport and it is under its high-water mark, or on close. */
  drain(): Promise<void> {
    if (this.closed || (!this.#congested && this.#queuedBytes === 0)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiters ??= [];
      this.#drainWaiters.push(resolve);
    });
  }

  /**
   * Ends the stream gracefully: queued frames are flushed, then an optional final `retry:` (so the client
   * reconnects after that many ms, https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model), then the response ends. Reason `server`.
   */
  close(options: { retry?: number } = {}): void {
    this.#closeGracefully('server', options.retry);
  }

  /** @internal Graceful close with an explicit reason (used by shutdown helpers). */
  closeWith(reason: CloseReason, retry?: number): void {
    this.#closeGracefully(reason, retry);
  }

  /** Tears the transport down now, without flushing. Reason `server` unless already closed. */
  destroy(): void {
    if (!this.closed) this.#close('server', false);
    else this.#sink.destroy();
  }

  /** Resolves when the underlying response is fully gone (flushed and closed, or destroyed). */
  finished(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.#finishWaiters ??= [];
      this.#finishWaiters.push(resolve);
    });
  }

  /**
   * Calls `listener` once with the close reason and this stream (asynchronously, at once, if already
   * closed). Returns a function that removes the listener; {@link offClose} does the same.
   */
  onClose(listener: CloseListener): () => void {
    const reason = this.#closeReason;
    if (reason !== undefined) {
      queueMicrotask(() => listener(reason, this));
      return () => {};
    }
    const current = this.#closeListeners;
    if (current === undefined) this.#closeListeners = listener;
    else if (typeof current === 'function') this.#closeListeners = [current, listener];
    else current.push(listener);
    return () => this.offClose(listener);
  }

  /** Removes a listener added with {@link onClose}. */
  offClose(listener: CloseListener): void {
    const current = this.#closeListeners;
    if (current === listener) this.#closeListeners = undefined;
    else if (Array.isArray(current)) {
      const i = current.indexOf(listener);
      if (i >= 0) current.splice(i, 1);
    }
  }

  /** @internal Writes bytes ignoring the buffer bound (history replay, bounded by history size). */
  writeUnbounded(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.#congested) {
      this.#enqueue(bytes);
      return false;
    }
    return this.#toSink(bytes);
  }

  #push(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const max = this.#options.maxBufferedBytes;
    if (!this.#congested) {
      const ok = this.#toSink(bytes);
      if (!ok && this.#options.overflow !== 'drop-oldest' && this.#sink.pendingBytes > max) {
        this.#close('overflow', false);
        return false;
      }
      return ok && !this.closed;
    }
    switch (this.#options.overflow) {
      case 'disconnect':
      case 'wait':
        if (this.bufferedBytes + bytes.byteLength > max) {
          this.#close('overflow', false);
          return false;
        }
        this.#enqueue(bytes);
        return false;
      case 'drop-oldest':
        this.#enqueue(bytes);
        while (this.bufferedBytes > max && this.#queueHead < this.#queue.length) {
          const dropped = this.#queue[this.#queueHead]!;
          this.#queue[this.#queueHead++] = EMPTY;
          this.#queuedBytes -= dropped.byteLength;
          this.stats.framesDropped++;
        }
        return false;
    }
  }

  #enqueue(bytes: Uint8Array): void {
    if (this.#queue === NO_FRAMES) this.#queue = [];
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.byteLength;
  }

  /** Hands bytes to the transport; on congestion starts the dispatch deadline. */
  #toSink(bytes: Uint8Array): boolean {
    this.#lastWriteAt = Date.now();
    this.stats.framesWritten++;
    this.stats.bytesWritten += bytes.byteLength;
    const ok = this.#sink.write(bytes);
    if (!ok && !this.#congested) {
      this.#congested = true;
      this.#congestedSince = this.#lastWriteAt;
      const timeout = this.#options.dispatchTimeoutMs;
      if (timeout > 0 && this.#dispatchTimer === undefined) {
        this.#dispatchTimer = setTimeout(() => this.#close('dispatch-timeout', false), timeout);
        (this.#dispatchTimer as { unref?: () => void }).unref?.();
      }
    }
    return ok;
  }

  /** {@link SinkEvents}: the transport went back under its high-water mark. Called by the stream's sink. */
  sinkDrained(): void {
    if (this.closed) return;
    this.#congested = false;
    if (this.#dispatchTimer !== undefined) {
      clearTimeout(this.#dispatchTimer);
      this.#dispatchTimer = undefined;
    }
    // Refill the transport from our queue until it pushes back again.
    while (this.#queueHead < this.#queue.length && !this.#congested && !this.closed) {
      const bytes = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = EMPTY;
      this.#queuedBytes -= bytes.byteLength;
      this.#toSink(bytes);
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue = NO_FRAMES;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    if (!this.#congested && this.#queuedBytes === 0) this.#resolveDrainWaiters();
  }

  /**
   * @internal Called by the shared heartbeat clock. Sends a heartbeat comment after `heartbeatMs` of
   * silence; a transport that stayed congested for a whole interval is not reading (peer gone or stuck).
   */
  heartbeatTick(now: number): void {
    if (this.closed) return;
    const interval = this.#options.heartbeatMs;
    if (this.#congested) {
      if (now - this.#congestedSince >= interval) this.#close('heartbeat-failed', false);
      return;
    }
    if (now - this.#lastWriteAt < interval) return;
    this.stats.heartbeats++;
    this.#push(HEARTBEAT);
  }

  #closeGracefully(reason: CloseReason, retry: number | undefined): void {
    if (this.closed) return;
    // Flush our queue into the transport (it is bounded), then the farewell `retry:`, then end.
    while (this.#queueHead < this.#queue.length) {
      const bytes = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = EMPTY;
      this.#sink.write(bytes);
    }
    this.#queue = NO_FRAMES;
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    if (retry !== undefined) this.#sink.write(encodeEventBytes({ retry }));
    this.#close(reason, true);
  }

  /** {@link SinkEvents}: the transport is gone. Called by the stream's sink. */
  sinkClosed(): void {
    if (!this.closed) this.#close('client', false);
    this.#markFinished();
  }

  /** The single teardown path: every timer and listener this stream installed is removed here. */
  #close(reason: CloseReason, graceful: boolean): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    if (this.#options.heartbeatMs > 0) leaveHeartbeat(this.#options.heartbeatMs, this);
    if (this.#dispatchTimer !== undefined) clearTimeout(this.#dispatchTimer);
    this.#dispatchTimer = undefined;
    if (this.#onAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#queue = NO_FRAMES;
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    if (graceful) this.#sink.end();
    else if (reason !== 'client') this.#sink.destroy();
    if (reason === 'client') {
      this.#sink.detach();
      this.#markFinished();
    }
    this.#controller?.abort();
    this.#resolveDrainWaiters();
    const listeners = this.#closeListeners;
    this.#closeListeners = undefined;
    if (typeof listeners === 'function') listeners(reason, this);
    else if (listeners !== undefined) for (const listener of listeners) listener(reason, this);
  }

  #markFinished(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#sink.detach();
    const waiters = this.#finishWaiters;
    this.#finishWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  #resolveDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }
}

const EMPTY = new Uint8Array(0);
/** Shared empty queue: a stream allocates its own only when its transport first pushes back. */
const NO_FRAMES: Uint8Array[] = [];
const HEARTBEAT = utf8.encode(encodeComment('heartbeat'));
