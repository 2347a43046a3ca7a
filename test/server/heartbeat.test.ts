import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SinkEvents, type SseSink, SseStream } from '../../src/server/index.js';
import { resolveStreamOptions } from '../../src/server/options.js';

/** An in-memory transport: records text, and can pretend to be congested. */
class MemorySink implements SseSink {
  text = '';
  congested = false;
  pendingBytes = 0;
  events: SinkEvents | undefined;
  attach(events: SinkEvents): void {
    this.events = events;
  }
  write(chunk: Uint8Array): boolean {
    this.text += new TextDecoder().decode(chunk);
    return !this.congested;
  }
  end(): void {
    this.events?.sinkClosed();
  }
  destroy(): void {
    this.events?.sinkClosed();
  }
  detach(): void {
    this.events = undefined;
  }
}

const heartbeats = (sink: MemorySink): number => sink.text.split(': heartbeat\n').length - 1;

describe('heartbeat schedule (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a heartbeat after heartbeatMs (within one tick, 1/8 interval) of silence, postponed by every write', () => {
    const sink = new MemorySink();
    const stream = new SseStream({
      sink,
      options: resolveStreamOptions({ heartbeatMs: 1000 }),
      lastEventId: undefined,
    });
    vi.advanceTimersByTime(999);
    expect(heartbeats(sink)).toBe(0);
    vi.advanceTimersByTime(125);
    expect(heartbeats(sink)).toBe(1);
    vi.advanceTimersByTime(776);
    stream.send({ data: 'x' }); // at 1900: next heartbeat due at 2900, not at 2000 or 2125
    vi.advanceTimersByTime(999);
    expect(heartbeats(sink)).toBe(1);
    vi.advanceTimersByTime(125);
    expect(heartbeats(sink)).toBe(2);
    stream.close();
    vi.advanceTimersByTime(10_000);
    expect(heartbeats(sink)).toBe(2);
    // The shared heartbeat clock stops with its last member.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shares one timer among all streams with the same interval', () => {
    const streams = Array.from({ length: 100 }, () => {
      const sink = new MemorySink();
      return {
        sink,
        stream: new SseStream({
          sink,
          options: resolveStreamOptions({ heartbeatMs: 1000 }),
          lastEventId: undefined,
        }),
      };
    });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1125);
    for (const { sink } of streams) expect(heartbeats(sink)).toBe(1);
    for (const { stream } of streams) stream.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes with "heartbeat-failed" when the transport stays congested for a whole interval', () => {
    const sink = new MemorySink();
    const stream = new SseStream({
      sink,
      options: resolveStreamOptions({ heartbeatMs: 1000, dispatchTimeoutMs: 0 }),
      lastEventId: undefined,
    });
    sink.congested = true;
    stream.send({ data: 'a' });
    vi.advanceTimersByTime(900);
    expect(stream.closed).toBe(false);
    vi.advanceTimersByTime(225);
    expect(stream.closeReason).toBe('heartbeat-failed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('heartbeatMs: 0 disables it', () => {
    const sink = new MemorySink();
    const stream = new SseStream({
      sink,
      options: resolveStreamOptions({ heartbeatMs: 0 }),
      lastEventId: undefined,
    });
    vi.advanceTimersByTime(100_000);
    expect(heartbeats(sink)).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    stream.close();
  });

  it('dispatch timeout fires only when the transport does not drain in time', () => {
    const sink = new MemorySink();
    const stream = new SseStream({
      sink,
      options: resolveStreamOptions({ heartbeatMs: 0, dispatchTimeoutMs: 500 }),
      lastEventId: undefined,
    });
    sink.congested = true;
    stream.send({ data: 'a' });
    vi.advanceTimersByTime(400);
    sink.congested = false;
    sink.events!.sinkDrained();
    vi.advanceTimersByTime(1000);
    expect(stream.closed).toBe(false);
    sink.congested = true;
    stream.send({ data: 'b' });
    vi.advanceTimersByTime(500);
    expect(stream.closeReason).toBe('dispatch-timeout');
    expect(vi.getTimerCount()).toBe(0);
  });
});
