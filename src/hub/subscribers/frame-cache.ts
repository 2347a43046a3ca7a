import { type EncodedEvent, preEncode } from '../../protocol/index.js';
import type { Update } from '../storage/update.js';

/** Default budget of {@link FrameCache}: enough for thousands of typical updates, bounded whatever their size. */
const DEFAULT_FRAME_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Serialised updates, each encoded once and shared by every subscriber it goes to (one frame
 * for 10,000 subscribers), and reused when the same update is replayed to many reconnecting
 * clients (a persistent transport returns new objects for every replay). Bounded by bytes, least recently
 * used first out, so a large history does not keep a second, encoded copy of itself in memory.
 *
 * Keyed by id, and checked against the update's fields on a hit: a client id reused after its first update
 * left history must never be answered with the old frame.
 */
export class FrameCache {
  readonly #budget: number;
  readonly #entries = new Map<string, { update: Update; frame: EncodedEvent }>();
  #bytes = 0;

  constructor(budgetBytes = DEFAULT_FRAME_CACHE_BYTES) {
    this.#budget = budgetBytes;
  }

  /** Bytes currently held (the encoded frames). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The frame of `update`: `event`, `retry`, `id`, then `data` split into lines (https://mercure.rocks/spec#subscription). */
  get(update: Update): EncodedEvent {
    const cached = this.#entries.get(update.id);
    if (cached && sameUpdate(cached.update, update)) {
      this.#entries.delete(update.id);
      this.#entries.set(update.id, cached);
      return cached.frame;
    }
    const frame = preEncode({ event: update.type, retry: update.retry, id: update.id, data: update.data });
    if (cached) this.#drop(update.id, cached.frame);
    const size = frame.bytes.byteLength;
    if (size <= this.#budget) {
      this.#entries.set(update.id, { update, frame });
      this.#bytes += size;
      for (const [id, entry] of this.#entries) {
        if (this.#bytes <= this.#budget) break;
        this.#drop(id, entry.frame);
      }
    }
    return frame;
  }

  #drop(id: string, frame: EncodedEvent): void {
    this.#entries.delete(id);
    this.#bytes -= frame.bytes.byteLength;
  }
}

function sameUpdate(a: Update, b: Update): boolean {
  return a === b || (a.data === b.data && a.type === b.type && a.retry === b.retry);
}
