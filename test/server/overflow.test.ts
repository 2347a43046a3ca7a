import { afterEach, describe, expect, it } from 'vitest';
import { type CloseReason, openStream, type SseStream, type StreamOptions } from '../../src/server/index.js';
import { type RawCapture, rawGet } from './support/clients.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PAD = 'x'.repeat(16 * 1024);

/** Opens one stream for a raw client that reads the opening comment, then stops reading (paused socket). */
async function stalledStream(options: StreamOptions): Promise<{ stream: SseStream; raw: RawCapture }> {
  let resolveStream: (s: SseStream) => void = () => {};
  const opened = new Promise<SseStream>((r) => {
    resolveStream = r;
  });
  server = await startHttp((req, res) => resolveStream(openStream(req, res, options)));
  const raw = rawGet(server.port);
  const stream = await opened;
  await raw.until((t) => t.includes(': ok'));
  raw.socket.pause();
  return { stream, raw };
}

/**
 * Sends numbered 16 KiB events until the stream stays congested: `send` returned false and the transport
 * did not drain within 300 ms (kernel buffers on both sides are full). Returns how many were sent.
 */
async function fillUntilBackpressure(stream: SseStream, limit = 20_000): Promise<number> {
  let n = 0;
  while (n < limit && !stream.closed) {
    if (stream.send({ data: `n=${n++} ${PAD}` })) {
      if (n % 64 === 0) await new Promise((r) => setImmediate(r));
      continue;
    }
    const drained = await Promise.race([
      stream.drain().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
    ]);
    if (!drained) return n;
  }
  if (stream.closed) return n;
  throw new Error('the stalled reader never pushed back');
}

/** Resolves when the raw client saw the end of the chunked body. */
function bodyEnded(raw: RawCapture): Promise<string> {
  return raw.until((t) => t.endsWith('0\r\n\r\n'));
}

function reasonOf(stream: SseStream): Promise<CloseReason> {
  return new Promise((resolve) => stream.onClose(resolve));
}

describe('slow readers (a real socket that stops reading)', () => {
  it('disconnect: closes with "overflow" once the bound is reached, never buffering past it', async () => {
    const max = 256 * 1024;
    const { stream, raw } = await stalledStream({ maxBufferedBytes: max, dispatchTimeoutMs: 0 });
    const reason = reasonOf(stream);
    await fillUntilBackpressure(stream);
    let peak = 0;
    for (let n = 0; n < 100 && !stream.closed; n++) {
      stream.send({ data: PAD });
      peak = Math.max(peak, stream.bufferedBytes);
    }
    expect(await reason).toBe('overflow');
    expect(peak).toBeLessThanOrEqual(max);
    raw.socket.resume();
    await raw.closed;
  });

  it('drop-oldest: stays open, drops the oldest queued events and delivers the newest in order', async () => {
    const max = 128 * 1024;
    const { stream, raw } = await stalledStream({
      maxBufferedBytes: max,
      overflow: 'drop-oldest',
      dispatchTimeoutMs: 0,
    });
    let sent = await fillUntilBackpressure(stream);
    for (let i = 0; i < 200; i++) {
      stream.send({ data: `n=${sent++} ${PAD}` });
      expect(stream.bufferedBytes).toBeLessThanOrEqual(max + PAD.length + 32);
    }
    expect(stream.closed).toBe(false);
    expect(stream.stats.framesDropped).toBeGreaterThan(0);
    raw.socket.resume();
    await stream.drain();
    stream.close();
    await bodyEnded(raw);
    const seen = [...raw.text().matchAll(/data: n=(\d+) /g)].map((m) => Number(m[1]));
    expect(seen.at(-1)).toBe(sent - 1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.length).toBe(sent - stream.stats.framesDropped);
  });

  it('wait: reports backpressure, drain() resolves once the reader resumes, nothing is lost', async () => {
    const { stream, raw } = await stalledStream({
      maxBufferedBytes: 64 * 1024 * 1024,
      overflow: 'wait',
      dispatchTimeoutMs: 0,
    });
    const sent = await fillUntilBackpressure(stream);
    let drained = false;
    const draining = stream.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    raw.socket.resume();
    await draining;
    expect(stream.closed).toBe(false);
    stream.close();
    await bodyEnded(raw);
    const seen = [...raw.text().matchAll(/data: n=(\d+) /g)].map((m) => Number(m[1]));
    expect(seen).toEqual(Array.from({ length: sent }, (_, i) => i));
  });

  it('wait: a producer that ignores backpressure is still bounded (closes with "overflow")', async () => {
    const { stream } = await stalledStream({
      maxBufferedBytes: 256 * 1024,
      overflow: 'wait',
      dispatchTimeoutMs: 0,
    });
    const reason = reasonOf(stream);
    await fillUntilBackpressure(stream);
    for (let n = 0; n < 100 && !stream.closed; n++) stream.send({ data: PAD });
    expect(await reason).toBe('overflow');
  });

  it('closes with "dispatch-timeout" when the transport makes no progress in time', async () => {
    const { stream, raw } = await stalledStream({
      maxBufferedBytes: 64 * 1024 * 1024,
      overflow: 'wait',
      dispatchTimeoutMs: 100,
    });
    const reason = reasonOf(stream);
    await fillUntilBackpressure(stream);
    expect(await reason).toBe('dispatch-timeout');
    raw.socket.resume();
    await raw.closed;
    expect(stream.bufferedBytes).toBe(0);
  });

  it('closes with "heartbeat-failed" when a whole heartbeat interval passes without the transport draining', async () => {
    const { stream } = await stalledStream({
      maxBufferedBytes: 64 * 1024 * 1024,
      overflow: 'wait',
      dispatchTimeoutMs: 0,
      heartbeatMs: 60,
    });
    const reason = reasonOf(stream);
    await fillUntilBackpressure(stream);
    expect(await reason).toBe('heartbeat-failed');
  });
});
