/**
 * The hub's adaptive fan-out coalescing (`fanOutWindowMs`), over real sockets: an idle update reaches the
 * subscriber's socket before the publish is answered; after a fan-out that cost real CPU, the updates of
 * the next window go out in order, nothing lost, as one write per subscriber socket; a subscriber resuming
 * while updates wait in the window gets each of them exactly once. Assertions count frames handed to the
 * server-side sockets and the writes those sockets made, never durations.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BUSY_CPU_MS } from '../../src/server/index.js';
import { type RunningHub, SECRET, startHub, subscribe, subscribeUrl } from './support/harness.js';

let running: RunningHub | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const afterTicks = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Spends at least `ms` of this process's CPU time. */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

interface SocketCounts {
  frames: number;
  writes: number;
  /** When set, the next frame handed to this socket costs that much CPU (a costly fan-out). */
  burnMs: number;
}

/** Counts, per subscriber connection, frames handed to its server-side socket and the writes it made. */
function countSubscriberSockets(hub: RunningHub): SocketCounts[] {
  const all: SocketCounts[] = [];
  hub.server.on('request', (req: IncomingMessage) => {
    if (req.method !== 'GET') return;
    const socket = req.socket as Socket & {
      _write: (...a: unknown[]) => void;
      _writev: (...a: unknown[]) => void;
    };
    const counts: SocketCounts = { frames: 0, writes: 0, burnMs: 0 };
    all.push(counts);
    const write = socket.write;
    socket.write = function (this: Socket, ...a: unknown[]) {
      counts.frames++;
      if (counts.burnMs > 0) {
        burnCpu(counts.burnMs);
        counts.burnMs = 0;
      }
      return (write as (...x: unknown[]) => boolean).apply(this, a);
    } as typeof socket.write;
    for (const name of ['_write', '_writev'] as const) {
      const original = socket[name];
      socket[name] = function (this: Socket, ...a: unknown[]) {
        counts.writes++;
        return original.apply(this, a);
      };
    }
  });
  return all;
}

describe('hub fan-out coalescing', () => {
  it('hands an idle update to the subscriber socket before the publish is answered', async () => {
    running = await startHub({ fanOutWindowMs: 5 }, { key: { key: SECRET }, anonymous: true });
    const sockets = countSubscriberSockets(running);
    const sub = await subscribe(subscribeUrl(running.base, ['t']));
    const before = sockets[0]!.frames;
    await running.hub.publish({ topics: 't', data: 'idle' });
    expect(sockets[0]!.frames).toBe(before + 1);
    expect((await sub.waitFor(1)).map((e) => e.data)).toEqual(['idle']);
    sub.abort();
  });

  it('after a costly fan-out, sends the window’s updates in order, none lost, one write per socket; a resuming subscriber gets each once', async () => {
    running = await startHub({ fanOutWindowMs: 50 }, { key: { key: SECRET }, anonymous: true });
    const hub = running.hub;
    const sockets = countSubscriberSockets(running);
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await subscribe(subscribeUrl(running.base, ['t'])));
    await hub.publish({ topics: 't', data: 'warm-up' }); // cold code may cost enough to open a window
    await sleep(60);

    sockets[0]!.burnMs = BUSY_CPU_MS * 1.5;
    const costly = await hub.publish({ topics: 't', data: 'costly' });
    await afterTicks();
    const frames = sockets.map((s) => s.frames);
    const writes = sockets.map((s) => s.writes);
    const burst = Array.from({ length: 20 }, (_, i) => hub.publish({ topics: 't', data: `burst ${i}` }));
    expect(sockets.map((s) => s.frames)).toEqual(frames); // held in the window
    const ids = (await Promise.all(burst)).map((u) => u.id);
    // Resumes from the costly update while the burst may still wait: replay and live must not overlap.
    const resumed = await subscribe(subscribeUrl(running.base, ['t']), { 'last-event-id': costly.id });

    for (const sub of subs) {
      const got = await sub.waitFor(22);
      expect(got.map((e) => e.data)).toEqual(['warm-up', 'costly', ...ids.map((_, i) => `burst ${i}`)]);
    }
    expect((await resumed.waitFor(20)).map((e) => e.lastEventId)).toEqual(ids);
    for (let i = 0; i < 3; i++) {
      expect(sockets[i]!.frames).toBe(frames[i]! + 20);
      expect(sockets[i]!.writes).toBe(writes[i]! + 1);
    }
    await sleep(60);
    await hub.publish({ topics: 't', data: 'after' });
    expect((await resumed.waitFor(21)).map((e) => e.lastEventId).slice(0, 20)).toEqual(ids);
    expect(resumed.events.map((e) => e.data).at(-1)).toBe('after');
    expect(resumed.events).toHaveLength(21);
    for (const sub of [...subs, resumed]) sub.abort();
  });

  it('refuses a window over 50 ms', async () => {
    const { createHub, HubConfigError } = await import('../../src/hub/index.js');
    expect(() => createHub({ fanOutWindowMs: 51 })).toThrow(HubConfigError);
    expect(() => createHub({ fanOutWindowMs: -1 })).toThrow(HubConfigError);
  });
});
