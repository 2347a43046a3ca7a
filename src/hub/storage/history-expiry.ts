import { settingProblem } from '../../protocol/index.js';
import { HubConfigError } from '../options.js';
import { HUB_SETTINGS } from '../settings.js';

/**
 * History by age (the hub's `historyTtlMs`, nchan's `message_timeout`): an update accepted `ttlMs` or more
 * ago is expired. It is no longer replayed nor counted as history, and a Last-Event-ID naming it is
 * unknown, exactly like an id evicted by count. Every engine enforces it when reading (so nothing expired is
 * replayed between cleanups) and reclaims the storage of expired updates on its own schedule.
 *
 * Accept times never decrease within one history (each engine stores `max(now, newest time)`), so the
 * expired updates are always the oldest ones: a prefix, dropped from the front.
 */
export class HistoryExpiry {
  /** 0 when history is kept by count only. */
  readonly ttlMs: number;
  readonly #now: () => number;

  /**
   * @param ttlMs Age limit in ms; 0 keeps updates whatever their age. Default: the hub's `historyTtlMs`.
   * @param now The clock, in ms since the epoch. Default `Date.now`.
   * @throws {HubConfigError} when `ttlMs` is not an integer >= 0.
   */
  constructor(engine: string, ttlMs: number | undefined, now: (() => number) | undefined) {
    const ttl = ttlMs ?? HUB_SETTINGS.historyTtlMs.default;
    const problem = settingProblem(HUB_SETTINGS.historyTtlMs, ttl);
    if (problem !== undefined) throw new HubConfigError(`${engine} historyTtlMs ${problem}`);
    this.ttlMs = ttl;
    this.#now = now ?? Date.now;
  }

  /** True when updates expire by age. */
  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The clock, in ms. */
  now(): number {
    return this.#now();
  }

  /** Updates accepted at or before this time (ms) are expired; -Infinity when nothing expires by age. */
  cutoff(): number {
    return this.enabled ? this.#now() - this.ttlMs : Number.NEGATIVE_INFINITY;
  }

  /**
   * Runs `prune` periodically (every TTL, at least every second and at most every minute) without keeping
   * the process alive; returns the function that stops it. Does nothing when nothing expires by age.
   * A failing `prune` is retried at the next tick (reads already hide expired updates).
   */
  schedule(prune: () => unknown): () => void {
    if (!this.enabled) return () => {};
    const every = Math.min(Math.max(this.ttlMs, 1_000), 60_000);
    const timer = setInterval(() => {
      Promise.resolve()
        .then(prune)
        .catch(() => {});
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }
}
