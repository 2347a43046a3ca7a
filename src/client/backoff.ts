/**
 * How long to wait before the next connection attempt (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model "reestablish the connection", steps 2
 * and 3: wait the reconnection time, then "optionally, wait some more … an exponential backoff delay").
 */

/** Smallest base of the exponential backoff, in ms: failures always back off, even from a 0 ms reconnection time. */
const MIN_BACKOFF_BASE = 1;

/** Inputs of {@link reconnectDelay}. */
export interface BackoffInput {
  /** The reconnection time: the latest `retry:` value, or the configured default. */
  reconnectionTime: number;
  /** Consecutive failed attempts since the last healthy connection; 0 right after a healthy one. */
  failures: number;
  /** Upper bound of a backoff delay, in ms. Never lowers a server's `retry:` below what it asked for. */
  maxDelay: number;
  /** A source of uniform numbers in [0, 1), `Math.random` by default; injectable for tests. */
  random: () => number;
  /** The healthy connection was lost to an error (network, stall) rather than ended by the server. */
  lostToError?: boolean;
}

/**
 * The delay before the next attempt. After a healthy connection ended cleanly (`failures` 0) it is exactly
 * the reconnection time, as the spec says. After a healthy connection was lost to an error it is the
 * reconnection time plus a random share of one more (the spec's "optionally, wait some more"): a server
 * crash drops every client at once, and this keeps them from all returning in the same millisecond.
 * After `n` failures it is "full jitter" (docs/shutdown.md#spreading-the-reconnections): uniform in
 * `[0, min(cap, base × 2^n))` where `base = max(reconnectionTime, 1)` and `cap = max(maxDelay, base)`, so a fleet that lost its server spreads its
 * reconnects instead of returning in lockstep, and the mean of the first failure's delay is `base`.
 */
export function reconnectDelay({
  reconnectionTime,
  failures,
  maxDelay,
  random,
  lostToError = false,
}: BackoffInput): number {
  if (failures <= 0)
    return lostToError ? reconnectionTime + Math.floor(random() * reconnectionTime) : reconnectionTime;
  // A base of 0 (`reconnectionTime: 0`) would keep every backoff at 0 ms: a hot loop against a failing
  // server. Grow from at least 1 ms, so the ceiling doubles up to the cap like any other base.
  const base = Math.max(reconnectionTime, MIN_BACKOFF_BASE);
  const cap = Math.max(maxDelay, base);
  // 2^31 is far past any cap; the bound keeps the exponent from overflowing to Infinity.
  const ceiling = Math.min(cap, base * 2 ** Math.min(failures, 31));
  return Math.floor(random() * ceiling);
}
