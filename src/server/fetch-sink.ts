import type { SinkEvents, SseSink } from './sink.js';

/** The byte budget of the Fetch body queue before `write` reports backpressure (Node's stream default). */
export const FETCH_HIGH_WATER_MARK = 64 * 1024;

/**
 * {@link SseSink} over a `ReadableStream<Uint8Array>` used as a Fetch `Response` body. The stream's
 * byte-counting queue is the transport buffer: `desiredSize` gives backpressure, `pull` gives drain,
 * `cancel` (the runtime dropped the response: the client went away) gives close.
 */
export class FetchSink implements SseSink {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #events: SinkEvents | undefined;
  #done = false;

  constructor() {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          this.#events?.sinkDrained();
        },
        cancel: () => this.#finish(),
      },
      { highWaterMark: FETCH_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
  }

  get pendingBytes(): number {
    if (this.#done) return 0;
    return Math.max(0, FETCH_HIGH_WATER_MARK - (this.#controller.desiredSize ?? FETCH_HIGH_WATER_MARK));
  }

  attach(events: SinkEvents): void {
    this.#events = events;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#done) return false;
    this.#controller.enqueue(chunk);
    return (this.#controller.desiredSize ?? 0) > 0;
  }

  end(): void {
    if (this.#done) return;
    this.#controller.close();
    // The reader may still hold queued bytes; the transport is ours to forget either way.
    this.#finish();
  }

  destroy(): void {
    if (this.#done) return;
    this.#controller.error(new Error('SSE stream destroyed'));
    this.#finish();
  }

  /** The client went away (request aborted): forget the body without erroring it (nothing to tell). */
  peerGone(): void {
    this.#finish();
  }

  detach(): void {
    this.#events = undefined;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    const events = this.#events;
    queueMicrotask(() => events?.sinkClosed());
  }
}
