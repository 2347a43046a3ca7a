import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisTransport } from '../../../src/hub/storage/redis-transport.js';
import { DuplicateUpdateIdError } from '../../../src/hub/storage/transport.js';
import type { Update } from '../../../src/hub/storage/update.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { describeTransportContract } from './transport-contract.js';

let redis: RedisServer;
beforeAll(async () => {
  if (REDIS_ENABLED) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
});

/** A transport on a key prefix of its own, so each contract test starts from an empty hub. */
async function fresh(options: ConstructorParameters<typeof RedisTransport>[0] = {}): Promise<RedisTransport> {
  const transport = new RedisTransport({ url: redis.url, keyPrefix: `{t-${randomUUID()}}:`, ...options });
  await transport.connected();
  return transport;
}

describe.runIf(REDIS_ENABLED)('RedisTransport', () => {
  describeTransportContract('RedisTransport (retention = historySize)', (options) =>
    fresh({
      ...options,
      ...(typeof options.historySize === 'number' ? { minRetention: Math.max(1, options.historySize) } : {}),
    }),
  );
  describeTransportContract('RedisTransport (retention above historySize)', (options) =>
    fresh({ ...options, minRetention: 10_000 }),
  );
});

const update = (id: string): Update => ({ id, topics: ['https://example.com/t'], data: id, private: false });
const ids = (updates: readonly Update[]) => updates.map((u) => u.id);

