import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteTransport } from '../../../src/hub/storage/sqlite-transport.js';
import type { Update } from '../../../src/hub/storage/update.js';
import { describeTransportContract } from './transport-contract.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssehub-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const freshPath = () => join(dir, `hub-${++counter}.db`);

describeTransportContract('SqliteTransport (file, durability full)', (options) => {
  return new SqliteTransport({ path: freshPath(), ...options });
});
describeTransportContract('SqliteTransport (file, durability normal, prune every dispatch)', (options) => {
  return new SqliteTransport({ path: freshPath(), ...options, durability: 'normal', pruneEvery: 1 });
});

const update = (id: string): Update => ({ id, topics: ['t'], data: id, private: false });
const ids = (updates: readonly Update[]) => updates.map((u) => u.id);

interface RawDatabase {
  exec(sql: string): void;
  prepare(sql: string): { get(): unknown; all(): unknown[] };
  close(): void;
}
/** The file opened with better-sqlite3 directly, to see what is really stored. */
const openRaw = (path: string) =>
  new (createRequire(import.meta.url)('better-sqlite3') as new (p: string) => RawDatabase)(path);
const rawRows = (path: string) => {
  const raw = openRaw(path);
  const rows = raw.prepare('SELECT id FROM updates ORDER BY seq').all() as { id: string }[];
  raw.close();
  return rows;
};

describe('SqliteTransport persistence', () => {
  it('keeps history, order and duplicate detection across close and reopen', async () => {
    const path = freshPath();
    let t = new SqliteTransport({ path });
    for (const id of ['a', 'b', 'c']) await t.dispatch(update(id));
    await t.close();

    t = new SqliteTransport({ path });
    expect(await t.lastEventId()).toBe('c');
    expect(ids((await t.replay('a', 100)).updates)).toEqual(['b', 'c']);
    await expect(t.dispatch(update('b'))).rejects.toThrow(/already exists/);
    await t.dispatch(update('d'));
    expect(ids((await t.replay('earliest', 100)).updates)).toEqual(['a', 'b', 'c', 'd']);
    await t.close();
  });

  it('deletes pruned rows from the file, and sequence numbers are never reused', async () => {
    const path = freshPath();
    const t = new SqliteTransport({ path, historySize: 5, pruneEvery: 10 });
    for (let i = 0; i < 40; i++) await t.dispatch(update(`u${i}`));
    expect(await t.historySize()).toBe(5);
    await t.close();

    const Database = createRequire(import.meta.url)('better-sqlite3') as new (
      p: string,
    ) => { prepare(s: string): { get(): unknown; all(): unknown[] }; close(): void };
    const raw = new Database(path);
    const { n, lo } = raw.prepare('SELECT count(*) AS n, min(seq) AS lo FROM updates').get() as {
      n: number;
      lo: number;
    };
    raw.close();
    // Pruned at dispatch 40: rows 36..40 remain.
    expect(n).toBe(5);
    expect(lo).toBe(36);

    const again = new SqliteTransport({ path, historySize: 5 });
    await again.dispatch(update('next'));
    expect(ids((await again.replay('u38', 100)).updates)).toEqual(['u39', 'next']);
    expect((await again.replay('u35', 100)).found).toBe(false);
    await again.close();
  });

  it("with historySize 'unbounded' keeps everything (Mercure Bolt size 0)", async () => {
    const t = new SqliteTransport({ path: freshPath(), historySize: 'unbounded', pruneEvery: 1 });
    for (let i = 0; i < 30; i++) await t.dispatch(update(`u${i}`));
    expect(await t.historySize()).toBe(30);
    expect((await t.replay('earliest', 10)).updates).toHaveLength(30);
    await t.close();
  });

  it('refuses a second transport on the same file with an explanation', async () => {
    const path = freshPath();
    const first = new SqliteTransport({ path });
    await first.dispatch(update('a'));
    expect(() => new SqliteTransport({ path })).toThrow(/in use by another process/);
    await first.close();
    const second = new SqliteTransport({ path });
    expect(await second.lastEventId()).toBe('a');
    await second.close();
  });

  it('settles pending dispatches on close', async () => {
    const path = freshPath();
    const t = new SqliteTransport({ path });
    const pending = [t.dispatch(update('a')), t.dispatch(update('b'))];
    await t.close();
    await Promise.all(pending);
    const reopened = new SqliteTransport({ path });
    expect(ids((await reopened.replay('earliest', 10)).updates)).toEqual(['a', 'b']);
    await reopened.close();
  });

  it('deletes the rows of expired updates, keeping the newest row for the last event id', async () => {
    const path = freshPath();
    let clock = 1_000_000;
    const t = new SqliteTransport({ path, historyTtlMs: 60_000, now: () => clock });
    for (let i = 0; i < 10; i++) await t.dispatch(update(`old${i}`));
    clock += 30_000;
    for (let i = 0; i < 5; i++) await t.dispatch(update(`new${i}`));
    clock += 30_000;
    await t.pruneExpired();
    await t.close();
    expect(rawRows(path).map((r) => r.id)).toEqual(['new0', 'new1', 'new2', 'new3', 'new4']);

    clock += 60_000;
    const again = new SqliteTransport({ path, historyTtlMs: 60_000, now: () => clock });
    await again.pruneExpired();
    expect(await again.historySize()).toBe(0);
    expect(await again.lastEventId()).toBe('new4');
    await again.close();
    expect(rawRows(path).map((r) => r.id)).toEqual(['new4']);
  });

  it('its timer deletes expired rows with no publish or read, and close stops the timer', async () => {
    const path = freshPath();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const t = new SqliteTransport({ path, historyTtlMs: 5000 });
      for (const id of ['a', 'b', 'c']) await t.dispatch(update(id));
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(5000); // Date moves with it: a, b and c are 5 s old at the tick.
      await t.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(rawRows(path).map((r) => r.id)).toEqual(['c']);
  });

  it('upgrades a file written before accepted_at: its rows count as accepted at the upgrade', async () => {
    const path = freshPath();
    const raw = openRaw(path);
    raw.exec(`
      CREATE TABLE updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, topics TEXT NOT NULL,
        data TEXT NOT NULL, private INTEGER NOT NULL, type TEXT, retry INTEGER
      );
      INSERT INTO updates (id, topics, data, private) VALUES ('a', '["t"]', 'a', 0), ('b', '["t"]', 'b', 0);
      PRAGMA user_version = 1;
    `);
    raw.close();
    let clock = 5_000_000;
    const t = new SqliteTransport({ path, historyTtlMs: 1000, now: () => clock });
    expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['a', 'b']);
    clock += 500;
    await t.dispatch(update('c'));
    clock += 500;
    expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['c']);
    expect((await t.replay('a', 10)).found).toBe(false);
    await t.close();
    const check = openRaw(path);
    const indexes = check.prepare('PRAGMA index_list(updates)').all() as { name: string }[];
    check.close();
    expect(indexes.map((i) => i.name)).toContain('updates_accepted_at');
  });

  it('validates its options', () => {
    expect(() => new SqliteTransport({ path: freshPath(), historySize: -1 })).toThrow(/historySize/);
    expect(() => new SqliteTransport({ path: freshPath(), pruneEvery: 0 })).toThrow(/pruneEvery/);
    expect(() => new SqliteTransport({ path: freshPath(), historyTtlMs: -1 })).toThrow(/historyTtlMs/);
    expect(() => new SqliteTransport({ path: freshPath(), historyTtlMs: 1.5 })).toThrow(/historyTtlMs/);
  });
});
