import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, openStream, SseServerGroup, type SseStream, stopServer } from '../../src/server/index.js';
import { parsedGet, rawGet } from './support/clients.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  if (server?.server.listening) await server.close();
  server = undefined;
});

describe('graceful shutdown', () => {
  it('closes every stream with a jittered retry and waits for them; the server stops', async () => {
    const group = new SseServerGroup();
    server = await startHttp((req, res) => group.add(openStream(req, res)));
    const clients = await Promise.all(Array.from({ length: 20 }, () => parsedGet(server!.url)));
    while (group.size < 20) await new Promise((r) => setTimeout(r, 5));
    const result = await stopServer(server.server, group, { retry: 1000, retryJitter: 1, deadlineMs: 5000 });
    expect(result).toEqual({ closed: 20, forced: 0 });
    await Promise.all(clients.map((c) => c.ended));
    const retries = clients.map((c) => c.retries.at(-1)!);
    for (const r of retries) {
      expect(r).toBeGreaterThanOrEqual(1000);
      expect(r).toBeLessThanOrEqual(2000);
    }
    expect(new Set(retries).size).toBeGreaterThan(5);
    expect(group.size).toBe(0);
    expect(server.server.listening).toBe(false);
  });

  it('reports reason "shutdown", and closes streams that arrive after shutdown began', async () => {
    const group = new SseServerGroup();
    const streams: SseStream[] = [];
    server = await startHttp((req, res) => streams.push(group.add(openStream(req, res))));
    const a = await parsedGet(server.url);
    while (streams.length < 1) await new Promise((r) => setTimeout(r, 5));
    await group.shutdown({ retry: 500, retryJitter: 0 });
    expect(streams[0]!.closeReason).toBe('shutdown');
    await a.ended;
    const late = await parsedGet(server.url);
    await late.ended;
    expect(late.response.status).toBe(200);
    expect(late.retries).toEqual([500]);
    expect(streams[1]!.closeReason).toBe('shutdown');
  });

  it('spreads closes over spreadMs, in order', async () => {
    const streams: SseStream[] = [];
    server = await startHttp((req, res) => streams.push(openStream(req, res)));
    const clients = await Promise.all(Array.from({ length: 5 }, () => parsedGet(server!.url)));
    while (streams.length < 5) await new Promise((r) => setTimeout(r, 5));
    const order: number[] = [];
    for (const [i, s] of streams.entries()) s.onClose(() => order.push(i));
    const result = await closeAll(streams, { spreadMs: 100 });
    expect(result.forced).toBe(0);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    await Promise.all(clients.map((c) => c.ended));
  });

  it('destroys streams whose clients do not read by the deadline', async () => {
    const group = new SseServerGroup();
    const streams: SseStream[] = [];
    server = await startHttp((req, res) =>
      streams.push(
        group.add(openStream(req, res, { maxBufferedBytes: 64 * 1024 * 1024, dispatchTimeoutMs: 0 })),
      ),
    );
    const reader = await parsedGet(server.url);
    const stalled = rawGet(server.port);
    while (streams.length < 2) await new Promise((r) => setTimeout(r, 5));
    await stalled.until((t) => t.includes(': ok'));
    stalled.socket.pause();
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 32; i++) streams[1]!.send({ data: big });
    const result = await stopServer(server.server, group, { deadlineMs: 300 });
    expect(result).toEqual({ closed: 1, forced: 1 });
    await reader.ended;
    stalled.socket.resume();
    await stalled.closed;
  });
});
