/**
 * `historyTtlMs` end to end over HTTP: publish, let the clock pass the TTL, reconnect with Last-Event-ID.
 * The hub's clock (Date) is faked and moved by hand; timers, sockets and the storage engines are real.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubOptions } from '../../src/hub/index.js';
import { RedisTransport } from '../../src/hub/storage/redis-transport.js';
import { SqliteTransport } from '../../src/hub/storage/sqlite-transport.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../support/redis-server.js';
import {
  publishOk,
  type RunningHub,
  SECRET,
  startHub,
  subscribe,
  subscribeUrl,
  type TestSubscriber,
  token,
} from './support/harness.js';

const TTL = 60_000;
let dir: string;
let redis: RedisServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssehub-ttl-'));
  if (REDIS_ENABLED) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const running: RunningHub[] = [];
const subscribers: TestSubscriber[] = [];
afterEach(async () => {
  for (const s of subscribers.splice(0)) s.abort();
  await Promise.all(running.splice(0).map((h) => h.close()));
  vi.useRealTimers();
});

/** Each engine as the hub gets it: memory from the hub option itself, the others built with the same TTL. */
const engines: [string, () => HubOptions][] = [
  ['memory (createHub historyTtlMs)', () => ({ historyTtlMs: TTL })],
  [
    'SQLite',
    () => ({ transport: new SqliteTransport({ path: join(dir, `${randomUUID()}.db`), historyTtlMs: TTL }) }),
  ],
];
if (REDIS_ENABLED) {
  engines.push([
    'Redis',
    () => ({
      transport: new RedisTransport({
        url: redis!.url,
        keyPrefix: `{ttl-${randomUUID()}}:`,
        historyTtlMs: TTL,
      }),
    }),
  ]);
}

describe.each(engines)('history by age over HTTP: %s', (_name, options) => {
  it('does not replay expired updates, answers an expired Last-Event-ID as unknown, replays the rest', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const h = await startHub(options(), { key: { key: SECRET }, anonymous: true });
    running.push(h);
    const publisher = await token({ publish: ['*'] });
    const topic = 'https://example.com/ttl';
    const send = (id: string) => publishOk(h.base, { topic, id, data: id }, publisher);
    const metric = async () => {
      const text = await (await fetch(`${h.base}/metrics`)).text();
      return Number(/^ssehub_hub_history_size (\d+)$/m.exec(text)?.[1]);
    };

    await send('a');
    await send('b');
    vi.setSystemTime(Date.now() + TTL / 2);
    await send('c');
    expect(await metric()).toBe(3);
    vi.setSystemTime(Date.now() + TTL / 2); // a and b are TTL old now, c half of it.
    expect(await metric()).toBe(1);

    const atExpired = await subscribe(subscribeUrl(h.base, [topic]), { 'last-event-id': 'b' });
    subscribers.push(atExpired);
    expect(atExpired.response.headers.get('mercure-last-event-id')).toBe('earliest');
    const atLive = await subscribe(subscribeUrl(h.base, [topic]), { 'last-event-id': 'c' });
    subscribers.push(atLive);
    expect(atLive.response.headers.get('mercure-last-event-id')).toBe('c');
    await send('d');
    // The first event each one gets is d: nothing was replayed after an expired cursor, nor b again.
    expect((await atExpired.waitFor(1)).map((e) => e.lastEventId)).toEqual(['d']);
    expect((await atLive.waitFor(1)).map((e) => e.lastEventId)).toEqual(['d']);

    const everything = await subscribe(subscribeUrl(h.base, [topic], { lastEventID: 'earliest' }));
    subscribers.push(everything);
    expect((await everything.waitFor(2)).map((e) => e.lastEventId)).toEqual(['c', 'd']);
    expect(await metric()).toBe(2);
  });

  it('answers a subscriber reconnecting at the newest update after it expired with its own id and no events; a private one stays earliest to a subscriber who may not read it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const h = await startHub(options(), { key: { key: SECRET }, anonymous: true });
    running.push(h);
    const publisher = await token({ publish: ['*'] });
    const topic = 'https://example.com/quiet';
    const reconnect = async (lastEventId: string, headers: Record<string, string> = {}) => {
      const s = await subscribe(subscribeUrl(h.base, [topic]), { 'last-event-id': lastEventId, ...headers });
      subscribers.push(s);
      return s;
    };

    await publishOk(h.base, { topic, id: 'older', data: 'older' }, publisher);
    await publishOk(h.base, { topic, id: 'newest', data: 'newest' }, publisher);
    vi.setSystemTime(Date.now() + 2 * TTL); // A quiet period longer than the TTL: both expired.
    const upToDate = await reconnect('newest');
    expect(upToDate.response.headers.get('mercure-last-event-id')).toBe('newest');
    const behind = await reconnect('older');
    expect(behind.response.headers.get('mercure-last-event-id')).toBe('earliest');
    await publishOk(h.base, { topic, id: 'next', data: 'next' }, publisher);
    // Nothing was replayed to either: the first event each gets is the live one.
    expect((await upToDate.waitFor(1)).map((e) => e.lastEventId)).toEqual(['next']);
    expect((await behind.waitFor(1)).map((e) => e.lastEventId)).toEqual(['next']);

    await publishOk(h.base, { topic, id: 'secret', data: 'secret', private: 'on' }, publisher);
    vi.setSystemTime(Date.now() + 2 * TTL);
    // An anonymous subscriber may not read it: the id is unknown to it, as any expired one.
    const anonymous = await reconnect('secret');
    expect(anonymous.response.headers.get('mercure-last-event-id')).toBe('earliest');
    const allowed = await reconnect('secret', {
      authorization: `Bearer ${await token({ subscribe: [topic] })}`,
    });
    expect(allowed.response.headers.get('mercure-last-event-id')).toBe('secret');
    await publishOk(h.base, { topic, id: 'after', data: 'after' }, publisher);
    expect((await anonymous.waitFor(1)).map((e) => e.lastEventId)).toEqual(['after']);
    expect((await allowed.waitFor(1)).map((e) => e.lastEventId)).toEqual(['after']);
  });
});
