import { randomDelay } from '../../server/index.js';

/** Longest delay `setTimeout` accepts (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;

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

/** Runs `fn` at epoch time `at` (ms), re-arming past `setTimeout`'s range; returns the canceller. */
export function runAt(at: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const delay = at - Date.now();
    if (delay <= 0) {
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_TIMEOUT));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
