import { MAX_TIMER_MS } from '../../protocol/index.js';
import { randomDelay } from '../../server/index.js';

/**
 * One connection's maximum lifetime (Mercure `write_timeout`): randomised to 80-100 % of
 * `writeTimeoutMs` so reconnections spread out instead of arriving in waves, minus one
 * `dispatchTimeoutMs` so the final write still ends within `writeTimeoutMs`. At least 1 ms.
 * `resolveHubOptions` refuses a write timeout under twice the dispatch timeout, which would leave next to
 * no lifetime (HUB_SETTING_RULES).
 */
export function connectionLifetime(
  writeTimeoutMs: number,
  dispatchTimeoutMs: number,
  random: () => number = Math.random,
): number {
  return Math.max(1, randomDelay(0.8 * writeTimeoutMs, writeTimeoutMs, random) - dispatchTimeoutMs);
}

/**
 * A connection with a deadline in {@link ConnectionDeadlines}. The two fields belong to the deadlines
 * (start them at `Infinity` and `-1`); `deadlineReached` runs once, when the deadline passes.
 */
export interface DeadlineHolder {
  /** Epoch ms. */
  deadlineAt: number;
  /** Position in the deadlines' heap, -1 when not in it. */
  deadlineSlot: number;
  deadlineReached(): void;
}

/**
 * Every open connection's deadline (token `exp`, maximum lifetime) on one timer, armed for the earliest:
 * a binary min-heap of the connections themselves, so a connection costs two numbers and one array slot
 * instead of a `Timeout`, its timer list and closures (about 0.5 KiB per idle subscriber). Deadlines
 * further than `setTimeout`'s range are reached by re-arming.
 */
export class ConnectionDeadlines {
  readonly #heap: DeadlineHolder[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for (Infinity: none). */
  #armedAt = Number.POSITIVE_INFINITY;

  /** How many connections wait for a deadline. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Calls `holder.deadlineReached()` at epoch ms `at`, or at its earlier deadline if it has one; at once,
   * before returning, when `at` has passed (a token that expired within the clock tolerance).
   */
  add(holder: DeadlineHolder, at: number): void {
    if (at <= Date.now()) {
      this.remove(holder);
      holder.deadlineReached();
      return;
    }
    if (holder.deadlineSlot >= 0) {
      if (at >= holder.deadlineAt) return;
      holder.deadlineAt = at;
      this.#up(holder.deadlineSlot);
    } else {
      holder.deadlineAt = at;
      holder.deadlineSlot = this.#heap.length;
      this.#heap.push(holder);
      this.#up(holder.deadlineSlot);
    }
    if (at < this.#armedAt) this.#arm();
  }

  /** Forgets `holder`'s deadline; a no-op when it has none. */
  remove(holder: DeadlineHolder): void {
    const slot = holder.deadlineSlot;
    if (slot < 0) return;
    holder.deadlineSlot = -1;
    const last = this.#heap.pop()!;
    if (last !== holder) {
      this.#heap[slot] = last;
      last.deadlineSlot = slot;
      this.#down(slot);
      this.#up(last.deadlineSlot);
    }
    if (this.#heap.length === 0) this.#disarm();
  }

  /** Cancels the timer; deadlines already added stay until removed. */
  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    this.#disarm();
    const first = this.#heap[0];
    if (first === undefined) return;
    this.#armedAt = first.deadlineAt;
    const delay = Math.min(Math.max(0, first.deadlineAt - Date.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => this.#fire(), delay);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let first = this.#heap[0]; first !== undefined && first.deadlineAt <= now; first = this.#heap[0]) {
      this.remove(first);
      first.deadlineReached();
    }
    // deadlineReached may have added or removed deadlines (and armed): arm for the earliest left.
    if (this.#heap.length > 0) this.#arm();
  }

  #up(slot: number): void {
    const heap = this.#heap;
    const item = heap[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot]!;
      if (parent.deadlineAt <= item.deadlineAt) break;
      heap[slot] = parent;
      parent.deadlineSlot = slot;
      slot = parentSlot;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
  }

  #down(slot: number): void {
    const heap = this.#heap;
    const item = heap[slot]!;
    const n = heap.length;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]!.deadlineAt < heap[child]!.deadlineAt) child++;
      const next = heap[child]!;
      if (next.deadlineAt >= item.deadlineAt) break;
      heap[slot] = next;
      next.deadlineSlot = slot;
      slot = child;
    }
    heap[slot] = item;
    item.deadlineSlot = slot;
  }
}
