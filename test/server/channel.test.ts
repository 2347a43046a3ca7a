import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Channel,
  EventTooLargeForChannelError,
  openStream,
  type SinkEvents,
  type SseSink,
  SseStream,
} from '../../src/server/index.js';
import { resolveStreamOptions } from '../../src/server/options.js';
import { parsedGet } from './support/clients.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A sink that records the exact byte arrays it is given (to prove one serialisation per broadcast). */
class RecordingSink implements SseSink {
  chunks: Uint8Array[] = [];
  events: SinkEvents | undefined;
  pendingBytes = 0;
  attach(events: SinkEvents): void {
    this.events = events;
  }
  write(chunk: Uint8Array): boolean {
    this.chunks.push(chunk);
    return true;
  }
  end(): void {
    queueMicrotask(() => this.events?.sinkClosed());
  }
  destroy(): void {
    queueMicrotask(() => this.events?.sinkClosed());
  }
  detach(): void {
    this.events = undefined;
  }
}

function recordingStream(lastEventId?: string): { stream: SseStream; sink: RecordingSink } {
  const sink = new RecordingSink();
  const stream = new SseStream({ sink, options: resolveStreamOptions({ heartbeatMs: 0 }), lastEventId });
  return { stream, sink };
}

const text = (chunks: Uint8Array[]): string => chunks.map((c) => new TextDecoder().decode(c)).join('');

