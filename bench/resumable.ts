/**
 * Resumable streams: how many tokens per second one process relays to 1,000 attached readers, and how
 * much memory a kept (finished) stream costs.
 *
 *   npx tsx bench/resumable.ts [--readers 1000] [--tokens 5000] [--kept 2000]
 *
 * Throughput: the registry process runs alone on core 0 (`taskset -c 0`); an OpenAI-compatible upstream
 * and the readers run here, on core 1. One stream relays the upstream (`relayChatCompletion`: parse,
 * store in memory, fan out); the readers attach with GET before the upstream starts, then the upstream
 * writes its chunks as fast as its socket takes them. Reported: tokens/s (tokens / time from the first
 * chunk to the last reader's `done`) and deliveries/s (tokens × readers / that time).
 * Memory: a child started with --expose-gc keeps `--kept` finished streams of 200 tokens each in the
 * memory store and reports heap growth per stream. No figure is asserted anywhere; this only prints.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ResumableStreams, relayChatCompletion } from '../src/server/index.js';

const self = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    readers: { type: 'string', default: '1000' },
    tokens: { type: 'string', default: '5000' },
    kept: { type: 'string', default: '2000' },
  },
});

function pinnable(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Child role: the registry behind node:http (POST /start relays the upstream given in the body). */
async function serve(): Promise<void> {
  const streams = new ResumableStreams({
    maxStreamBytes: 64 * 1024 * 1024,
    maxProducersPerClient: 1000,
    stream: { maxBufferedBytes: 8 * 1024 * 1024 },
  });
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/start') {
      let upstream = '';
      for await (const chunk of req) upstream += chunk;
      await streams.start(
        req,
        res,
        relayChatCompletion({ url: upstream, body: { model: 'bench', messages: [] } }),
      );
    } else if (path.startsWith('/attach/')) {
      await streams.attach(req, res, path.slice('/attach/'.length));
    } else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}

/** Child role: heap growth per kept stream (finished, 200 tokens, memory store). */
async function memory(kept: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const streams = new ResumableStreams({
    maxStreams: kept + 1,
    maxProducers: kept,
    maxProducersPerClient: kept,
  });
  const tokens = Array.from({ length: 200 }, (_, i) => ({
    event: 'token',
    data: JSON.stringify(` word${i}`),
  }));
  async function* producer() {
    yield* tokens;
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < kept; i++) await streams.begin(producer());
  while (streams.running > 0) await new Promise((r) => setTimeout(r, 5));
  gc();
  const after = process.memoryUsage().heapUsed;
  const eventBytes = tokens.reduce(
    (n, t, i) =>
      n + `id: 00000000-0000-0000-0000-000000000000:${i}\nevent: token\ndata: ${t.data}\n\n`.length,
    0,
  );
  process.stdout.write(
    `${JSON.stringify({ kept, perStreamBytes: (after - before) / kept, encodedEventBytes: eventBytes })}\n`,
  );
}

function chunk(content: string): string {
  return `data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
}

async function main(): Promise<void> {
  const readers = Number(values.readers);
  const tokens = Number(values.tokens);
  const pinned = pinnable();
  if (pinned) execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  else process.stderr.write('# taskset not available: server and load are NOT pinned to separate cores\n');

  // Memory per kept stream.
  const mem = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self, '--role', 'memory', '--kept', String(values.kept)],
    { encoding: 'utf8' },
  );
  const memResult = JSON.parse(mem) as { kept: number; perStreamBytes: number; encodedEventBytes: number };

  // The upstream: holds its answer until every reader is attached, then writes as fast as it can.
  let go: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  const upstream = createServer(async (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n`);
    await started;
    for (let i = 0; i < tokens; i++) {
      if (!res.write(chunk(` tok${i}`))) await new Promise((r) => res.once('drain', r));
    }
    res.end(`data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1/chat/completions`;

  const args = ['--import', 'tsx', self, '--role', 'server'];
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString()))),
  );
  try {
    const start = await fetch(`http://127.0.0.1:${port}/start`, { method: 'POST', body: upstreamUrl });
    const id = start.headers.get('sse-stream-id')!;
    void start.body!.cancel();
    // Attach every reader (raw sockets: cheap enough that the loader is not the bottleneck).
    let attached = 0;
    const finished: Promise<number>[] = [];
    for (let r = 0; r < readers; r++) {
      finished.push(
        new Promise<number>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1');
          let count = 0;
          let tail = '';
          let headers = false;
          socket.setEncoding('latin1');
          socket.on('data', (text: string) => {
            const all = tail + text;
            if (!headers && all.includes('\r\n\r\n')) {
              headers = true;
              attached++;
            }
            let at = all.indexOf('event: token', tail.length > 12 ? tail.length - 12 : 0);
            while (at !== -1) {
              count++;
              at = all.indexOf('event: token', at + 12);
            }
            if (all.includes('event: done')) {
              socket.destroy();
              resolve(count);
            }
            tail = all.slice(-12);
          });
          socket.on('error', reject);
          socket.write(`GET /attach/${id} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
        }),
      );
    }
    while (attached < readers) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    go();
    const counts = await Promise.all(finished);
    const seconds = (performance.now() - t0) / 1000;
    const short = counts.filter((c) => c !== tokens).length;
    const result = {
      readers,
      tokens,
      seconds: Number(seconds.toFixed(3)),
      tokensPerSecond: Math.round(tokens / seconds),
      deliveriesPerSecond: Math.round((tokens * readers) / seconds),
      readersMissingTokens: short,
      keptStreams: memResult.kept,
      heapBytesPerKeptStream: Math.round(memResult.perStreamBytes),
      encodedBytesPerKeptStream: memResult.encodedEventBytes,
      pinned,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    upstream.closeAllConnections();
    upstream.close();
  }
}

if (values.role === 'server') await serve();
else if (values.role === 'memory') await memory(Number(values.kept));
else await main();
