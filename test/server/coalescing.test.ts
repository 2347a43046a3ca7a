/**
 * Adaptive write coalescing (Coalescer, Channel `coalesceMs`): idle items go out at once; after a costly
 * run, what arrives within the window goes out as one batch, in order, nothing lost; on a real socket that
 * batch is one write. Assertions are on runs, frames and socket writes, never on durations: the cost that
 * opens a window is CPU actually spent (a filter or a clock the test controls).
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSY_CPU_MS,
  Channel,
  Coalescer,
  MAX_BATCH_BYTES,
  openStream,
  type SseStream,
} from '../../src/server/index.js';
import { parsedGet } from './support/clients.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const afterTicks = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const windowEnd = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms + 5));

/** Spends at least `ms` of this process's CPU time (real work, so the coalescer's CPU clock sees it). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

describe('Coalescer', () => {
  /**
   * A coalescer whose CPU clock advances only when a run says it cost something, and whose accounting
   * clock (wall time) only when the test says so.
   */
  function fixture(windowMs = 5) {
    let cpu = 0;
    let nextCost = 0;
    let now = 0;
    const runs: string[][] = [];
    const coalescer = new Coalescer<string>({
      windowMs,
      cpuMs: () => cpu,
      nowMs: () => now,
      run: (batch) => {
        runs.push([...batch]);
        cpu += nextCost;
      },
    });
    return { coalescer, runs, costs: (ms: number) => (nextCost = ms), wait: (ms: number) => (now += ms) };
  }

  it('runs an item at once while idle, and keeps doing so after cheap runs', async () => {
    const { coalescer, runs } = fixture();
    coalescer.push('a');
    expect(runs).toEqual([['a']]);
    await afterTicks();
    coalescer.push('b');
    await afterTicks();
    coalescer.push('c');
    expect(runs).toEqual([['a'], ['b'], ['c']]);
    expect(coalescer.pending).toBe(0);
  });

  it('after a run costing BUSY_CPU_MS, batches what arrives in the window: one run, push order, nothing lost', async () => {
    const { coalescer, runs, costs } = fixture(5);
    costs(BUSY_CPU_MS);
    coalescer.push('a');
    await afterTicks();
    for (const item of ['b', 'c', 'd', 'e']) coalescer.push(item);
    expect(runs).toEqual([['a']]);
    expect(coalescer.pending).toBe(4);
    costs(0);
    await windowEnd(5);
    expect(runs).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    // That batch was cheap: the window is closed and the next item goes out at once.
    await afterTicks();
    coalescer.push('f');
    expect(runs.at(-1)).toEqual(['f']);
  });

  it('batches once cheap runs within one window cost BUSY_CPU_MS together (many small fan-outs under load)', async () => {
    const { coalescer, runs, costs, wait } = fixture(5);
    costs(BUSY_CPU_MS / 4);
    for (const item of ['a', 'b', 'c', 'd']) {
      coalescer.push(item);
      await afterTicks();
      wait(1);
    }
    // Four runs of a quarter each, 1 ms apart: together they cost BUSY_CPU_MS within 5 ms.
    expect(runs).toEqual([['a'], ['b'], ['c'], ['d']]);
    coalescer.push('e');
    coalescer.push('f');
    expect(runs.at(-1)).toEqual(['d']);
    expect(coalescer.pending).toBe(2);
    costs(0);
    await windowEnd(5);
    expect(runs.at(-1)).toEqual(['e', 'f']);
  });

  it('never batches cheap runs spread over more than a window each, however many', async () => {
    const { coalescer, runs, costs, wait } = fixture(5);
    costs(BUSY_CPU_MS / 2 - 0.01);
    for (let i = 0; i < 20; i++) {
      coalescer.push(String(i));
      await afterTicks();
      wait(3);
    }
    expect(runs).toEqual(Array.from({ length: 20 }, (_, i) => [String(i)]));
    expect(coalescer.pending).toBe(0);
  });

  it('measures the runs of one tick once, together', async () => {
    const { coalescer, runs, costs } = fixture(5);
    costs(BUSY_CPU_MS / 3);
    coalescer.push('a');
    coalescer.push('b');
    await afterTicks();
    // Two runs of a third in one tick: two thirds, not a window.
    coalescer.push('c');
    expect(runs).toEqual([['a'], ['b'], ['c']]);
    await afterTicks();
    // A third third in the same window: now it is one.
    coalescer.push('d');
    expect(runs.at(-1)).toEqual(['c']);
    expect(coalescer.pending).toBe(1);
    coalescer.close();
  });

  it('keeps batching while batches stay costly; flush() and close() run what waits at once', async () => {
    const { coalescer, runs, costs } = fixture(5);
    costs(2 * BUSY_CPU_MS);
    coalescer.push('a');
    await afterTicks();
    coalescer.push('b');
    coalescer.push('c');
    await windowEnd(5);
    await afterTicks();
    coalescer.push('d');
    expect(runs).toEqual([['a'], ['b', 'c']]);
    coalescer.flush();
    expect(runs.at(-1)).toEqual(['d']);
    coalescer.push('e');
    coalescer.close();
    expect(runs.at(-1)).toEqual(['e']);
    coalescer.push('f');
    expect(runs.at(-1)).toEqual(['f']);
  });

  it('writes a waiting batch early once it reaches MAX_BATCH_BYTES, so a burst of large events stays bounded', async () => {
    let cpu = 0;
    const runs: number[][] = [];
    const coalescer = new Coalescer<number>({
      windowMs: 50,
      cpuMs: () => cpu,
      bytes: (n) => n,
      run: (batch) => {
        runs.push([...batch]);
        cpu += BUSY_CPU_MS;
      },
    });
    coalescer.push(1);
    await afterTicks();
    const quarter = MAX_BATCH_BYTES / 4;
    for (let i = 0; i < 6; i++) coalescer.push(quarter);
    expect(runs).toEqual([[1], [quarter, quarter, quarter, quarter]]);
    expect(coalescer.pending).toBe(2);
    coalescer.close();
    expect(runs.at(-1)).toEqual([quarter, quarter]);
  });

  it('with windowMs 0 never batches, whatever a run costs', async () => {
    const { coalescer, runs, costs } = fixture(0);
    costs(10 * BUSY_CPU_MS);
    coalescer.push('a');
    await afterTicks();
    coalescer.push('b');
    expect(runs).toEqual([['a'], ['b']]);
  });
});

