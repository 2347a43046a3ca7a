/**
 * Adaptive write coalescing for fan-out: the fixed cost of a fan-out is one socket write per subscriber
 * (a loopback `write()` costs about the same for 100 bytes as for 4 KiB), so under load several events
 * should share one write. A {@link Coalescer} runs each item at once while fan-outs are cheap, and once
 * the runs of the last `windowMs` have together cost at least {@link BUSY_CPU_MS} of CPU (one large fan-out,
 * or many small ones: 100 topics of 100 subscribers each under load) it collects what arrives during the
 * next `windowMs` and runs it as one batch: all the batch's frames reach a socket within one tick, and the
 * socket, corked per tick, sends them in one write. Idle traffic therefore gets no added latency (a lone
 * cheap item always runs at once); added latency under load is bounded by the window. Order is kept: items
 * run in push order, batches one after another.
 */

/**
 * CPU the runs of one window must cost together before the next items are batched: 1 ms, about 100
 * loopback socket writes, so at least half of a default 2 ms window spent fanning out.
 */
export const BUSY_CPU_MS = 1;
/** Default coalescing window in ms (hub `fanOutWindowMs`, Channel `coalesceMs`). */
export const DEFAULT_COALESCE_MS = 2;
/** Largest accepted coalescing window in ms: the bound on the latency it may add. */
export const MAX_COALESCE_MS = 50;
/**
 * Bytes a waiting batch may reach before it is written without waiting for the window's end: 12 KiB, under
 * Node's default 16 KiB socket high-water mark, so a batch alone never makes a socket report backpressure
 * (which would start the congestion bookkeeping for every subscriber), and a burst of large events never
 * makes a reader that keeps up look slow.
 */
export const MAX_BATCH_BYTES = 12 * 1024;

/** A millisecond clock of this process's CPU time (user + system), falling back to wall time off Node. */
function cpuClock(): () => number {
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  const usage = proc?.cpuUsage;
  if (typeof usage !== 'function') return () => Date.now();
  return () => {
    const u = usage.call(proc);
    return (u.user + u.system) / 1000;
  };
}

/** A wall clock in ms for the accounting period (monotonic where available). */
const wallClock: () => number =
  typeof globalThis.performance?.now === 'function' ? () => performance.now() : () => Date.now();

/** Schedules after the current tick's own follow-ups (the per-tick uncorks), where present. */
const afterTick: (fn: () => void) => void =
  (globalThis as { process?: { nextTick?: (fn: () => void) => void } }).process?.nextTick ??
  ((fn) => queueMicrotask(fn));

/** Options of a {@link Coalescer}. */
export interface CoalescerOptions<T> {
  /** Runs a batch (one or more items, in push order). Must not throw: a throw is rethrown to `push`. */
  run: (batch: readonly T[]) => void;
  /** Collection window in ms after a costly run; 0 runs every item at once. */
  windowMs: number;
  /** Bytes an item adds to the batch (see {@link MAX_BATCH_BYTES}); default 0. */
  bytes?: (item: T) => number;
  /** @internal CPU clock in ms (tests). */
  cpuMs?: () => number;
  /** @internal Wall clock in ms (tests). */
  nowMs?: () => number;
}

/** Runs items at once when idle, in bounded batches under load. See the module comment. */
export class Coalescer<T> {
  readonly #run: (batch: readonly T[]) => void;
  readonly #windowMs: number;
  readonly #cpuMs: () => number;
  readonly #nowMs: () => number;
  readonly #bytes: ((item: T) => number) | undefined;
  /** CPU ms the runs measured since {@link #spentSince} cost together. */
  #spent = 0;
  /** Wall ms when the current accounting period (one window long) started. */
  #spentSince = Number.NEGATIVE_INFINITY;
  /** Whether this tick's runs are being measured (the measurement ends after the tick). */
  #measuring = false;
  #pending: T[] = [];
  #pendingBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: CoalescerOptions<T>) {
    this.#run = options.run;
    this.#windowMs = options.windowMs;
    this.#cpuMs = options.cpuMs ?? cpuClock();
    this.#nowMs = options.nowMs ?? wallClock;
    this.#bytes = options.bytes;
  }

  /** Items waiting for the window to end. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Runs `item` now when idle; while a window is open, adds it to the batch run when it closes. */
  push(item: T): void {
    if (this.#timer !== undefined) {
      this.#pending.push(item);
      if (this.#bytes !== undefined) {
        this.#pendingBytes += this.#bytes(item);
        if (this.#pendingBytes >= MAX_BATCH_BYTES) this.#measured(this.#take());
      }
      return;
    }
    this.#measured([item]);
  }

  /** Runs whatever is waiting now (before a membership change or a close), keeping the window open. */
  flush(): void {
    if (this.#pending.length > 0) this.#run(this.#take());
  }

  /** Runs what is waiting and stops the window timer: nothing is batched afterwards until the next cost. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }

  /**
   * Runs a batch; once the tick's writes are done, adds its cost to the current period's and opens a window
   * when the period's runs cost enough together.
   */
  #measured(batch: readonly T[]): void {
    if (this.#windowMs === 0) {
      this.#run(batch);
      return;
    }
    // Runs of one tick are measured together, once: their writes go out in that tick's uncorks.
    if (this.#measuring) {
      this.#run(batch);
      return;
    }
    const start = this.#cpuMs();
    this.#measuring = true;
    try {
      this.#run(batch);
    } finally {
      afterTick(() => {
        this.#measuring = false;
        this.#account(this.#cpuMs() - start);
      });
    }
  }

  #account(costMs: number): void {
    const now = this.#nowMs();
    if (now - this.#spentSince >= this.#windowMs) {
      this.#spentSince = now;
      this.#spent = 0;
    }
    this.#spent += costMs;
    if (this.#spent >= BUSY_CPU_MS) {
      this.#spent = 0;
      this.#spentSince = Number.NEGATIVE_INFINITY;
      this.#open();
    }
  }

  #open(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(this.#onWindowEnd, this.#windowMs);
  }

  readonly #onWindowEnd = (): void => {
    this.#timer = undefined;
    if (this.#pending.length > 0) this.#measured(this.#take());
  };

  #take(): T[] {
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    return batch;
  }
}
