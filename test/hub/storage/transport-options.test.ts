/**
 * Every storage engine refuses an option that cannot work with the hub's configuration error (a stable
 * code, the engine and the option named), as createHub does for the same settings: not a bare RangeError
 * from one engine and a HubConfigError from another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HubConfigError,
  MemoryTransport,
  RedisTransport,
  SqliteTransport,
  type Transport,
} from '../../../src/hub/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ssehub-transport-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Options = Record<string, unknown>;
const ENGINES: ReadonlyArray<[string, (options: Options) => Transport]> = [
  ['MemoryTransport', (options) => new MemoryTransport(options)],
  ['SqliteTransport', (options) => new SqliteTransport({ path: join(dir, 'hub.db'), ...options })],
  // Refused before any connection is attempted: no Redis server is needed.
  ['RedisTransport', (options) => new RedisTransport({ url: 'redis://127.0.0.1:1', ...options })],
];

const BAD: ReadonlyArray<[string, unknown]> = [
  ['historySize', Number.NaN],
  ['historySize', -1],
  ['historySize', '10'],
  ['historyTtlMs', Number.NaN],
  ['historyTtlMs', Number.POSITIVE_INFINITY],
  ['historyTtlMs', -1],
  ['historyTtlMs', 1.5],
  ['historyTtlMs', '10m'],
];

function refusal(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('storage engine options', () => {
  for (const [engine, make] of ENGINES) {
    for (const [option, value] of BAD) {
      it(`${engine} refuses ${option} ${typeof value === 'string' ? JSON.stringify(value) : String(value)} with HubConfigError`, () => {
        const error = refusal(() => make({ [option]: value }));
        expect(error).toBeInstanceOf(HubConfigError);
        expect((error as HubConfigError).code).toBe('SSEHUB_HUB_CONFIG');
        expect((error as Error).message).toContain(`${engine} ${option}`);
      });
    }
  }

  it('SqliteTransport refuses pruneEvery 0 with HubConfigError', () => {
    const error = refusal(() => new SqliteTransport({ path: join(dir, 'hub.db'), pruneEvery: 0 }));
    expect(error).toBeInstanceOf(HubConfigError);
    expect((error as Error).message).toContain('SqliteTransport pruneEvery');
  });
});
