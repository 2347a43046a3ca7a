import { DemoHttpError } from './http-error.js';

/**
 * A fixed-window request counter per key (the client address): at most `limit` hits per `windowMs`.
 * Bounded: at most `maxKeys` keys are tracked; expired windows are dropped first, then the oldest.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly what: string,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; throws a 429 with `Retry-After` when the window is full. */
  hit(key: string): void {
    const now = this.now();
    let window = this.#windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      this.#windows.delete(key);
      if (this.#windows.size >= this.maxKeys) this.#prune(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= this.limit) {
      const wait = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
      throw new DemoHttpError(
        'SSEHUB_DEMO_RATE_LIMITED',
        `Too many ${this.what}: at most ${this.limit} per ${this.windowMs / 1000} s; try again in ${wait} s`,
        wait,
      );
    }
    window.count += 1;
  }

  #prune(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.windowMs) this.#windows.delete(key);
    }
    // Still full: forget the oldest keys (Map iterates in insertion order).
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.maxKeys) break;
      this.#windows.delete(key);
    }
  }
}
