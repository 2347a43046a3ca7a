import { createRequire } from 'node:module';
import { HubConfigError } from '../options.js';

const require = createRequire(import.meta.url);

/**
 * Loads a storage driver that ssehub declares as an optional peer dependency (`better-sqlite3`,
 * `ioredis`), so that users of the in-memory hub, the server library or the client never install or
 * compile it. Called only when a storage engine that needs the driver is configured.
 *
 * @param name npm package name of the driver.
 * @param feature what needs it, for the message (e.g. `the SQLite transport (--db)`).
 * @throws {HubConfigError} when the package is not installed, with the command that installs it.
 */
export function requireDriver<T>(name: string, feature: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String(error).includes(`'${name}'`)) {
      throw new HubConfigError(
        `${feature} needs the optional package "${name}", which is not installed. Install it next to ssehub: npm install ${name}`,
      );
    }
    throw error;
  }
}
