import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHub, SECRET, startHub, subscribe, subscribeUrl, token } from './support/harness.js';

const open: RunningHub[] = [];
async function hubWith(options: Parameters<typeof startHub>[0]): Promise<RunningHub> {
  const h = await startHub(options, { key: { key: SECRET }, anonymous: true });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 10));
}

describe('connection management (https://mercure.rocks/spec#subscription, docs/slow-consumers.md)', () => {
  it('sends heartbeat comments when idle', async () => {
    const h = await hubWith({ heartbeatMs: 50 });
    const sub = await subscribe(subscribeUrl(h.base, ['t']));
    await sub.waitForComment((c) => c === 'heartbeat');
    sub.abort();
  });

  it('closes a connection at its (randomised) maximum lifetime, with a jittered retry:', async () => {
    const h = await hubWith({ writeTimeoutMs: 300, dispatchTimeoutMs: 100, reconnectRetryMs: 4000 });
    const sub = await subscribe(subscribeUrl(h.base, ['t']));
    await sub.ended;
    expect(h.hub.stats().connections).toBe(0);
    // A planned close says when to come back (reconnectRetryMs jittered 50-150 %), so browsers do not
    // all reconnect at once, nor at their own default right away.
    expect(sub.retries).toHaveLength(1);
    expect(sub.retries[0]).toBeGreaterThanOrEqual(2000);
    expect(sub.retries[0]).toBeLessThanOrEqual(6000);
  });

  it('closes the stream when the token expires, with a jittered retry:', async () => {
    const h = await hubWith({ reconnectRetryMs: 4000 });
    const expiring = await token({ subscribe: ['*'], expiresInSeconds: 3 }); // exp has 1 s granularity: 1 s could already be past
    const sub = await subscribe(subscribeUrl(h.base, ['t']), { authorization: `Bearer ${expiring}` });
    expect(sub.response.status).toBe(200);
    await sub.ended;
    await until(() => h.hub.stats().connections === 0);
    expect(sub.retries).toHaveLength(1);
    expect(sub.retries[0]).toBeGreaterThanOrEqual(2000);
    expect(sub.retries[0]).toBeLessThanOrEqual(6000);
  });

  it('refuses a write timeout under twice the dispatch timeout, naming both options and flags', async () => {
    // Before: accepted, and with 5 s / 5 s every stream closed within milliseconds of opening, forever.
    for (const [writeTimeoutMs, dispatchTimeoutMs] of [
      [5000, 5000],
      [7000, 5000],
      [1, 1000],
    ] as const) {
      await expect(hubWith({ writeTimeoutMs, dispatchTimeoutMs })).rejects.toThrow(
        /writeTimeoutMs \(--write-timeout\).*at least twice dispatchTimeoutMs \(--dispatch-timeout\)/,
      );
    }
    // At the boundary and with the lifetime disabled, both are fine.
    await hubWith({ writeTimeoutMs: 10_000, dispatchTimeoutMs: 5000 });
    await hubWith({ writeTimeoutMs: 0, dispatchTimeoutMs: 5000 });
  });

  it('answers over-cap subscribers with 200, a jittered retry and a close, so EventSource comes back', async () => {
    const h = await hubWith({ maxConnections: 1, reconnectRetryMs: 4000 });
    const first = await subscribe(subscribeUrl(h.base, ['t']));
    const second = await subscribe(subscribeUrl(h.base, ['t']));
    expect(second.response.status).toBe(200);
    expect(second.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await second.ended;
    expect(second.retries).toHaveLength(1);
    expect(second.retries[0]).toBeGreaterThanOrEqual(2000);
    expect(second.retries[0]).toBeLessThanOrEqual(6000);
    expect(h.hub.stats().connectionsRefused).toBe(1);
    expect(second.comments.join()).toMatch(/connection limit/);
    first.abort();
    await until(() => h.hub.stats().connections === 0);
    const third = await subscribe(subscribeUrl(h.base, ['t']));
    await h.hub.publish({ topics: 't', data: 'after' });
    expect((await third.waitFor(1))[0]?.data).toBe('after');
    third.abort();
  });

  it('disconnects a subscriber that does not read (slow subscriber) and keeps serving others', async () => {
    const h = await hubWith({
      subscriberMaxBufferedBytes: 256 * 1024,
      maxBodyBytes: 64 * 1024,
      dispatchTimeoutMs: 2000,
    });
    const socket = connect(h.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause(); // never read again: the kernel buffers fill, then the hub's own bound
    const healthy = await subscribe(subscribeUrl(h.base, ['t']));
    const payload = 'x'.repeat(16 * 1024);
    let sent = 0;
    while (h.hub.stats().slowSubscribersDropped === 0 && sent < 4000) {
      await h.hub.publish({ topics: 't', data: payload });
      sent++;
      // Give the healthy reader its turn after every publish: only the stalled one may fall behind.
      await new Promise((r) => setImmediate(r));
    }
    expect(h.hub.stats().slowSubscribersDropped).toBe(1);
    socket.destroy();
    await closed;
    await healthy.waitFor(sent);
    expect(healthy.events).toHaveLength(sent);
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/ssehub_hub_slow_subscribers_dropped_total\{reason="[a-z-]+"\} 1/);
    healthy.abort();
  });

  it('disconnects a live subscriber with more than subscriberQueueSize updates waiting (Mercure 1,000)', async () => {
    const h = await hubWith({ subscriberQueueSize: 5, subscriberMaxBufferedBytes: 256 * 1024 * 1024 });
    const socket = connect(h.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    const payload = 'q'.repeat(16 * 1024);
    for (let sent = 0; h.hub.stats().slowSubscribersDropped === 0 && sent < 4000; sent++) {
      await h.hub.publish({ topics: 't', data: payload });
      await new Promise((r) => setImmediate(r));
    }
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    // The byte bound (256 MiB) is far away: the count bound is what fired.
    expect(metrics).toMatch(/ssehub_hub_slow_subscribers_dropped_total\{reason="queue-overflow"\} 1/);
    socket.destroy();
  });

  it('disconnects a subscriber whose live queue overflows during a slow replay', async () => {
    const { SlowReplayTransport } = await import('./support/slow-replay-transport.js');
    const h = await hubWith({ transport: new SlowReplayTransport(200), subscriberQueueSize: 5 });
    await h.hub.publish({ topics: 't', data: 'history' });
    const pending = subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }));
    // Publish more than the queue holds while the replay is still running.
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 10; i++) await h.hub.publish({ topics: 't', data: `live ${i}` });
    const sub = await pending;
    await sub.ended;
    expect(sub.retries).toHaveLength(1);
    expect(sub.events).toHaveLength(0);
    expect(h.hub.stats().slowSubscribersDropped).toBe(1);
  });
  it('gives the connection slot back however a subscribe request ends (refused token, dropped during replay, client gone)', async () => {
    const { SlowReplayTransport } = await import('./support/slow-replay-transport.js');
    const h = await hubWith({
      maxConnections: 1,
      transport: new SlowReplayTransport(100),
      subscriberQueueSize: 2,
    });
    const admitted = async (): Promise<void> => {
      const sub = await subscribe(subscribeUrl(h.base, ['t']));
      expect(sub.comments.join()).not.toMatch(/connection limit/);
      await until(() => h.hub.stats().connections === 1);
      sub.abort();
      await until(() => h.hub.stats().connections === 0);
    };
    const refused = await subscribe(subscribeUrl(h.base, ['t']), { authorization: 'Bearer not-a-token' });
    expect(refused.response.status).toBe(401);
    await admitted();
    await h.hub.publish({ topics: 't', data: 'history' });
    const pending = subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }));
    await new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 5; i++) await h.hub.publish({ topics: 't', data: `live ${i}` });
    await (await pending).ended;
    expect(h.hub.stats().slowSubscribersDropped).toBe(1);
    await admitted();
    expect(h.hub.stats().connectionsRefused).toBe(0);
  });
});

