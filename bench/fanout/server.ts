/**
 * One fan-out server for the benchmark: `node --expose-gc --import tsx bench/fanout/server.ts IMPL PORT`,
 * IMPL one of `ssehub`, `better-sse`, `minimal`. Subscribers GET /sse?topic=T; publishers POST /pub?topic=T
 * with the event's data as the body (what bench/fanout/publisher.ts `-f raw` sends, as to nchan), answered
 * 200 once the event is handed to every subscriber of T. One channel per topic; GET /stats reports memory
 * after a full GC. The server library is the compiled one in `dist/` (run.ts builds it first).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { Channel, openStream } from '../../dist/server/index.js';

const impl = process.argv[2] ?? 'ssehub';
const port = Number(process.argv[3] ?? 8850);

/** One topic's subscribers in the implementation under test. */
interface Topic {
  subscribe(req: IncomingMessage, res: ServerResponse): void;
  publish(seq: number, data: string): void;
  size(): number;
}

/** What every framework-free SSE tutorial does: one pre-built frame written to each response. */
function minimal(): Topic {
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

function betterSse(): Topic {
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

function ssehub(): Topic {
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

const make = impl === 'minimal' ? minimal : impl === 'better-sse' ? betterSse : ssehub;
const topics = new Map<string, Topic>();
const topic = (name: string): Topic => {
  let t = topics.get(name);
  if (t === undefined) {
    t = make();
    topics.set(name, t);
  }
  return t;
};
let seq = 0;

process.on('SIGTERM', () => process.exit(0));
const gc = (globalThis as { gc?: () => void }).gc;
http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const name = url.searchParams.get('topic') ?? 't0';
    if (url.pathname === '/sse') return topic(name).subscribe(req, res);
    if (url.pathname === '/pub' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        topic(name).publish(seq++, Buffer.concat(chunks).toString());
        res.end('ok');
      });
      return;
    }
    if (url.pathname === '/stats') {
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      let subscribers = 0;
      for (const t of topics.values()) subscribers += t.size();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ impl, subscribers, rss: m.rss, heapUsed: m.heapUsed, external: m.external }));
      return;
    }
    res.statusCode = 404;
    res.end();
  })
  .listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
