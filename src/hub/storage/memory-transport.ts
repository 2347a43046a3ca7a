import { settingProblem } from '../../protocol/index.js';
import { HubConfigError } from '../options.js';
import { HUB_SETTINGS } from '../settings.js';
import { HistoryExpiry } from './history-expiry.js';
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
  /**
   * Age limit of history in ms: an update accepted this long ago is dropped (not replayed, its id
   * unknown), whatever `historySize` allows. 0 or unset: kept by count only. Default: the hub's
   * `historyTtlMs`.
   */
  historyTtlMs?: number;
  /** The clock expiry is measured with, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Dropped entries at the front of the arrays are spliced away once they are this many and half of them. */
const COMPACT_AT = 1024;

/**
 * The embedded default transport: one process, history in memory, bounded by count and optionally by age.
 *
 * - `dispatch` stores then calls every listener synchronously, in dispatch order, so live order and
 *   replay order are the same sequence (the {@link Transport} ordering rule).
 * - History is a queue (two arrays: updates and their accept times, read from `#start`); the oldest are
 *   dropped from the front when the count is exceeded, and expired ones on every dispatch and read, so
 *   a replay never sees an expired update. The newest update is also kept apart, so its id stays a known
 *   cursor after it expired (see {@link Transport.replay}).
 * - Ids are looked up in O(1) through a map from id to sequence number; the history scan bound is
 *   honoured as "the id must be among the newest `scanLimit` updates", which is what a bounded scan
 *   from the newest entry would find.
 */
export class MemoryTransport implements Transport {
  /** Most held updates; Infinity when unbounded. */
  readonly #capacity: number;
  readonly #expiry: HistoryExpiry;
  readonly #updates: Update[] = [];
  /** Accept time of `#updates[i]`, in ms, never decreasing; empty without a TTL. */
  readonly #times: number[] = [];
  /** Index in the arrays of the oldest held update. */
  #start = 0;
  /** Sequence number of the oldest held update. */
  #head = 0;
  readonly #seqById = new Map<string, number>();
  readonly #listeners = new ListenerSet();
  #closed = false;
  /**
   * Newest dispatched update, kept even with no history (so the subscriptions API has an ETag) and once
   * expired (so its id stays a known cursor, with nothing after it to replay).
   */
  #newest: Update | undefined;

  constructor(options: MemoryTransportOptions = {}) {
    const size = options.historySize ?? HUB_SETTINGS.historySize.default;
    const problem = settingProblem(HUB_SETTINGS.historySize, size);
    if (problem !== undefined) throw new HubConfigError(`MemoryTransport historySize ${problem}`);
    this.#capacity = size === 'unbounded' ? Number.POSITIVE_INFINITY : size;
    this.#expiry = new HistoryExpiry('MemoryTransport', options.historyTtlMs, options.now);
  }

  async dispatch(update: Update): Promise<void> {
    if (this.#closed) throw new Error('The transport is closed; the hub is shutting down');
    this.#dropExpired();
    if (this.#seqById.has(update.id)) throw new DuplicateUpdateIdError(update.id);
    if (this.#capacity > 0) {
      if (this.#held() === this.#capacity) this.#dropOldest();
      this.#seqById.set(update.id, this.#head + this.#held());
      this.#updates.push(update);
      // Accept times only matter with a TTL: without one, no clock read and no second array on publish.
      if (this.#expiry.enabled) {
        const newest = this.#times.length > this.#start ? this.#times[this.#times.length - 1]! : 0;
        this.#times.push(Math.max(this.#expiry.now(), newest));
      }
    }
    this.#newest = update;
    this.#listeners.emit(update);
  }

  listen(listener: (update: Update) => void): () => void {
    return this.#listeners.add(listener);
  }

  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    this.#dropExpired();
    let from: number;
    let cursor: Update | undefined;
    if (afterId === 'earliest') {
      from = this.#start;
    } else {
      const seq = this.#seqById.get(afterId);
      // Not held, yet the newest update: it expired (count eviction never drops the newest when history
      // keeps any). A client at it missed nothing, so it stays known, with nothing to replay.
      if (seq === undefined && this.#capacity > 0 && afterId === this.#newest?.id) {
        return { found: true, updates: [], cursor: this.#newest };
      }
      if (seq === undefined || this.#head + this.#held() - 1 - seq > scanLimit) {
        return { found: false, updates: [] };
      }
      const index = this.#start + seq - this.#head;
      cursor = this.#updates[index];
      from = index + 1;
    }
    const updates = this.#updates.slice(from);
    return cursor === undefined ? { found: true, updates } : { found: true, updates, cursor };
  }

  async lastEventId(): Promise<string | undefined> {
    return this.#newest?.id;
  }

  async historySize(): Promise<number> {
    this.#dropExpired();
    return this.#held();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  #held(): number {
    return this.#updates.length - this.#start;
  }

  #dropExpired(): void {
    if (!this.#expiry.enabled) return;
    const cutoff = this.#expiry.cutoff();
    while (this.#start < this.#times.length && this.#times[this.#start]! <= cutoff) this.#dropOldest();
  }

  #dropOldest(): void {
    this.#seqById.delete(this.#updates[this.#start]!.id);
    this.#start++;
    this.#head++;
    if (this.#start === this.#updates.length) {
      this.#updates.length = 0;
      this.#times.length = 0;
      this.#start = 0;
    } else if (this.#start >= COMPACT_AT && this.#start * 2 >= this.#updates.length) {
      this.#updates.splice(0, this.#start);
      this.#times.splice(0, this.#start);
      this.#start = 0;
    }
  }
}
