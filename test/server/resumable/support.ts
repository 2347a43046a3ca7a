import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamParser, type ReceivedEvent } from '../../../src/protocol/index.js';
import type { Producer, ResumableStreams } from '../../../src/server/index.js';

/** A node:http server: `POST /start` runs `producer()`, `GET /attach[/<id>]` attaches, `POST /cancel/<id>`. */
export async function serveRegistry(
  registry: ResumableStreams,
  producer: () => Producer,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/start') {
      req.resume();
      void registry.start(req, res, producer());
    } else if (req.method === 'GET' && path.startsWith('/attach')) {
      const id = path.slice('/attach/'.length) || undefined;
      void registry.attach(req, res, id);
    } else if (req.method === 'POST' && path.startsWith('/cancel/')) {
      void registry.cancel(path.slice('/cancel/'.length)).then((ok) => res.end(String(ok)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads a whole SSE response body (or up to `limit` events, then aborts) into parsed events. */
export async function readEvents(
  response: Response,
  limit = Number.POSITIVE_INFINITY,
): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  const parser = new EventStreamParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  while (events.length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  await reader.cancel().catch(() => undefined);
  return events.slice(0, limit);
}

/** A producer of `n` tokens `t0..t(n-1)`, one per `gate()` resolution (default: a macrotask each). */
export async function* tokens(
  n: number,
  gate: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): AsyncGenerator<{ event: string; data: string }> {
  for (let i = 0; i < n; i++) {
    await gate();
    yield { event: 'token', data: `t${i}` };
  }
}

/** A gate opened by hand: `wait()` resolves at the next `open()`. */
export class Gate {
  #waiters: (() => void)[] = [];
  wait = (): Promise<void> => new Promise((resolve) => this.#waiters.push(resolve));
  open(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
  get waiting(): number {
    return this.#waiters.length;
  }
}

/** Waits until `predicate` holds, checking each macrotask (no wall-clock assertion). */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 2));
}
