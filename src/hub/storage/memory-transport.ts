import { settingProblem } from '../../protocol/index.js';
import { HUB_SETTINGS } from '../settings.js';
import { ListenerSet } from './listener-set.js';
import { DuplicateUpdateIdError, type ReplayResult, type Transport } from './transport.js';
import type { Update } from './update.js';

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  /**
   * Most updates kept for replay, the oldest dropped first: a count (0 keeps none, as Mercure's `local`
   * transport) or `'unbounded'` (memory grows with every update). Default: the hub's `historySize`.
   */
  historySize?: number | 'unbounded';
}

/**
 * The embedded default transport: one process, history in a bounded ring buffer.
 *
 * - `dispatch` stores then calls every listener synchronously, in dispatch order, so live order and
 *   replay order are the same sequence (the {@link Transport} ordering rule).
 * - Ids are looked up in O(1) through a map from id to sequence number; the history scan bound is
 *   honoured as "the id must be among the newest `scanLimit` updates", which is what a bounded scan
 *   from the newest entry would find.
 */
export class MemoryTransport implements Transport {
  /** Ring size; Infinity when unbounded (then `seq % capacity` is `seq` and the array simply grows). */
  readonly #capacity: number;
  readonly #ring: (Update | undefined)[];
  /** Sequence number of the oldest held update. */
  #head = 0;
  /** Sequence number the next update will get. */
  #next = 0;
  readonly #seqById = new Map<string, number>();
  readonly #listeners = new ListenerSet();
  #closed = false;
  /** Newest dispatched id, tracked even with no history so the subscriptions API has an ETag. */
  #lastId: string | undefined;

  constructor(options: MemoryTransportOptions = {}) {
    const size = options.historySize ?? HUB_SETTINGS.historySize.default;
    const problem = settingProblem(HUB_SETTINGS.historySize, size);
    if (problem !== undefined) throw new RangeError(`MemoryTransport historySize ${problem}`);
    this.#capacity = size === 'unbounded' ? Number.POSITIVE_INFINITY : size;
    this.#ring = size === 'unbounded' ? [] : new Array(size);
  }

  async dispatch(update: Update): Promise<void> {
    if (this.#closed) throw new Error('The transport is closed; the hub is shutting down');
    if (this.#seqById.has(update.id)) throw new DuplicateUpdateIdError(update.id);
    if (this.#capacity > 0) {
      if (this.#next - this.#head === this.#capacity) {
        const oldest = this.#ring[this.#head % this.#capacity];
        if (oldest) this.#seqById.delete(oldest.id);
        this.#head++;
      }
      this.#ring[this.#next % this.#capacity] = update;
      this.#seqById.set(update.id, this.#next);
      this.#next++;
    }
    this.#lastId = update.id;
    this.#listeners.emit(update);
  }

  listen(listener: (update: Update) => void): () => void {
    return this.#listeners.add(listener);
  }

  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    let from: number;
    let cursor: Update | undefined;
    if (afterId === 'earliest') {
      from = this.#head;
    } else {
      const seq = this.#seqById.get(afterId);
      if (seq === undefined || this.#next - 1 - seq > scanLimit) return { found: false, updates: [] };
      from = seq + 1;
      cursor = this.#ring[seq % this.#capacity];
    }
    const updates: Update[] = [];
    for (let seq = from; seq < this.#next; seq++) updates.push(this.#ring[seq % this.#capacity]!);
    return cursor === undefined ? { found: true, updates } : { found: true, updates, cursor };
  }

  async lastEventId(): Promise<string | undefined> {
    return this.#lastId;
  }

  async historySize(): Promise<number> {
    return this.#next - this.#head;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