describe('Channel coalescing over a real socket', () => {
  /** A channel server that counts, per subscriber socket, frames handed to it and writes it made. */
  async function countingServer(channel: Channel) {
    const sockets: { frames: number; writes: number }[] = [];
    server = await startHttp((req, res) => {
      const socket = req.socket as Socket & {
        _write: (...a: unknown[]) => void;
        _writev: (...a: unknown[]) => void;
      };
      const counts = { frames: 0, writes: 0 };
      sockets.push(counts);
      const write = socket.write;
      socket.write = function (this: Socket, ...a: unknown[]) {
        counts.frames++;
        return (write as (...x: unknown[]) => boolean).apply(this, a);
      } as typeof socket.write;
      for (const name of ['_write', '_writev'] as const) {
        const original = socket[name];
        socket[name] = function (this: Socket, ...a: unknown[]) {
          counts.writes++;
          return original.apply(this, a);
        };
      }
      channel.join(openStream(req, res, { heartbeatMs: 0 }));
    });
    return sockets;
  }

  it('writes an idle broadcast at once, and a burst after a costly broadcast as one socket write, in order', async () => {
    const channel = new Channel({ history: true, coalesceMs: 5 });
    const sockets = await countingServer(channel);
    const client = await parsedGet(`${server!.url}/`);
    while (channel.size < 1) await new Promise((r) => setTimeout(r, 5));
    const counts = sockets[0]!;

    const frames0 = counts.frames;
    channel.broadcast({ id: '0', data: 'idle' });
    expect(counts.frames).toBe(frames0 + 1); // handed to the socket before broadcast returned
    await client.waitFor(1);
    await windowEnd(5); // the first broadcast runs cold code and may itself have opened a window

    // A broadcast whose fan-out costs real CPU (its filter), then a burst: held for the window, then one
    // batch, which the corked socket sends in a single write.
    channel.broadcast(
      { id: '1', data: 'costly' },
      {
        filter: () => {
          burnCpu(BUSY_CPU_MS * 1.5);
          return true;
        },
      },
    );
    await afterTicks();
    const frames1 = counts.frames;
    const writes1 = counts.writes;
    for (let i = 2; i < 52; i++) channel.broadcast({ id: String(i), data: `burst ${i}` });
    expect(counts.frames).toBe(frames1);
    expect(channel.stats.deliveries).toBe(2);
    const events = await client.waitFor(52);
    expect(events.map((e) => e.lastEventId)).toEqual(Array.from({ length: 52 }, (_, i) => String(i)));
    expect(counts.frames).toBe(frames1 + 50);
    expect(counts.writes).toBe(writes1 + 1);
    expect(channel.stats.deliveries).toBe(52);
    client.abort();
  });

  it('a stream joining while broadcasts wait in the window gets each exactly once (history replay)', async () => {
    const channel = new Channel({ history: true, coalesceMs: 50 });
    const members: SseStream[] = [];
    server = await startHttp((req, res) => {
      const stream = openStream(req, res, { heartbeatMs: 0 });
      members.push(stream);
      channel.join(stream);
    });
    const first = await parsedGet(`${server.url}/`);
    while (channel.size < 1) await new Promise((r) => setTimeout(r, 5));
    await windowEnd(50);
    const costly = (): boolean => {
      burnCpu(BUSY_CPU_MS * 1.5);
      return true;
    };
    channel.broadcast({ id: '1', data: 'one' }, { filter: costly });
    await afterTicks();
    channel.broadcast({ id: '2', data: 'two' });
    channel.broadcast({ id: '3', data: 'three' });
    expect(channel.stats.deliveries).toBe(1);
    // Joins with Last-Event-ID 1 while 2 and 3 wait: they are written to the first member, then replayed.
    const late = await parsedGet(`${server.url}/`, { 'last-event-id': '1' });
    channel.broadcast({ id: '4', data: 'four' });
    expect((await late.waitFor(3)).map((e) => e.lastEventId)).toEqual(['2', '3', '4']);
    expect((await first.waitFor(4)).map((e) => e.lastEventId)).toEqual(['1', '2', '3', '4']);
    await windowEnd(50);
    expect(late.events.map((e) => e.lastEventId)).toEqual(['2', '3', '4']);
    expect(first.events.map((e) => e.lastEventId)).toEqual(['1', '2', '3', '4']);
    first.abort();
    late.abort();
  });

  it('refuses a coalescing window outside 0..50 ms', () => {
    expect(() => new Channel({ coalesceMs: -1 })).toThrow(/coalesceMs/);
    expect(() => new Channel({ coalesceMs: 51 })).toThrow(/coalesceMs/);
  });
});
