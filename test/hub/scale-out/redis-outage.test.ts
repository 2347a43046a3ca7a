/**
 * Redis failures seen from two hub nodes sharing one real `redis-server`: while Redis is
 * unreachable, publishes get 503 with a reason and Retry-After (never 200 for an update that was not
 * stored), open streams stay open with heartbeats, /readyz is not ready; when it is back, every node's
 * reader resumes where it stopped, so subscribers get every acknowledged update once, in order.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisTransport } from '../../../src/hub/storage/redis-transport.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../../support/redis-server.js';
import {
  publish,
  publishOk,
  type RunningHub,
  startHub,
  subscribe,
  subscribeUrl,
  type TestSubscriber,
  token,
} from '../support/harness.js';

const TOPIC = 'https://example.com/scale-out';

describe.runIf(REDIS_ENABLED)('hub nodes on Redis: outages', { timeout: 90_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** Log lines of the first node's transport, as `level message`. */
  let logged: string[] = [];
  const logger = {
    debug: () => {},
    info: (_: object, msg?: string) => logged.push(`info ${msg}`),
    warn: (_: object, msg?: string) => logged.push(`warn ${msg}`),
    error: (_: object, msg?: string) => logged.push(`error ${msg}`),
  };

  async function cluster(redis: RedisServer, nodes = 2): Promise<RunningHub[]> {
    const keyPrefix = `{outage-${randomUUID()}}:`;
    const hubs: RunningHub[] = [];
    logged = [];
    for (let i = 0; i < nodes; i++) {
      const transport = new RedisTransport({
        url: redis.url,
        keyPrefix,
        retryAfterSeconds: 3,
        ...(i === 0 ? { logger } : {}),
      });
      await transport.connected();
      const running = await startHub({ transport, heartbeatMs: 100, reconnectRetryMs: 100 });
      cleanup.push(() => running.close());
      hubs.push(running);
    }
    return hubs;
  }

  async function redisServer(appendfsync?: 'always'): Promise<RedisServer> {
    const redis = await startRedisServer(appendfsync ? { appendfsync } : {});
    cleanup.push(() => redis.dispose());
    return redis;
  }

  async function subscriber(base: string): Promise<TestSubscriber> {
    const bearer = await token({ subscribe: ['*'] });
    const s = await subscribe(subscribeUrl(base, [TOPIC]), { authorization: `Bearer ${bearer}` });
    cleanup.push(async () => s.abort());
    return s;
  }

  const ids = (s: TestSubscriber) => s.events.map((e) => e.lastEventId);
  const ready = async (base: string) => (await fetch(`${base}/readyz`)).status;
  const metrics = async (base: string) => (await fetch(`${base}/metrics`)).text();

  it('refuses publishes with 503 and Retry-After while Redis is down, keeps streams alive, then resumes in order', async () => {
    const redis = await redisServer('always');
    const [a, b] = await cluster(redis);
    const bearer = await token({ publish: ['*'] });
    const s = await subscriber(b!.base);
    const before = [];
    for (let i = 0; i < 3; i++)
      before.push(await publishOk(a!.base, { topic: TOPIC, data: `before ${i}` }, bearer));
    await s.waitFor(3);

    await redis.stop({ hard: true });
    const refused = await publish(a!.base, { topic: TOPIC, data: 'while down' }, bearer);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(await refused.text()).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ is unavailable \(.+\): the update was not stored/,
    );
    expect(await ready(a!.base)).toBe(503);
    expect(await ready(b!.base)).toBe(503);
    const down = await metrics(a!.base);
    expect(down).toMatch(/^ssehub_transport_up 0$/m);
    expect(Number(/^ssehub_transport_errors_total (\d+)$/m.exec(down)?.[1])).toBeGreaterThan(0);
    // The stream stays open through the outage: heartbeats keep coming.
    const heartbeats = s.comments.length;
    await vi.waitFor(() => expect(s.comments.length).toBeGreaterThan(heartbeats + 2), { timeout: 10_000 });

    await redis.start();
    await vi.waitFor(async () => expect(await ready(a!.base)).toBe(200), { timeout: 15_000 });
    await vi.waitFor(async () => expect(await ready(b!.base)).toBe(200), { timeout: 15_000 });
    const after = [];
    for (let i = 0; i < 3; i++)
      after.push(await publishOk(a!.base, { topic: TOPIC, data: `after ${i}` }, bearer));
    after.push(await publishOk(b!.base, { topic: TOPIC, data: 'from b' }, bearer));
    await s.waitFor(7);
    expect(ids(s)).toEqual([...before, ...after]);
    expect(s.retries).toEqual([]);
    // One line per state change, whatever number of failed reconnection attempts came in between.
    expect(logged).toEqual([
      'info Redis connected',
      'warn Redis connection lost: publishes are refused with 503 until it is back',
      'info Redis connection restored',
    ]);
    const up = await metrics(a!.base);
    expect(up).toMatch(/^ssehub_transport_up 1$/m);
    expect(up).toMatch(/^ssehub_transport_reader_lag_entries 0$/m);
    expect(up).toMatch(/^ssehub_transport_round_trip_seconds_count\{operation="publish"\} 6$/m);
  });

  it('loses no acknowledged update when Redis (appendfsync always) is SIGKILLed under load', async () => {
    const redis = await redisServer('always');
    const [a, b] = await cluster(redis);
    const bearer = await token({ publish: ['*'] });
    const s = await subscriber(b!.base);
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let stop = false;
    const publisher = async (base: string, name: string): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const res = await publish(base, { topic: TOPIC, data: `${name} ${i}`, id: `${name}-${i}` }, bearer);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) acknowledged.push(await res.text());
        else {
          await res.text();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const running = [publisher(a!.base, 'a1'), publisher(a!.base, 'a2'), publisher(b!.base, 'b1')];
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(30), { timeout: 20_000 });
    await redis.stop({ hard: true });
    await vi.waitFor(() => expect(statuses.get(503) ?? 0).toBeGreaterThan(3), { timeout: 10_000 });
    await redis.start();
    const atRestart = acknowledged.length;
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(atRestart + 30), { timeout: 20_000 });
    stop = true;
    await Promise.all(running);
    expect([...statuses.keys()].sort()).toEqual([200, 503]);

    const history = (await a!.hub.transport.replay('earliest', 100_000)).updates.map((u) => u.id);
    const held = new Set(history);
    expect(acknowledged.filter((id) => !held.has(id))).toEqual([]);
    // The subscriber got exactly the stored history (an update whose 503 raced its storing included), in order.
    const sentinel = await publishOk(a!.base, { topic: TOPIC, data: 'end' }, bearer);
    await vi.waitFor(() => expect(ids(s).at(-1)).toBe(sentinel), { timeout: 10_000 });
    expect(ids(s)).toEqual([...history, sentinel]);
  });

  it('tells subscribers to reconnect when Redis comes back empty (no persistence), then carries on', async () => {
    const redis = await redisServer();
    const [a, b] = await cluster(redis);
    const bearer = await token({ publish: ['*'] });
    const s = await subscriber(b!.base);
    await publishOk(a!.base, { topic: TOPIC, data: 'lost with Redis' }, bearer);
    await s.waitFor(1);

    await redis.stop({ hard: true });
    await redis.start();
    // The reader finds Redis behind what it delivered: the stream is closed with a retry, not left silent.
    await s.ended;
    expect(s.retries).toHaveLength(1);
    await vi.waitFor(async () => expect(await ready(a!.base)).toBe(200), { timeout: 15_000 });
    const again = await subscriber(b!.base);
    const id = await publishOk(a!.base, { topic: TOPIC, data: 'after the restart' }, bearer);
    await again.waitFor(1);
    expect(ids(again)).toEqual([id]);
  });
});
