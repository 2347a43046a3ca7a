/**
 * Storage drivers are optional peer dependencies: the in-memory hub must never load them, and a missing
 * driver must be named with the command that installs it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HubConfigError } from '../../../src/hub/options.js';
import { requireDriver } from '../../../src/hub/storage/optional-driver.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url);

describe('optional storage drivers', () => {
  it('are peer dependencies marked optional, not dependencies', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const driver of ['better-sqlite3', 'ioredis']) {
      expect(pkg.dependencies[driver]).toBeUndefined();
      expect(pkg.peerDependencies[driver]).toBeDefined();
      expect(pkg.peerDependenciesMeta[driver]?.optional).toBe(true);
    }
  });

  it('are not loaded by a hub with the default in-memory storage', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const { createHub } = await import(${JSON.stringify(new URL('src/hub/index.ts', root).href)});
      const hub = createHub({ allowAnonymous: true });
      await hub.publish({ topics: ['t'], data: 'x' });
      await hub.close();
      const require = createRequire(import.meta.url);
      const loaded = Object.keys(require.cache).filter((p) => /node_modules[\\\\/](better-sqlite3|ioredis)[\\\\/]/.test(p));
      console.log(JSON.stringify(loaded));
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('.', root),
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([]);
  });

  it('name the package and the install command when missing', () => {
    let caught: unknown;
    try {
      requireDriver('ssehub-no-such-driver', 'The test storage');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HubConfigError);
    expect(String((caught as Error).message)).toBe(
      'The test storage needs the optional package "ssehub-no-such-driver", which is not installed. Install it next to ssehub: npm install ssehub-no-such-driver',
    );
  });
});

describe('opening SQLite storage', () => {
  it('names the missing folder and the fix, instead of better-sqlite3 "the directory does not exist"', async () => {
    const { SqliteTransport } = await import('../../../src/hub/storage/sqlite-transport.js');
    const path = '/nonexistent-ssehub-folder/sub/hub.db';
    expect(() => new SqliteTransport({ path })).toThrow(HubConfigError);
    expect(() => new SqliteTransport({ path })).toThrow(
      'Cannot open the SQLite database /nonexistent-ssehub-folder/sub/hub.db: the folder /nonexistent-ssehub-folder/sub does not exist. Create it (mkdir -p) or choose a path in an existing folder.',
    );
  });
});
