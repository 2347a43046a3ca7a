/**
 * The subscriptions API across hub nodes sharing one real `redis-server`: every node lists
 * every node's active subscriptions, subscription events reach watchers on every node through the
 * stream, and a node killed without a clean shutdown drops out of the list after its time-to-live.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisTransport } from '../../../src/hub/storage/redis-transport.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../../support/redis-server.js';
import {
  type RunningHub,
  startHub,
  subscribe,
  subscribeUrl,
  type TestSubscriber,
  token,
} from '../support/harness.js';
import { startNode } from './node-process.js';

const TOPIC = 'https://example.com/watched';
const SUBSCRIPTIONS = '/.well-known/mercure/subscriptions';

interface Listed {
  subscriptions: { topic: string; subscriber: string; active: boolean }[];
}

describe.runIf(REDIS_ENABLED)('subscriptions across hub nodes on Redis', { timeout: 90_000 }, () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(): Promise<{ redis: RedisServer; prefix: string; hubs: RunningHub[] }> {
    const redis = await startRedisServer();
    cleanup.push(() => redis.dispose());
    const prefix = `{subs-${randomUUID()}}:`;
    const hubs: RunningHub[] = [];
    for (let i = 0; i < 2; i++) {
      const transport = new RedisTransport({ url: redis.url, keyPrefix: prefix, subscriptionTtlMs: 600 });
      await transport.connected();
      const hub = await startHub({ transport, subscriptions: true });
      cleanup.push(() => hub.close());
      hubs.push(hub);
    }
    return { redis, prefix, hubs };
  }

  async function subscriber(base: string, topics: string[]): Promise<TestSubscriber> {
    const bearer = await token({ subscribe: ['*'] });
    const s = await subscribe(subscribeUrl(base, topics), { authorization: `Bearer ${bearer}` });
    cleanup.push(() => s.abort());
    return s;
  }

  async function listed(base: string): Promise<Listed['subscriptions']> {
    const bearer = await token({ subscribe: ['*'] });
    const res = await fetch(`${base}${SUBSCRIPTIONS}`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as Listed).subscriptions.filter((s) => s.topic === TOPIC);
  }

  it("lists every node's subscriptions on every node, and watchers see joins and leaves from every node", async () => {
    const { hubs } = await setup();
    const [a, b] = hubs as [RunningHub, RunningHub];
    const watcher = await subscriber(a.base, [`${SUBSCRIPTIONS}{/topic}{/subscriber}`]);
    await subscriber(a.base, [TOPIC]);
    const onB = await subscriber(b.base, [TOPIC]);
    const events = () =>
      watcher.events
        .map((e) => JSON.parse(e.data) as { topic: string; subscriber: string; active: boolean })
        .filter((d) => d.topic === TOPIC);
    await vi.waitFor(() => expect(events()).toHaveLength(2));

    const onA = await listed(a.base);
    expect(onA).toHaveLength(2);
    expect(await listed(b.base)).toEqual(expect.arrayContaining(onA));
    expect(new Set(onA.map((s) => s.subscriber))).toEqual(new Set(events().map((d) => d.subscriber)));

    onB.abort();
    await vi.waitFor(() => expect(events().filter((d) => !d.active)).toHaveLength(1));
    const left = events().find((d) => !d.active)!.subscriber;
    await vi.waitFor(async () => expect(await listed(a.base)).toHaveLength(1));
    expect((await listed(a.base))[0]!.subscriber).not.toBe(left);
  });

  it('drops a SIGKILLed node’s subscriptions after their time-to-live', async () => {
    const { redis, prefix, hubs } = await setup();
    const node = await startNode(redis.url, prefix, { subscriptions: true, subscriptionTtlMs: 600 });
    cleanup.push(() => node.kill());
    await subscriber(node.base, [TOPIC]);
    await subscriber(hubs[0]!.base, [TOPIC]);
    await vi.waitFor(async () => expect(await listed(hubs[0]!.base)).toHaveLength(2));
    await node.kill();
    await vi.waitFor(async () => expect(await listed(hubs[0]!.base)).toHaveLength(1), { timeout: 10_000 });
  });
});
