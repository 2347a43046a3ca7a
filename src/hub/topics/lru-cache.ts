/**
 * A bounded least-recently-used map. Used for compiled topic templates and (selector, topic) match
 * results, which are derived from untrusted strings and must not grow without bound (docs/security.md#limits).
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`LRU size must be >= 1, got ${max}`);
    this.#max = max;
  }

  /** The cached value, refreshed as most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** Stores `value`, evicting the least recently used entry past the bound. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#map.size;
  }
}