describe('CORS (https://mercure.rocks/spec#discovery, docs/security.md#cors)', () => {
  it('echoes an allowed origin with credentials and exposes the cursor headers', async () => {
    const h = await hubWith({ corsOrigins: ['https://app.example'] });
    const sub = await subscribe(subscribeUrl(h.base, ['t']), { origin: 'https://app.example' });
    expect(sub.response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(sub.response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(sub.response.headers.get('access-control-expose-headers')).toMatch(/Mercure-Last-Event-ID/);
    expect(sub.response.headers.get('vary')).toMatch(/Origin/);
    sub.abort();
    const other = await subscribe(subscribeUrl(h.base, ['t']), { origin: 'https://evil.example' });
    expect(other.response.headers.get('access-control-allow-origin')).toBeNull();
    other.abort();
  });

  it('answers preflights allowing Last-Event-ID and Authorization', async () => {
    const h = await hubWith({ corsOrigins: ['https://app.example'] });
    const res = await fetch(`${h.base}/.well-known/mercure?topic=t`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'last-event-id, authorization',
      },
    });
    expect(res.status).toBe(204);
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    expect(allowed).toMatch(/last-event-id/);
    expect(allowed).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    // Vary once (the preflight applies the policy twice), and the methods the hub path really answers.
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
    const foreign = await fetch(`${h.base}/.well-known/mercure`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers * without credentials when the wildcard is configured, and never allows null', async () => {
    const h = await hubWith({ corsOrigins: ['*'] });
    const sub = await subscribe(subscribeUrl(h.base, ['t']), { origin: 'https://any.example' });
    expect(sub.response.headers.get('access-control-allow-origin')).toBe('*');
    expect(sub.response.headers.get('access-control-allow-credentials')).toBeNull();
    sub.abort();
    await expect(hubWith({ corsOrigins: ['null'] })).rejects.toThrow(/null/);
  });
});

describe('connectionLifetime', () => {
  it('spreads lifetimes over 80-100 % of write_timeout, minus the dispatch timeout', async () => {
    const { connectionLifetime } = await import('../../src/hub/http/connection-deadline.js');
    expect(connectionLifetime(600_000, 5_000, () => 0)).toBe(475_000);
    expect(connectionLifetime(600_000, 5_000, () => 1)).toBe(595_000);
    expect(connectionLifetime(600_000, 5_000, () => 0.5)).toBe(535_000);
    expect(connectionLifetime(100, 5_000, () => 0)).toBe(1);
  });
});
