/**
 * One fan-out server for the benchmark: `node --expose-gc --import tsx bench/fanout/server.ts IMPL PORT`,
 * IMPL one of `ssehub`, `better-sse`, `minimal`. Subscribers GET /sse; POST /publish?mode=saturate|rate
 * &rate=R&secs=S starts the in-process publisher (the same loop for every IMPL), which stamps each event
 * with `ts=<CLOCK_MONOTONIC ns>` for latency; GET /stats reports memory after a full GC.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { Channel, openStream } from '../../src/server/index.js';

const impl = process.argv[2] ?? 'ssehub';
const port = Number(process.argv[3] ?? 8850);

interface Impl {
  subscribe(req: IncomingMessage, res: ServerResponse): void;
  publish(seq: number, data: string): void;
  size(): number;
}

/** What every framework-free SSE tutorial does: one pre-built frame written to each response. */
function minimal(): Impl {
  const clients = new Set<ServerResponse>();
  return {
    subscribe(req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
      });
      req.socket.setNoDelay(true);
      res.write(': ok\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    publish(seq, data) {
      const frame = Buffer.from(`event: message\nid: ${seq}\ndata: ${data}\n\n`);
      for (const res of clients) res.write(frame);
    },
    size: () => clients.size,
  };
}

function betterSse(): Impl {
  const channel = createChannel();
  return {
    subscribe(req, res) {
      createSession(req, res, { serializer: String, retry: null }).then((session) =>
        channel.register(session),
      );
    },
    publish(seq, data) {
      channel.broadcast(data, 'message', { eventId: String(seq) });
    },
    size: () => channel.sessionCount,
  };
}

function ssehub(): Impl {
  const channel = new Channel();
  return {
    subscribe(req, res) {
      channel.join(openStream(req, res));
    },
    publish(seq, data) {
      channel.broadcast({ event: 'message', id: String(seq), data });
    },
    size: () => channel.size,
  };
}

const chosen = impl === 'minimal' ? minimal() : impl === 'better-sse' ? betterSse() : ssehub();
let seq = 0;
let publishing = false;
let stopAt = 0;

function publishOne(): void {
  chosen.publish(seq++, `ts=${process.hrtime.bigint()}`);
}

function start(mode: string, rate: number, secs: number): void {
  publishing = true;
  stopAt = performance.now() + secs * 1000;
  const until = (): number => stopAt;
  if (mode === 'saturate') {
    // Back to back, yielding to I/O between events: the delivered rate is what the server sustains.
    const loop = (): void => {
      if (performance.now() >= until()) {
        publishing = false;
        return;
      }
      publishOne();
      setImmediate(loop);
    };
    setImmediate(loop);
    return;
  }
  // Fixed rate: a 1 ms tick publishes however many events are due, so the rate holds under timer drift.
  const t0 = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now >= until()) {
      clearInterval(timer);
      publishing = false;
      return;
    }
    const due = Math.floor(((now - t0) / 1000) * rate);
    while (sent < due) {
      publishOne();
      sent++;
    }
  }, 1);
}

process.on('SIGTERM', () => process.exit(0));
const gc = (globalThis as { gc?: () => void }).gc;
http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/sse') return chosen.subscribe(req, res);
    if (url.pathname === '/publish') {
      start(
        url.searchParams.get('mode') ?? 'rate',
        Number(url.searchParams.get('rate') ?? 100),
        Number(url.searchParams.get('secs') ?? 3),
      );
      res.end('ok');
      return;
    }
    if (url.pathname === '/stop') {
      stopAt = 0;
      res.end('ok');
      return;
    }
    if (url.pathname === '/stats') {
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          impl,
          subscribers: chosen.size(),
          publishing,
          rss: m.rss,
          heapUsed: m.heapUsed,
          external: m.external,
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  })
  .listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
