import { afterEach, describe, expect, it } from 'vitest';
import type { HubLogger } from '../../src/hub/index.js';
import {
  publish,
  publishOk,
  type RunningHub,
  SECRET,
  startHub,
  subscribe,
  subscribeUrl,
  token,
} from './support/harness.js';

const open: RunningHub[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function hubWith(options: Parameters<typeof startHub>[0] = {}): Promise<RunningHub> {
  const h = await startHub(options, { key: { key: SECRET }, anonymous: true });
  open.push(h);
  return h;
}

describe('operations', () => {
  it('exposes Prometheus metrics for connections, subscriptions, updates, history and publish latency', async () => {
    const h = await hubWith();
    const sub = await subscribe(subscribeUrl(h.base, ['a', 'b']));
    await publishOk(h.base, { topic: 'a', data: '1' }, await token({ publish: ['*'] }));
    await sub.waitFor(1);
    const res = await fetch(`${h.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^ssehub_hub_connections 1$/m);
    expect(text).toMatch(/^ssehub_hub_subscriptions 2$/m);
    expect(text).toMatch(/^ssehub_hub_updates_published_total 1$/m);
    expect(text).toMatch(/^ssehub_hub_updates_delivered_total 1$/m);
    expect(text).toMatch(/^ssehub_hub_history_size 1$/m);
    expect(text).toMatch(/^ssehub_hub_publish_duration_seconds_count 1$/m);
    // The reference hub's names, for dashboards built for Mercure.
    expect(text).toMatch(/^mercure_subscribers_connected 1$/m);
    expect(text).toMatch(/^mercure_subscribers_total 1$/m);
    expect(text).toMatch(/^mercure_updates_total 1$/m);
    expect(h.hub.stats()).toMatchObject({
      connections: 1,
      subscriptions: 2,
      updatesPublished: 1,
      updatesDelivered: 1,
      topSelectors: [
        { selector: 'a', subscribers: 1 },
        { selector: 'b', subscribers: 1 },
      ],
    });
    sub.abort();
  });

  it('serves every labelled series from the start at 0, so rate() and absent() alerts work before the first event', async () => {
    const h = await hubWith();
    const text = await (await fetch(`${h.base}/metrics`)).text();
    for (const reason of ['queue-overflow', 'overflow', 'dispatch-timeout', 'heartbeat-failed']) {
      expect(text).toContain(`ssehub_hub_slow_subscribers_dropped_total{reason="${reason}"} 0\n`);
    }
    // Every labelled metric of the registry has at least one series, whatever its labels.
    const metrics = await h.hub.metrics.getMetricsAsJSON();
    const empty = metrics.filter((metric) => metric.values.length === 0).map((metric) => metric.name);
    expect(empty).toEqual([]);
  });

  it('hub.stats() and /metrics report the same figures, counted once', async () => {
    const h = await hubWith({ maxConnections: 1 });
    const sub = await subscribe(subscribeUrl(h.base, ['a', 'b']));
    const refused = await subscribe(subscribeUrl(h.base, ['a']));
    await refused.ended;
    await h.hub.publish({ topics: 'a', data: '1' });
    await sub.waitFor(1);
    const text = await (await fetch(`${h.base}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const stats = h.hub.stats();
    expect(stats).toMatchObject({
      connections: 1,
      subscriptions: 2,
      connectionsRefused: 1,
      updatesPublished: 1,
    });
    expect(value('ssehub_hub_connections')).toBe(stats.connections);
    expect(value('ssehub_hub_subscriptions')).toBe(stats.subscriptions);
    expect(value('ssehub_hub_connections_total')).toBe(stats.connectionsTotal);
    expect(value('ssehub_hub_connections_refused_total')).toBe(stats.connectionsRefused);
    expect(value('ssehub_hub_updates_published_total')).toBe(stats.updatesPublished);
    expect(value('ssehub_hub_updates_delivered_total')).toBe(stats.updatesDelivered);
    sub.abort();
  });

  it('answers /healthz and /readyz, and /readyz turns 503 while draining', async () => {
    const h = await hubWith();
    expect(await (await fetch(`${h.base}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`${h.base}/readyz`)).status).toBe(200);
    // Load balancers often probe with HEAD.
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const head = await fetch(`${h.base}${path}`, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(await head.text()).toBe('');
    }
    const sub = await subscribe(subscribeUrl(h.base, ['t']));
    const closing = h.hub.close({ deadlineMs: 300 });
    expect((await fetch(`${h.base}/readyz`)).status).toBe(503);
    // New work is turned away: subscribers get a retry and a close, publishers a 503.
    const late = await subscribe(subscribeUrl(h.base, ['t']));
    await late.ended;
    expect(late.retries).toHaveLength(1);
    expect((await publish(h.base, { topic: 't' }, await token({ publish: ['*'] }))).status).toBe(503);
    await sub.ended;
    expect(sub.retries).toHaveLength(1);
    await closing;
    expect(h.hub.stats().connections).toBe(0);
  });

  it('spreads shutdown closes over the deadline with jittered retries', async () => {
    const h = await hubWith({ reconnectRetryMs: 1000 });
    const subs = await Promise.all(Array.from({ length: 8 }, () => subscribe(subscribeUrl(h.base, ['t']))));
    await h.hub.close({ deadlineMs: 200 });
    await Promise.all(subs.map((s) => s.ended));
    const retries = subs.map((s) => s.retries[0]);
    for (const r of retries) {
      expect(r).toBeGreaterThanOrEqual(500);
      expect(r).toBeLessThanOrEqual(1500);
    }
    // Jittered: eight draws from a 1000 ms range are not all equal.
    expect(new Set(retries).size).toBeGreaterThan(1);
  });

  it('logs through the pino-shaped logger', async () => {
    const lines: { level: string; msg?: string; obj: object }[] = [];
    const logger: HubLogger = {
      debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    };
    const h = await hubWith({ logger });
    const sub = await subscribe(subscribeUrl(h.base, ['t']));
    await publishOk(h.base, { topic: 't' }, await token({ publish: ['*'] }));
    sub.abort();
    await h.hub.close();
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain('subscriber connected');
    expect(messages).toContain('update published');
    expect(messages).toContain('hub closed');
  });
});
