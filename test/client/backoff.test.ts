import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ReconnectInfo, reconnectDelay, SseHttpError, streamEvents } from '../../src/client/index.js';
import { openStream, startServer, type TestServer } from './test-server.js';

describe('reconnectDelay', () => {
  it('is exactly the reconnection time after a healthy connection', () => {
    expect(reconnectDelay({ reconnectionTime: 3000, failures: 0, maxDelay: 30_000, random: () => 0.9 })).toBe(
      3000,
    );
  });

  it('adds a random share of one more reconnection time when a healthy connection was lost to an error', () => {
    const input = { reconnectionTime: 3000, failures: 0, maxDelay: 30_000 };
    expect(reconnectDelay({ ...input, random: () => 0.5, lostToError: true })).toBe(4500);
    expect(reconnectDelay({ ...input, random: () => 0, lostToError: true })).toBe(3000);
    expect(reconnectDelay({ ...input, random: () => 0.5, lostToError: false })).toBe(3000);
  });

  it('is full jitter: within [0, min(cap, base * 2^n)) for every failure count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, failures, maxDelay, r) => {
          const delay = reconnectDelay({ reconnectionTime: base, failures, maxDelay, random: () => r });
          const ceiling = Math.min(Math.max(maxDelay, base), base * 2 ** failures);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBe(Math.floor(r * ceiling));
        },
      ),
    );
  });

  it('still backs off from a reconnection time of 0: failures never retry in a hot loop', () => {
    const delays = [1, 2, 3, 10, 20].map((failures) =>
      reconnectDelay({ reconnectionTime: 0, failures, maxDelay: 30_000, random: () => 0.999 }),
    );
    expect(delays).toEqual([1, 3, 7, 1022, 29_970]);
  });

  it('never caps below a server-sent retry', () => {
    expect(
      reconnectDelay({ reconnectionTime: 60_000, failures: 3, maxDelay: 1000, random: () => 0.999 }),
    ).toBe(59_940);
  });
});

describe('backoff schedule on a real server, with fake timers', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
  });

  /** Lets real socket I/O progress while setTimeout is faked. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('grows exponentially with full jitter up to the cap, waits each delay, and resets after health', async () => {
    // Requests 0-5 fail with 500; request 6 is healthy and ends; 7 fails again.
    server = await startServer((_req, res, index) => {
      if (index === 6) {
        openStream(res);
        res.end('data: healthy\n\n');
        return;
      }
      if (index === 8) {
        openStream(res);
        res.write('data: done\n\n');
        return;
      }
      res.writeHead(500);
      res.end();
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const randoms = [0.5, 0.25, 0.999, 0.5, 0.75, 0.1, 0.6];
    let next = 0;
    const infos: ReconnectInfo[] = [];
    let notify: (() => void) | undefined;
    const stream = streamEvents(server.origin, {
      reconnectionTime: 100,
      maxReconnectDelay: 1000,
      random: () => randoms[next++] ?? 0,
      onReconnect: (info) => {
        infos.push(info);
        notify?.();
      },
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    const data: string[] = [];
    void first.then((r) => r.value && data.push(r.value.data));

    for (let attempt = 0; attempt < 8; attempt++) {
      while (infos.length <= attempt) {
        await new Promise<void>((resolve) => {
          notify = resolve;
        });
      }
      const { delay } = infos[attempt]!;
      const before = server.requests.length;
      if (delay > 0) {
        vi.advanceTimersByTime(delay - 1);
        for (let i = 0; i < 5; i++) await settle();
        // One millisecond early, nobody has knocked again.
        expect(server.requests.length).toBe(before);
        vi.advanceTimersByTime(1);
      }
      await server.request(before);
    }

    // failures 1..6 then 1 again: ceilings min(1000, 100 * 2^n) = 200, 400, 800, 1000, 1000, 1000; after the
    // healthy connection (request 6) the next delay is exactly the reconnection time, then failures restart.
    expect(infos.map((i) => i.failures)).toEqual([1, 2, 3, 4, 5, 6, 0, 1]);
    expect(infos.map((i) => i.delay)).toEqual([
      Math.floor(0.5 * 200),
      Math.floor(0.25 * 400),
      Math.floor(0.999 * 800),
      Math.floor(0.5 * 1000),
      Math.floor(0.75 * 1000),
      Math.floor(0.1 * 1000),
      100,
      Math.floor(0.6 * 200),
    ]);
    expect(infos[0]!.error).toBeInstanceOf(SseHttpError);
    expect(infos[6]!.error).toBeUndefined();
    expect((await first).value?.data).toBe('healthy');
    expect((await iterator.next()).value?.data).toBe('done');
    await iterator.return?.();
    expect(data).toEqual(['healthy']);
  });
});
