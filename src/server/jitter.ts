/**
 * A uniformly random whole number of ms in [`min`, `max`]: the one jitter formula behind every randomised
 * delay of the server library and the hub (a `retry:` told to a client, a connection's maximum lifetime),
 * so a fleet of clients spreads out instead of reconnecting in step. `random` gives uniform numbers in
 * [0, 1), `Math.random` by default (inject one in tests).
 */
export function randomDelay(min: number, max: number, random: () => number = Math.random): number {
  return Math.round(min + (max - min) * random());
}

/**
 * `base` plus up to `jitter × base` of random extra, in whole ms: a per-connection `retry:` that spreads
 * reconnects over [`base`, `base × (1 + jitter)`] instead of a storm.
 */
export function jitteredRetry(base: number, jitter: number, random: () => number = Math.random): number {
  return randomDelay(base, base * (1 + jitter), random);
}
