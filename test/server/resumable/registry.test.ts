/**
 * The resumable-stream registry over node:http and Fetch with real sockets: ids, replay, 204, terminal
 * events for each way a stream ends, cancel, limits, slow readers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryStreamStore,
  type Producer,
  ResumableStreams,
  type ResumableStreamsOptions,
} from '../../../src/server/index.js';
import { Gate, readEvents, serveRegistry, tokens, until } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(producer: () => Producer, options: ResumableStreamsOptions = {}) {
  const registry = new ResumableStreams(options);
  const served = await serveRegistry(registry, producer);
  cleanups.push(async () => {
    await registry.close();
    await served.close();
  });
  return { registry, ...served };
}

describe('ResumableStreams (node:http)', () => {
  it('answers the POST with the live stream: ids <stream>:<seq> from 0 without gaps, then done', async () => {
    const { url } = await setup(() => tokens(5));
    const response = await fetch(`${url}/start`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    const id = response.headers.get('sse-stream-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const events = await readEvents(response);
    expect(events.map((e) => [e.type, e.data, e.lastEventId])).toEqual([
      ['token', 't0', `${id}:0`],
      ['token', 't1', `${id}:1`],
      ['token', 't2', `${id}:2`],
      ['token', 't3', `${id}:3`],
      ['token', 't4', `${id}:4`],
      ['done', '{"reason":"complete"}', `${id}:5`],
    ]);
  });

  it('keeps producing with no reader; attach replays after Last-Event-ID, follows live, then 204', async () => {
    const gate = new Gate();
    const { url } = await setup(() => tokens(6, gate.wait));
    const started = await fetch(`${url}/start`, { method: 'POST' });
    const id = started.headers.get('sse-stream-id')!;
    await started.body!.cancel(); // the reader leaves at once
    for (let i = 0; i < 3; i++) {
      await until(() => gate.waiting > 0);
      gate.open();
    }
    await until(() => gate.waiting > 0);
    const attached = await fetch(`${url}/attach`, { headers: { 'last-event-id': `${id}:0` } });
    expect(attached.status).toBe(200);
    const reading = readEvents(attached);
    while (true) {
      await until(() => gate.waiting > 0);
      gate.open();
      if (gate.waiting === 0) await new Promise((r) => setImmediate(r));
      if ((await Promise.race([reading, Promise.resolve(undefined)])) !== undefined) break;
    }
    const events = await reading;
    expect(events.map((e) => e.data)).toEqual(['t1', 't2', 't3', 't4', 't5', '{"reason":"complete"}']);
    // Everything read: 204 stops any EventSource.
    const again = await fetch(`${url}/attach/${id}`, { headers: { 'last-event-id': `${id}:6` } });
    expect(again.status).toBe(204);
    // From the start (a native EventSource on /attach/<id> with no id yet): everything, once.
    const fromStart = await readEvents(await fetch(`${url}/attach/${id}`));
    expect(fromStart.map((e) => e.lastEventId)).toEqual([0, 1, 2, 3, 4, 5, 6].map((s) => `${id}:${s}`));
    // The query parameter works for a first connection that cannot set headers.
    const byQuery = await readEvents(await fetch(`${url}/attach?lastEventId=${id}:4`));
    expect(byQuery.map((e) => e.data)).toEqual(['t5', '{"reason":"complete"}']);
  });

  it('refuses bad cursors with 400, unknown streams with 404, and names the reason', async () => {
    const { url } = await setup(() => tokens(1));
    const id = (await fetch(`${url}/start`, { method: 'POST' })).headers.get('sse-stream-id')!;
    const cases: [string, Record<string, string>, number, string][] = [
      ['/attach', {}, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach', { 'last-event-id': 'nope' }, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      [`/attach/${id}`, { 'last-event-id': 'other:1' }, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach', { 'last-event-id': `${id}:99` }, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach/bad%20id', {}, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach/abc?lastEventId=%ZZ', {}, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach', { 'last-event-id': `${id}:${'9'.repeat(2000)}` }, 400, 'SSEHUB_INVALID_STREAM_CURSOR'],
      ['/attach/0000-unknown', {}, 404, 'SSEHUB_UNKNOWN_STREAM'],
    ];
    for (const [path, headers, status, code] of cases) {
      const response = await fetch(`${url}${path}`, { headers });
      expect([path, response.status]).toEqual([path, status]);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
  });

  it('cancel aborts the producer signal and ends the stream with done "cancelled"', async () => {
    let aborted: unknown;
    const { url } = await setup(() => async (context) => {
      await context.send({ data: 'first' });
      await new Promise<void>((resolve) => {
        context.signal.addEventListener('abort', () => {
          aborted = context.signal.reason;
          resolve();
        });
      });
    });
    const response = await fetch(`${url}/start`, { method: 'POST' });
    const id = response.headers.get('sse-stream-id')!;
    const reading = readEvents(response);
    const cancelled = await fetch(`${url}/cancel/${id}`, { method: 'POST' });
    expect(await cancelled.text()).toBe('true');
    const events = await reading;
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['message', 'first'],
      ['done', '{"reason":"cancelled"}'],
    ]);
    expect(aborted).toBeInstanceOf(Error);
    expect(await (await fetch(`${url}/cancel/${id}`, { method: 'POST' })).text()).toBe('false');
  });

  it('a producer that throws ends with error and a safe message; the error goes to onError only', async () => {
    const seen: unknown[] = [];
    const { url } = await setup(
      () =>
        async function* () {
          yield { data: 'partial' };
          throw new Error('upstream key sk-secret rejected');
        },
      { onError: (error) => seen.push(error) },
    );
    const events = await readEvents(await fetch(`${url}/start`, { method: 'POST' }));
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['message', 'partial'],
      ['error', '{"code":"SSEHUB_PRODUCER_FAILED","message":"The answer could not be completed."}'],
    ]);
    expect(JSON.stringify(events)).not.toContain('sk-secret');
    expect(String(seen[0])).toContain('sk-secret');
  });

  it('a producer may not send a terminal event type itself', async () => {
    const { url } = await setup(
      () =>
        async function* () {
          yield { event: 'done', data: 'forged' };
        },
    );
    const events = await readEvents(await fetch(`${url}/start`, { method: 'POST' }));
    expect(events.map((e) => e.type)).toEqual(['error']);
  });

  it('close() (shutdown) ends every running stream with interrupted after its stored events', async () => {
    const gate = new Gate();
    const registry = new ResumableStreams();
    const served = await serveRegistry(registry, () => tokens(100, gate.wait));
    cleanups.push(served.close);
    const response = await fetch(`${served.url}/start`, { method: 'POST' });
    const id = response.headers.get('sse-stream-id')!;
    const reading = readEvents(response);
    for (let i = 0; i < 3; i++) {
      await until(() => gate.waiting > 0);
      gate.open();
    }
    await until(() => gate.waiting > 0);
    await registry.close();
    const events = await reading;
    expect(events.map((e) => e.type)).toEqual(['token', 'token', 'token', 'interrupted']);
    expect(events.at(-1)).toMatchObject({ data: '{"reason":"shutdown"}', lastEventId: `${id}:3` });
    gate.open(); // the producer's next token is refused: nothing after the terminal event
    const refused = await fetch(`${served.url}/start`, { method: 'POST' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
  });

  it('limits: concurrent producers (503), per client (429), streams kept (503), with Retry-After', async () => {
    const gate = new Gate();
    const { url, registry } = await setup(() => tokens(1, gate.wait), {
      maxProducers: 3,
      maxProducersPerClient: 2,
      retryAfterSeconds: 7,
    });
    const a = await fetch(`${url}/start`, { method: 'POST' });
    const b = await fetch(`${url}/start`, { method: 'POST' });
    const c = await fetch(`${url}/start`, { method: 'POST' });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.headers.get('retry-after')).toBe('7');
    expect(((await c.json()) as { code: string }).code).toBe('SSEHUB_TOO_MANY_PRODUCERS_FOR_CLIENT');
    await registry.begin(tokens(1, gate.wait), 'someone-else');
    const d = await fetch(`${url}/start`, { method: 'POST' });
    expect(d.status).toBe(503);
    expect(((await d.json()) as { code: string }).code).toBe('SSEHUB_TOO_MANY_PRODUCERS');
    for (const r of [a, b]) await r.body!.cancel();
    gate.open();
    await until(() => registry.running === 0);
    const e = await fetch(`${url}/start`, { method: 'POST' });
    expect(e.status).toBe(200);
    await e.body!.cancel();

    const kept = new ResumableStreams({ maxStreams: 2, maxProducers: 10, maxProducersPerClient: 10 });
    cleanups.push(() => kept.close());
    const hold = new Gate();
    await kept.begin(tokens(1, hold.wait));
    await kept.begin(tokens(1, hold.wait));
    await expect(kept.begin(tokens(1))).rejects.toMatchObject({
      code: 'SSEHUB_TOO_MANY_STREAMS',
      status: 503,
    });
    hold.open();
    await until(() => kept.running === 0);
    await kept.begin(tokens(1)); // the oldest ended stream is forgotten to make room
    expect(kept.size).toBe(2);
  });

  it('maxStreamBytes stops a runaway producer with error SSEHUB_STREAM_TOO_LARGE and aborts it', async () => {
    let signal: AbortSignal | undefined;
    const { url } = await setup(
      () => async (context) => {
        signal = context.signal;
        for (;;) await context.send({ data: 'x'.repeat(100) });
      },
      { maxStreamBytes: 1000 },
    );
    const events = await readEvents(await fetch(`${url}/start`, { method: 'POST' }));
    expect(events.length).toBeLessThan(10);
    expect(events.at(-1)!.type).toBe('error');
    expect(JSON.parse(events.at(-1)!.data).code).toBe('SSEHUB_STREAM_TOO_LARGE');
    expect(signal!.aborted).toBe(true);
  });

  it('a reader too slow for its buffer is dropped, not buffered, and re-attaches without loss', async () => {
    const big = 'y'.repeat(64 * 1024);
    const count = 128; // 8 MiB: more than loopback socket buffers hold
    const ids: string[] = [];
    const { url, registry } = await setup(
      () => (context) =>
        (async function* () {
          ids.push(context.streamId);
          for (let i = 0; i < count; i++) {
            yield { data: `${i}:${big}` };
            await new Promise((r) => setImmediate(r));
          }
        })(),
      { stream: { maxBufferedBytes: 16 * 1024 }, maxStreamBytes: 16 * 1024 * 1024 },
    );
    const { connect } = await import('node:net');
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.pause(); // a reader that does not read
    socket.write('POST /start HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    await until(() => registry.size === 1);
    await until(() => registry.running === 0); // the producer ran to its end regardless
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.resume();
    await closed;
    expect(received).not.toContain('event: done'); // it was cut off, so it never got the end
    const id = ids[0]!;
    const events = await readEvents(await fetch(`${url}/attach/${id}`));
    expect(events).toHaveLength(count + 1);
    expect(events.slice(0, count).map((e) => e.data.slice(0, e.data.indexOf(':')))).toEqual(
      Array.from({ length: count }, (_, i) => String(i)),
    );
    expect(events.at(-1)!.type).toBe('done');
  });
});

describe('ResumableStreams (Fetch face)', () => {
  it('startResponse and attachResponse serve the same stream', async () => {
    const registry = new ResumableStreams({ store: new MemoryStreamStore() });
    cleanups.push(() => registry.close());
    const response = await registry.startResponse(
      new Request('http://x/start', { method: 'POST' }),
      tokens(3),
    );
    const id = response.headers.get('sse-stream-id')!;
    const live = await readEvents(response);
    expect(live.map((e) => e.data)).toEqual(['t0', 't1', 't2', '{"reason":"complete"}']);
    const resumed = await registry.attachResponse(
      new Request('http://x/attach', { headers: { 'last-event-id': `${id}:1` } }),
    );
    expect((await readEvents(resumed)).map((e) => e.data)).toEqual(['t2', '{"reason":"complete"}']);
    const done = await registry.attachResponse(new Request(`http://x/attach?lastEventId=${id}:3`));
    expect(done.status).toBe(204);
    const unknown = await registry.attachResponse(new Request('http://x/attach/zz'), 'zz');
    expect(unknown.status).toBe(404);
  });
});
