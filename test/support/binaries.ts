import { existsSync } from 'node:fs';

/** Where the browser suites expect Debian's Chromium (Playwright cannot download browsers here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Path of `redis-server`, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const candidate of [
    process.env.REDIS_SERVER,
    '/usr/bin/redis-server',
    '/usr/local/bin/redis-server',
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether a suite that needs `what` may run. Outside CI a missing binary skips the suite; under
 * `CI=true` it throws, so a missing install step fails the build instead of hiding tests.
 */
export function requireBinary(what: string, path: string | undefined): boolean {
  if (path && existsSync(path)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `${what} is required under CI=true but was not found (${path ?? 'no path'}); install it in .ci/run`,
    );
  }
  return false;
}