describe.runIf(REDIS_ENABLED)('RedisTransport across nodes', () => {
  const open: RedisTransport[] = [];
  const node = async (prefix: string, options: ConstructorParameters<typeof RedisTransport>[0] = {}) => {
    const transport = new RedisTransport({ url: redis.url, keyPrefix: prefix, ...options });
    open.push(transport);
    await transport.connected();
    return transport;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it('gives every node the same order, whichever node published', async () => {
    const prefix = `{n-${randomUUID()}}:`;
    const [a, b, c] = [await node(prefix), await node(prefix), await node(prefix)];
    const seen: Record<string, string[]> = { a: [], b: [], c: [] };
    a.listen((u) => seen.a!.push(u.id));
    b.listen((u) => seen.b!.push(u.id));
    c.listen((u) => seen.c!.push(u.id));
    await Promise.all(Array.from({ length: 60 }, (_, i) => [a, b, c][i % 3]!.dispatch(update(`u${i}`))));
    // Every dispatch resolved; the other nodes' readers may still be delivering the last entries.
    await vi.waitFor(() => expect(seen.b).toHaveLength(60));
    await vi.waitFor(() => expect(seen.c).toHaveLength(60));
    expect(seen.a).toHaveLength(60);
    expect(seen.b).toEqual(seen.a);
    expect(seen.c).toEqual(seen.a);
    expect(ids((await c.replay('earliest', 100)).updates)).toEqual(seen.a);
  });

  it('refuses an id another node already stored, and replays from a cursor on any node', async () => {
    const prefix = `{n-${randomUUID()}}:`;
    const [a, b] = [await node(prefix), await node(prefix)];
    await a.dispatch(update('x'));
    await a.dispatch(update('y'));
    await expect(b.dispatch(update('x'))).rejects.toBeInstanceOf(DuplicateUpdateIdError);
    await b.dispatch(update('z'));
    expect(ids((await a.replay('x', 100)).updates)).toEqual(['y', 'z']);
    expect(ids((await b.replay('x', 100)).updates)).toEqual(['y', 'z']);
    expect(await a.lastEventId()).toBe('z');
  });

  it('keeps hubs with different key prefixes apart', async () => {
    const a = await node(`{p-${randomUUID()}}:`);
    const b = await node(`{p-${randomUUID()}}:`);
    const seen: string[] = [];
    b.listen((u) => seen.push(u.id));
    await a.dispatch(update('only-a'));
    await b.dispatch(update('only-a'));
    expect(seen).toEqual(['only-a']);
    expect(await a.historySize()).toBe(1);
  });

  it('trims the stream and the id index together', async () => {
    const prefix = `{trim-${randomUUID()}}:`;
    const t = await node(prefix, { historySize: 5, minRetention: 5 });
    for (let i = 0; i < 300; i++) await t.dispatch(update(`u${i}`));
    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    try {
      // MAXLEN ~ trims whole stream nodes, so the stream may hold a few more entries than retention;
      // the index holds exactly the retained ones.
      expect(await raw.hlen(`${prefix}ids`)).toBe(5);
      expect(await raw.xlen(`${prefix}stream`)).toBeLessThan(300);
    } finally {
      raw.disconnect();
    }
    // An evicted id is forgotten: it may be used again, as on a single node.
    await t.dispatch(update('u0'));
    expect((await t.replay('u294', 100)).found).toBe(false);
    expect(ids((await t.replay('u296', 100)).updates)).toEqual(['u297', 'u298', 'u299', 'u0']);
  });

  it('removes expired entries and their ids from Redis, in batches, keeping the newest entry', async () => {
    const prefix = `{ttl-${randomUUID()}}:`;
    let clock = 1_000_000;
    const t = await node(prefix, { historySize: 'unbounded', historyTtlMs: 60_000, now: () => clock });
    // More than one prune batch (1,000) of expired entries.
    const old = Array.from({ length: 2500 }, (_, i) => t.dispatch(update(`old${i}`)));
    await Promise.all(old);
    clock += 30_000;
    for (let i = 0; i < 3; i++) await t.dispatch(update(`new${i}`));
    clock += 30_000;
    await t.pruneExpired();
    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    try {
      expect(await raw.xlen(`${prefix}stream`)).toBe(3);
      expect((await raw.hkeys(`${prefix}ids`)).sort()).toEqual(['new0', 'new1', 'new2']);
      clock += 60_000;
      await t.pruneExpired();
      // Everything expired: the newest entry stays for the last event id, a known cursor with nothing after it.
      expect(await raw.xlen(`${prefix}stream`)).toBe(1);
      expect(await t.lastEventId()).toBe('new2');
      expect(await t.historySize()).toBe(0);
      expect(await t.replay('new2', 100)).toEqual({ found: true, updates: [], cursor: update('new2') });
      expect((await t.replay('new1', 100)).found).toBe(false);
    } finally {
      raw.disconnect();
    }
    // An expired id is forgotten, as an evicted one.
    await t.dispatch(update('old0'));
    expect(ids((await t.replay('earliest', 100)).updates)).toEqual(['old0']);
  });

  it("every node's timer removes expired entries with no publish or read; close stops it", async () => {
    const prefix = `{ttl-${randomUUID()}}:`;
    let clock = 1_000_000;
    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    // Only intervals are faked: ioredis keeps its real timeouts.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const t = await node(prefix, { historyTtlMs: 5000, now: () => clock });
      for (const id of ['a', 'b', 'c']) await t.dispatch(update(id));
      clock += 5000;
      await vi.advanceTimersByTimeAsync(5000);
      await vi.waitFor(async () => expect(await raw.xlen(`${prefix}stream`)).toBe(1));
      expect(await raw.hkeys(`${prefix}ids`)).toEqual(['c']);
      await t.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
      raw.disconnect();
    }
  });

  it('expires by age the same on every node, and any nodes may remove expired entries at once', async () => {
    const prefix = `{ttl-${randomUUID()}}:`;
    let clock = 1_000_000;
    const now = () => clock;
    const [a, b] = [
      await node(prefix, { historyTtlMs: 1000, now }),
      await node(prefix, { historyTtlMs: 1000, now }),
    ];
    for (let i = 0; i < 10; i++) await [a, b][i % 2]!.dispatch(update(`x${i}`));
    clock += 600;
    for (let i = 0; i < 10; i++) await [a, b][i % 2]!.dispatch(update(`y${i}`));
    clock += 400;
    const ys = Array.from({ length: 10 }, (_, i) => `y${i}`);
    expect(ids((await b.replay('earliest', 100)).updates)).toEqual(ys);
    await Promise.all([a.pruneExpired(), b.pruneExpired(), a.pruneExpired()]);
    for (const n of [a, b]) {
      expect(ids((await n.replay('earliest', 100)).updates)).toEqual(ys);
      expect((await n.replay('x9', 100)).found).toBe(false);
      expect(ids((await n.replay('y7', 100)).updates)).toEqual(['y8', 'y9']);
      expect(await n.historySize()).toBe(10);
    }
  });

  it('keeps accept times in stream order when a node publishes with a clock behind', async () => {
    const prefix = `{ttl-${randomUUID()}}:`;
    let ahead = 1_000_000;
    const a = await node(prefix, { historyTtlMs: 1000, now: () => ahead });
    const b = await node(prefix, { historyTtlMs: 1000, now: () => ahead - 5000 });
    await a.dispatch(update('first'));
    // b's clock says 5 s earlier: its update counts as accepted with the one before it, not before it.
    await b.dispatch(update('second'));
    ahead += 999;
    expect(ids((await a.replay('earliest', 100)).updates)).toEqual(['first', 'second']);
    ahead += 1;
    expect(ids((await a.replay('earliest', 100)).updates)).toEqual([]);
  });

  it('with historySize unbounded keeps and indexes everything', async () => {
    const t = await node(`{unb-${randomUUID()}}:`, { historySize: 'unbounded' });
    for (let i = 0; i < 120; i++) await t.dispatch(update(`u${i}`));
    expect(await t.historySize()).toBe(120);
    expect((await t.replay('earliest', 10)).updates).toHaveLength(120);
    expect(ids((await t.replay('u0', 1000)).updates)).toHaveLength(119);
  });

  it('registers every labelled metric series at 0 before the first call', async () => {
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    const t = await node(`{metrics-${randomUUID()}}:`);
    t.registerMetrics(registry);
    const text = await registry.metrics();
    for (const operation of ['publish', 'replay']) {
      expect(text).toContain(`ssehub_transport_round_trip_seconds_count{operation="${operation}"} 0\n`);
    }
  });

  it('validates its options', () => {
    expect(() => new RedisTransport({ historySize: -1 })).toThrow(/historySize/);
    expect(() => new RedisTransport({ maxReaderLag: 0 })).toThrow(/maxReaderLag/);
    expect(() => new RedisTransport({ historyTtlMs: -5 })).toThrow(/historyTtlMs/);
  });
});
