/**
 * Hub nodes as separate processes sharing one real `redis-server`, behind a real haproxy:
 * a node killed with SIGKILL while clients stream from it loses them nothing (they reconnect through the
 * load balancer to another node with Last-Event-ID), and a node whose event loop is blocked stalls neither
 * the other nodes nor Redis, then catches up, or past its lag bound has its subscribers reconnect.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SseEventSource } from '../../../src/client/index.js';
import { HAPROXY_ENABLED, startHaproxy } from '../../support/haproxy.js';
import { REDIS_ENABLED, startRedisServer } from '../../support/redis-server.js';
import { publishOk, subscribe, subscribeUrl, type TestSubscriber, token } from '../support/harness.js';
import { connectionsOn, type HubNode, startNode } from './node-process.js';

const TOPIC = 'https://example.com/failover';

describe.runIf(REDIS_ENABLED)('hub node processes on Redis', { timeout: 90_000 }, () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function nodes(count: number, maxReaderLag?: number): Promise<HubNode[]> {
    const redis = await startRedisServer();
    cleanup.push(() => redis.dispose());
    const prefix = `{nodes-${randomUUID()}}:`;
    const started = await Promise.all(
      Array.from({ length: count }, () => startNode(redis.url, prefix, maxReaderLag ? { maxReaderLag } : {})),
    );
    for (const node of started) cleanup.push(() => node.kill());
    return started;
  }

  async function blocker(): Promise<{ file: string; release: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'ssehub-block-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'release');
    return { file, release: () => writeFile(file, '') };
  }

  async function subscriber(base: string): Promise<TestSubscriber> {
    const bearer = await token({ subscribe: ['*'] });
    const s = await subscribe(subscribeUrl(base, [TOPIC]), { authorization: `Bearer ${bearer}` });
    cleanup.push(() => s.abort());
    return s;
  }

  it.runIf(HAPROXY_ENABLED)(
    'clients of a SIGKILLed node reconnect through haproxy to another node with Last-Event-ID and miss nothing',
    async () => {
      const [first, second] = await nodes(2);
      const lb = await startHaproxy([first!.port, second!.port]);
      cleanup.push(() => lb.stop());
      const subscribeToken = await token({ subscribe: ['*'] });
      const publishToken = await token({ publish: ['*'] });
      const url = subscribeUrl(lb.base, [TOPIC]);

      const npmIds: string[] = [];
      const npmClient = new EventSource(url, {
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${subscribeToken}` } }),
      });
      cleanup.push(() => npmClient.close());
      npmClient.onmessage = (e) => npmIds.push(e.lastEventId);
      const ourIds: string[] = [];
      const ourClient = new SseEventSource(url, {
        headers: { authorization: `Bearer ${subscribeToken}` },
        reconnectionTime: 100,
      });
      cleanup.push(() => ourClient.close());
      ourClient.onmessage = (e) => ourIds.push(e.lastEventId);
      // haproxy's `balance first` put both on the first node.
      await vi.waitFor(async () => expect(await connectionsOn(first!.base)).toBe(2), { timeout: 10_000 });

      // Published to the surviving node; `retry` shortens the npm client's reconnection delay.
      const acknowledged: string[] = [];
      const publishSome = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const fields = { topic: TOPIC, data: `update ${acknowledged.length}`, retry: '100' };
          acknowledged.push(await publishOk(second!.base, fields, publishToken));
        }
      };
      await publishSome(20);
      await vi.waitFor(() => expect([npmIds.length, ourIds.length]).toEqual([20, 20]), { timeout: 10_000 });
      const publishing = publishSome(40);
      await first!.kill();
      await publishing;
      await vi.waitFor(
        () => {
          expect(npmIds.at(-1)).toBe(acknowledged.at(-1));
          expect(ourIds.at(-1)).toBe(acknowledged.at(-1));
        },
        { timeout: 20_000 },
      );
      expect(npmIds).toEqual(acknowledged);
      expect(ourIds).toEqual(acknowledged);
      expect(await connectionsOn(second!.base)).toBe(2);
    },
  );

  it('a node with a blocked event loop stalls no other node, then catches up in order', async () => {
    const [slow, healthy] = await nodes(2);
    const onSlow = await subscriber(slow!.base);
    const onHealthy = await subscriber(healthy!.base);
    const bearer = await token({ publish: ['*'] });
    const { file, release } = await blocker();
    await slow!.block(file);
    const published: string[] = [];
    for (let i = 0; i < 50; i++)
      published.push(await publishOk(healthy!.base, { topic: TOPIC, data: `${i}` }, bearer));
    // All of it reached the healthy node's subscriber while the slow node is still blocked (it waits for the file).
    await onHealthy.waitFor(50);
    expect(onSlow.events).toHaveLength(0);
    await release();
    await onSlow.waitFor(50);
    expect(onSlow.events.map((e) => e.lastEventId)).toEqual(published);
    expect(onHealthy.events.map((e) => e.lastEventId)).toEqual(published);
  });

  it('past its lag bound a slow node has its subscribers reconnect, and they replay what they missed', async () => {
    const [slow, healthy] = await nodes(2, 20);
    const onSlow = await subscriber(slow!.base);
    const bearer = await token({ publish: ['*'] });
    const { file, release } = await blocker();
    const first = await publishOk(healthy!.base, { topic: TOPIC, data: 'before' }, bearer);
    await onSlow.waitFor(1);
    await slow!.block(file);
    const missed: string[] = [];
    for (let i = 0; i < 100; i++)
      missed.push(await publishOk(healthy!.base, { topic: TOPIC, data: `${i}` }, bearer));
    await release();
    // Told to reconnect (a retry, then the end of the stream) instead of being fed a 100-update backlog.
    await onSlow.ended;
    expect(onSlow.retries).toHaveLength(1);
    const seen = onSlow.events.map((e) => e.lastEventId);
    expect(seen.length).toBeLessThan(101);
    const again = await subscribe(subscribeUrl(slow!.base, [TOPIC]), {
      authorization: `Bearer ${await token({ subscribe: ['*'] })}`,
      'last-event-id': seen.at(-1)!,
    });
    cleanup.push(() => again.abort());
    const rest = missed.slice(missed.indexOf(seen.at(-1)!) + 1);
    await again.waitFor(rest.length);
    expect([...seen, ...again.events.map((e) => e.lastEventId)]).toEqual([first, ...missed]);
  });
});
