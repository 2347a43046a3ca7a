import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the test server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the server sees this request's connection closed (the client let go). */
  closed: Promise<void>;
}

/** A misbehaving-on-purpose HTTP server on 127.0.0.1 and an ephemeral port. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: SeenRequest[];
  /** Resolves with request number `index` (0-based) once it has arrived. */
  request(index: number): Promise<SeenRequest>;
  close(): Promise<void>;
}

/** The handler gets each request with its body read, and its 0-based index. */
export type Handler = (req: IncomingMessage, res: ServerResponse, index: number, body: string) => void;

/** Starts a server whose every request is recorded, so tests check what the client really sent. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const waiters = new Map<number, (r: SeenRequest) => void>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const index = requests.length;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      closed,
    };
    requests.push(seen);
    waiters.get(index)?.(seen);
    handler(req, res, index, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    request(index) {
      const seen = requests[index];
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.set(index, resolve));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Starts an event stream response with the usual headers. */
export function openStream(res: ServerResponse, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', ...extra });
  res.flushHeaders();
}

/** The `Last-Event-ID` header as the UTF-8 text the client meant (Node reads header bytes as Latin-1). */
export function lastEventIdOf(request: SeenRequest): string | undefined {
  const raw = request.headers['last-event-id'];
  return typeof raw === 'string' ? Buffer.from(raw, 'latin1').toString('utf8') : undefined;
}
