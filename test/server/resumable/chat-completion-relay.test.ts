/**
 * relayChatCompletion against a local upstream that speaks the OpenAI chat-completion stream byte for byte
 * (role chunk, content deltas, finish_reason chunk, `data: [DONE]`), and against upstreams that refuse,
 * stall, and drop mid-answer; cancellation reaches the upstream as a closed connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumableStreams, relayChatCompletion } from '../../../src/server/index.js';
import { Gate, readEvents, until } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One `chat.completion.chunk` as OpenAI sends it (compact JSON, one `data:` line, blank line). */
function chunk(delta: Record<string, string>, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-7',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-test',
    system_fingerprint: 'fp_1',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;
}

type Script = (req: IncomingMessage, res: ServerResponse, gate: Gate) => Promise<void> | void;

/** A local upstream running `script` per request; records bodies, headers and when the client hung up. */
async function upstream(script: Script) {
  const gate = new Gate();
  const seen: { body: string; authorization: string | undefined; closedEarly: boolean }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c;
    });
    req.on('end', async () => {
      const record = { body, authorization: req.headers.authorization, closedEarly: false };
      seen.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.closedEarly = true;
      });
      await script(req, res, gate);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`,
    seen,
    gate,
  };
}

const SSE = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };

function registry(): ResumableStreams {
  const streams = new ResumableStreams();
  cleanups.push(() => streams.close());
  return streams;
}

async function start(streams: ResumableStreams, url: string, extra: Record<string, unknown> = {}) {
  const response = await streams.startResponse(
    new Request('http://app/chat', { method: 'POST' }),
    relayChatCompletion({
      url,
      body: { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] },
      headers: { authorization: 'Bearer sk-test' },
      ...extra,
    }),
  );
  return { id: response.headers.get('sse-stream-id')!, events: readEvents(response) };
}

describe('relayChatCompletion', () => {
  it('relays content deltas as token events, finish_reason as finish, then done', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, SSE);
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const piece of ['Hel', 'lo', ' wor', 'ld', '!\n', 'é 🙂']) res.write(chunk({ content: piece }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
    const { events } = await start(registry(), up.url);
    const got = await events;
    expect(got.map((e) => [e.type, e.data])).toEqual([
      ...['Hel', 'lo', ' wor', 'ld', '!\n', 'é 🙂'].map((t) => ['token', JSON.stringify(t)]),
      ['finish', '{"finish_reason":"stop"}'],
      ['done', '{"reason":"complete"}'],
    ]);
    expect(JSON.parse(up.seen[0]!.body)).toMatchObject({ model: 'gpt-test', stream: true });
    expect(up.seen[0]!.authorization).toBe('Bearer sk-test');
  });

  it('an upstream that drops mid-answer: the tokens so far, then error SSEHUB_UPSTREAM_CUT_OFF', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, SSE);
      res.write(chunk({ role: 'assistant', content: '' }));
      res.write(chunk({ content: 'Half' }));
      res.write(chunk({ content: ' an' }), () => res.socket!.destroy());
    });
    const got = await (await start(registry(), up.url)).events;
    expect(got.map((e) => e.type)).toEqual(['token', 'token', 'error']);
    expect(JSON.parse(got.at(-1)!.data).code).toBe('SSEHUB_UPSTREAM_CUT_OFF');
  });

  it('an upstream that ends cleanly without [DONE] is cut off too, never "complete"', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, SSE);
      res.end(chunk({ content: 'Partial' }));
    });
    const got = await (await start(registry(), up.url)).events;
    expect(got.map((e) => e.type)).toEqual(['token', 'error']);
    expect(JSON.parse(got.at(-1)!.data).code).toBe('SSEHUB_UPSTREAM_CUT_OFF');
  });

  it('an upstream that stalls is aborted after stallTimeoutMs: error SSEHUB_UPSTREAM_STALLED', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, SSE);
      res.write(chunk({ role: 'assistant', content: '' }));
      res.write(chunk({ content: 'Thinking' })); // then nothing, ever
    });
    const got = await (await start(registry(), up.url, { stallTimeoutMs: 200 })).events;
    expect(got.map((e) => e.type)).toEqual(['token', 'error']);
    expect(JSON.parse(got.at(-1)!.data).code).toBe('SSEHUB_UPSTREAM_STALLED');
    await until(() => up.seen[0]!.closedEarly);
  });

  it('a refusing upstream (429 JSON): error SSEHUB_UPSTREAM_REFUSED, with no upstream detail shown', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"Rate limit for org-secret reached"}}');
    });
    const got = await (await start(registry(), up.url)).events;
    expect(got.map((e) => e.type)).toEqual(['error']);
    expect(JSON.parse(got[0]!.data)).toEqual({
      code: 'SSEHUB_UPSTREAM_REFUSED',
      message: 'The model service answered 429',
    });
  });

  it('cancel aborts the upstream request (its connection closes) and ends with done "cancelled"', async () => {
    const up = await upstream(async (_req, res, gate) => {
      res.writeHead(200, SSE);
      res.write(chunk({ role: 'assistant', content: '' }));
      for (let i = 0; !res.destroyed; i++) {
        res.write(chunk({ content: `t${i}` }));
        await gate.wait();
      }
    });
    const streams = registry();
    const { id, events } = await start(streams, up.url);
    await until(() => up.gate.waiting > 0);
    up.gate.open();
    await until(() => up.gate.waiting > 0);
    expect(await streams.cancel(id)).toBe(true);
    const got = await events;
    expect(got.at(-1)).toMatchObject({ type: 'done', data: '{"reason":"cancelled"}' });
    await until(() => up.seen[0]!.closedEarly);
    up.gate.open();
  });
});
