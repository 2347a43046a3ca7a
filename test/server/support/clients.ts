import { connect, type Socket } from 'node:net';
import { EventStreamParser, type ReceivedEvent } from '../../../src/protocol/index.js';

/** What a raw client has seen so far. */
export interface RawCapture {
  socket: Socket;
  /** Everything received, decoded as latin1 (status line, headers, body with chunk framing). */
  text(): string;
  /** Resolves when the received text satisfies `predicate`. */
  until(predicate: (text: string) => boolean): Promise<string>;
  closed: Promise<void>;
}

/** Opens a raw TCP connection and sends an HTTP/1.1 GET: for header checks and stalled readers. */
export function rawGet(port: number, path = '/', extraHeaders: Record<string, string> = {}): RawCapture {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  const waiters: Array<{ predicate: (t: string) => boolean; resolve: (t: string) => void }> = [];
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.predicate(received)) {
        waiters.splice(i, 1);
        w.resolve(received);
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    check();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  let head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n`;
  for (const [k, v] of Object.entries(extraHeaders)) head += `${k}: ${v}\r\n`;
  socket.write(`${head}\r\n`);
  return {
    socket,
    text: () => received,
    until: (predicate) =>
      new Promise((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      }),
    closed,
  };
}

/** A fetch-based client using our own parser: collects events, exposes the response. */
export interface ParsedClient {
  response: Response;
  events: ReceivedEvent[];
  comments: string[];
  retries: number[];
  /** Resolves when at least `n` events were received. */
  waitFor(n: number): Promise<ReceivedEvent[]>;
  /** Resolves when the body ended. */
  ended: Promise<void>;
  abort(): void;
}

/** GETs `url` with fetch and feeds the body to {@link EventStreamParser}. */
export async function parsedGet(url: string, headers: Record<string, string> = {}): Promise<ParsedClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const parser = new EventStreamParser({
    onEvent: (e) => {
      events.push(e);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (events.length >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
      }
    },
    onComment: (c) => comments.push(c),
    onRetry: (r) => retries.push(r),
  });
  const ended = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(chunk);
    } catch {
      // aborted by the test
    }
  })();
  return {
    response,
    events,
    comments,
    retries,
    waitFor: (n) =>
      new Promise((resolve) => {
        if (events.length >= n) resolve(events);
        else waiters.push({ n, resolve: () => resolve(events) });
      }),
    ended,
    abort: () => controller.abort(),
  };
}
