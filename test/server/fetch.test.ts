import { describe, expect, it } from 'vitest';
import { EventStreamParser, type ReceivedEvent } from '../../src/protocol/index.js';
import { type CloseReason, type SseStream, sseResponse } from '../../src/server/index.js';

/** Reads a Response body through our parser until it ends. */
async function readAll(response: Response): Promise<{ events: ReceivedEvent[]; comments: string[] }> {
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const parser = new EventStreamParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
  });
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(chunk);
  return { events, comments };
}

describe('sseResponse (Fetch API face)', () => {
  it('returns a 200 text/event-stream Response without hop-by-hop headers, streaming what the handler writes', async () => {
    const response = sseResponse(
      new Request('http://x/events?lastEventId=9', { headers: { 'Last-Event-ID': '7' } }),
      async (stream) => {
        expect(stream.lastEventId).toBe('7');
        stream.send({ id: '8', data: 'a' });
        await new Promise((r) => setTimeout(r, 5));
        stream.send({ data: 'b' });
        stream.close();
      },
      { headers: { Connection: 'keep-alive', 'X-Cursor': '8' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('connection')).toBeNull();
    expect(response.headers.get('x-cursor')).toBe('8');
    const { events, comments } = await readAll(response);
    expect(comments[0]).toBe('ok');
    expect(events).toEqual([
      { type: 'message', data: 'a', lastEventId: '8' },
      { type: 'message', data: 'b', lastEventId: '8' },
    ]);
  });

  it("takes a caller's Cache-Control verbatim, keeping its own Content-Type", async () => {
    const response = sseResponse(new Request('http://x/'), (stream) => stream.close(), {
      headers: { 'cache-control': 'no-store', 'Content-Type': 'text/html' },
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await readAll(response);
  });

  it('reads the query parameter when the header is absent', async () => {
    let seen: string | undefined;
    const response = sseResponse(new Request('http://x/events?lastEventId=9'), (stream) => {
      seen = stream.lastEventId;
      stream.close();
    });
    await readAll(response);
    expect(seen).toBe('9');
  });

  it('closes with "client" when the request is aborted, and "server" when the handler throws', async () => {
    const controller = new AbortController();
    let stream: SseStream | undefined;
    sseResponse(new Request('http://x/', { signal: controller.signal }), (s) => {
      stream = s;
    });
    const reason = new Promise<CloseReason>((r) => stream!.onClose(r));
    controller.abort();
    expect(await reason).toBe('client');

    let failing: SseStream | undefined;
    const response = sseResponse(new Request('http://x/'), async (s) => {
      failing = s;
      throw new Error('boom');
    });
    await readAll(response);
    expect(failing!.closeReason).toBe('server');
  });

  it('bounds the buffer when nobody reads the body (overflow)', async () => {
    let stream: SseStream | undefined;
    sseResponse(
      new Request('http://x/'),
      (s) => {
        stream = s;
      },
      { maxBufferedBytes: 100_000 },
    );
    const reason = new Promise<CloseReason>((r) => stream!.onClose(r));
    const chunk = 'x'.repeat(10_000);
    for (let i = 0; i < 100 && !stream!.closed; i++) stream!.send({ data: chunk });
    expect(await reason).toBe('overflow');
  });

  it('drain() resolves once the reader catches up', async () => {
    let stream: SseStream | undefined;
    const response = sseResponse(
      new Request('http://x/'),
      (s) => {
        stream = s;
      },
      { overflow: 'wait', maxBufferedBytes: 10_000_000 },
    );
    let sent = 0;
    while (stream!.send({ data: 'y'.repeat(1000) })) sent++;
    sent++;
    const drained = stream!.drain().then(() => stream!.close());
    const { events } = await readAll(response);
    await drained;
    expect(events.length).toBe(sent);
  });
});
