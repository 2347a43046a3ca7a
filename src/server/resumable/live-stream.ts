import type { SseStream } from '../stream.js';

/**
 * A stream this process produces: the events stored so far (kept in order, by reference), the readers
 * attached to it, and the abort signal of its producer. Replay and joining the readers happen in one
 * synchronous step ({@link follow}), so an event pushed meanwhile is neither missed nor sent twice.
 */
export class LiveStream {
  /** Stored events in sequence order: `frames[seq]`. */
  readonly frames: Uint8Array[] = [];
  /** Encoded bytes of every stored event. */
  bytes = 0;
  /** When the terminal event was stored; undefined while the producer runs. */
  endedAt: number | undefined;
  /** Set once the stream is ending: later events from the producer are refused. */
  ending = false;
  /** Emissions run one after another through this chain: ids stay in order even for a callback producer. */
  tail: Promise<unknown> = Promise.resolve();
  readonly controller = new AbortController();
  readonly #readers = new Set<SseStream>();
  readonly #onReaderClose = (_reason: unknown, reader: SseStream): void => {
    this.#readers.delete(reader);
  };

  constructor(
    readonly id: string,
    readonly createdAt: number,
    /** The client that started it, for the per-client producer limit. */
    readonly client: string | undefined,
  ) {}

  /** Sequence number of the newest stored event; -1 before the first. */
  get lastSeq(): number {
    return this.frames.length - 1;
  }

  /** Readers attached now. */
  get readers(): number {
    return this.#readers.size;
  }

  /**
   * Writes every event after `afterSeq` to `reader`, then keeps it attached for live events; when the
   * stream has ended the reader is closed after the replay (its last event is the terminal one).
   * Replay bypasses the reader's buffer bound: it is bounded by the stream's byte limit.
   */
  follow(reader: SseStream, afterSeq: number): void {
    for (let seq = afterSeq + 1; seq < this.frames.length; seq++) {
      reader.writeUnbounded(this.frames[seq] as Uint8Array);
    }
    if (this.endedAt !== undefined) {
      reader.close();
      return;
    }
    if (reader.closed) return;
    this.#readers.add(reader);
    reader.onClose(this.#onReaderClose);
  }

  /** Records a stored event and writes it to every reader; a terminal one then closes them all. */
  push(frame: Uint8Array, endedAt?: number): void {
    this.frames.push(frame);
    this.bytes += frame.byteLength;
    // A reader too slow for its buffer bound is closed by its own stream (`overflow`) and re-attaches.
    for (const reader of this.#readers) reader.writeBytes(frame);
    if (endedAt === undefined) return;
    this.endedAt = endedAt;
    const readers = [...this.#readers];
    this.#readers.clear();
    for (const reader of readers) {
      reader.offClose(this.#onReaderClose);
      reader.close();
    }
  }
}