describe('Channel', () => {
  it('serialises a broadcast once and writes the very same bytes to every stream', () => {
    const channel = new Channel();
    const members = [recordingStream(), recordingStream(), recordingStream()];
    for (const m of members) channel.join(m.stream);
    const frame = channel.broadcast({ id: '1', data: 'hi' });
    const written = members[0]!.sink.chunks.at(-1)!;
    for (const m of members) expect(m.sink.chunks.at(-1)).toBe(written);
    expect(written.buffer).toBe(frame.bytes.buffer);
    expect(new TextDecoder().decode(written)).toBe(frame.text);
    expect(channel.stats.deliveries).toBe(3);
    expect(channel.stats.broadcasts).toBe(1);
  });

  it('closeAll gives each member its own jittered final retry, so they do not reconnect in step', () => {
    const channel = new Channel();
    const members = Array.from({ length: 20 }, () => recordingStream());
    for (const m of members) channel.join(m.stream);
    channel.closeAll({ retry: 1000 });
    const retries = members.map((m) => Number(/^retry: ?(\d+)$/m.exec(text(m.sink.chunks))?.[1]));
    for (const retry of retries) {
      expect(retry).toBeGreaterThanOrEqual(1000);
      expect(retry).toBeLessThanOrEqual(2000);
    }
    expect(new Set(retries).size).toBeGreaterThan(1);

    const exact = Array.from({ length: 3 }, () => recordingStream());
    const other = new Channel();
    for (const m of exact) other.join(m.stream);
    other.closeAll({ retry: 500, retryJitter: 0 });
    for (const m of exact) expect(text(m.sink.chunks)).toMatch(/^retry: ?500$/m);
  });

  it('delivers over real sockets to every member, honours filter, and forgets closed streams', async () => {
    const channel = new Channel();
    server = await startHttp((req, res) => {
      const stream = openStream(req, res);
      (stream as SseStream & { vip?: boolean }).vip = req.url?.includes('vip') ?? false;
      channel.join(stream);
    });
    const a = await parsedGet(`${server.url}/?vip`);
    const b = await parsedGet(`${server.url}/`);
    while (channel.size < 2) await new Promise((r) => setTimeout(r, 5));
    channel.broadcast({ data: 'all' });
    channel.broadcast(
      { data: 'vip only' },
      { filter: (s) => (s as SseStream & { vip?: boolean }).vip === true },
    );
    channel.broadcast({ data: 'end' });
    await a.waitFor(3);
    await b.waitFor(2);
    expect(a.events.map((e) => e.data)).toEqual(['all', 'vip only', 'end']);
    expect(b.events.map((e) => e.data)).toEqual(['all', 'end']);
    b.abort();
    while (channel.size > 1) await new Promise((r) => setTimeout(r, 5));
    expect(channel.stats.closes.client).toBe(1);
    channel.closeAll();
    await a.ended;
    expect(channel.size).toBe(0);
  });

  it('refuses an event larger than maxEventBytes before writing or recording it, so no member is cut off', () => {
    const channel = new Channel({ history: true });
    const { stream, sink } = recordingStream();
    channel.join(stream);
    channel.broadcast({ id: '1', data: 'small' });
    const writes = sink.chunks.length;
    // 200 Ki line breaks fit a 1 MiB publish body but encode to 7 bytes each: 1.4 MB on the wire.
    expect(() => channel.broadcast({ id: '2', data: '\n'.repeat(200 * 1024) })).toThrow(
      EventTooLargeForChannelError,
    );
    expect(sink.chunks.length).toBe(writes);
    expect(stream.closed).toBe(false);
    const late = recordingStream('1');
    expect(channel.join(late.stream)).toEqual({ status: 'replayed', replayed: 0 });
    expect(channel.cursor).toBe('1');

    const tight = new Channel({ maxEventBytes: 64 });
    expect(() => tight.broadcast({ data: 'x'.repeat(64) })).toThrow(/maxEventBytes \(64\)/);
    expect(tight.broadcast({ data: 'x'.repeat(10) }).bytes.length).toBeLessThanOrEqual(64);
  });

  it('replays exactly the events after Last-Event-ID, then continues live', () => {
    const channel = new Channel({ history: true });
    for (let i = 1; i <= 5; i++) channel.broadcast({ id: String(i), data: `e${i}` });
    const { stream, sink } = recordingStream('3');
    expect(channel.join(stream)).toEqual({ status: 'replayed', replayed: 2 });
    channel.broadcast({ id: '6', data: 'e6' });
    expect([...text(sink.chunks).matchAll(/data: (e\d)/g)].map((m) => m[1])).toEqual(['e4', 'e5', 'e6']);
  });

  it('reports an unknown (evicted) id in-band with the current cursor, only when opted in', () => {
    const withReset = new Channel({ history: { maxEvents: 3 }, resetEvent: 'ssehub-reset' });
    const without = new Channel({ history: { maxEvents: 3 } });
    for (let i = 1; i <= 10; i++) {
      withReset.broadcast({ id: String(i), data: `e${i}` });
      without.broadcast({ id: String(i), data: `e${i}` });
    }
    expect(withReset.history?.length).toBe(3);
    const a = recordingStream('2');
    expect(withReset.join(a.stream)).toEqual({ status: 'unknown', replayed: 0 });
    expect(text(a.sink.chunks)).toBe(
      'event: ssehub-reset\nid: 10\ndata: {"reason":"unknown-last-event-id","lastEventId":"2","cursor":"10"}\n\n',
    );
    expect(withReset.stats.resets).toBe(1);
    const b = recordingStream('2');
    expect(without.join(b.stream)).toEqual({ status: 'unknown', replayed: 0 });
    expect(b.sink.chunks).toEqual([]);
    // An id that is still held replays normally.
    const c = recordingStream('8');
    expect(withReset.join(c.stream)).toEqual({ status: 'replayed', replayed: 2 });
  });

  it('bounds history by bytes as well as by count', () => {
    const channel = new Channel({ history: { maxEvents: 1000, maxBytes: 1000 } });
    for (let i = 0; i < 100; i++) channel.broadcast({ id: String(i), data: 'x'.repeat(90) });
    expect(channel.history!.bytes).toBeLessThanOrEqual(1000);
    expect(channel.history!.length).toBeGreaterThan(5);
  });

  it('property: reconnecting clients see every event exactly once, in order, while publishing continues', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 2, maxLength: 6 }),
        async (reads) => {
          const channel = new Channel({ history: { maxEvents: 10_000 } });
          let next = 0;
          server = await startHttp((req, res) => {
            const stream = openStream(req, res, { heartbeatMs: 0 });
            channel.join(stream);
          });
          const seen: number[] = [];
          let lastId: string | undefined;
          // Never more than half the history ahead of the id a client resumes from: a reconnect slowed down
          // by load must still find its id (an evicted one would rightly answer `unknown` and skip events).
          const publisher = setInterval(() => {
            if (lastId !== undefined && next - Number(lastId) > 5000) return;
            for (let i = 0; i < 3; i++) channel.broadcast({ id: String(next), data: String(next++) });
          }, 1);
          try {
            for (const count of reads) {
              const client = await parsedGet(
                server.url,
                lastId === undefined ? {} : { 'Last-Event-ID': lastId },
              );
              await client.waitFor(count);
              client.abort();
              await client.ended;
              // Keep only what arrived before the abort was noticed: all of it is valid delivery.
              for (const e of client.events) seen.push(Number(e.data));
              lastId = client.events.at(-1)!.lastEventId;
            }
          } finally {
            clearInterval(publisher);
            await server.close();
            server = undefined;
          }
          const first = seen[0]!;
          expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => first + i));
        },
      ),
      { numRuns: 8 },
    );
  });
});
