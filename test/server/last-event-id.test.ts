/**
 * A non-ASCII Last-Event-ID arrives as its UTF-8 bytes (browsers send it so); every face of the server
 * library must decode it before the channel looks it up, or a reconnecting client gets a reset instead
 * of the events it missed. Real requests on real sockets, with the bytes written by hand.
 */
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import { type AddressInfo, connect, type Server } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Channel,
  decodeHeaderText,
  encodeHeaderText,
  type JoinResult,
  lastEventIdRequest,
  openStream,
  readLastEventId,
  type SseStream,
  sseResponse,
} from '../../src/server/index.js';

/** What the server saw for one request. */
interface Seen {
  lastEventId: string | undefined;
  join: JoinResult;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A channel holding `café-1`, `café-2`, `日本-3`, and a sink for what each join returned. */
function channelWithHistory(): { channel: Channel; seen: Seen[]; onStream: (s: SseStream) => void } {
  const channel = new Channel({ history: true, resetEvent: 'reset' });
  for (const id of ['café-1', 'café-2', '日本-3']) channel.broadcast({ id, data: id });
  const seen: Seen[] = [];
  const onStream = (stream: SseStream): void => {
    seen.push({ lastEventId: stream.lastEventId, join: channel.join(stream) });
    stream.close();
  };
  return { channel, seen, onStream };
}

async function listening(server: Server): Promise<number> {
  if (!server.listening) await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** Sends a GET over a raw socket with `Last-Event-ID` set to exactly `bytes`, and reads to the end. */
async function rawGetWithBytes(port: number, bytes: Buffer): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  // The response ends with the last chunk; the server may keep the connection open after it.
  const ended = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).includes('\r\n0\r\n\r\n')) resolve();
    });
    socket.on('close', () => resolve());
  });
  socket.write(
    Buffer.concat([
      Buffer.from('GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: '),
      bytes,
      Buffer.from('\r\nConnection: close\r\n\r\n'),
    ]),
  );
  await ended;
  socket.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

/** The same over HTTP/2: Node's http2 client writes each character of a header value as one byte. */
async function h2GetWithBytes(port: number, bytes: Buffer): Promise<string> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const req = session.request({ ':path': '/sse', 'last-event-id': bytes.toString('latin1') });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(req, 'close');
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    session.close();
  }
}

type Face = (onStream: (s: SseStream) => void) => Promise<(bytes: Buffer) => Promise<string>>;

const FACES: [string, Face][] = [
  [
    'openStream on node:http',
    async (onStream) => {
      const port = await listening(http.createServer((req, res) => onStream(openStream(req, res))).listen(0));
      return (bytes) => rawGetWithBytes(port, bytes);
    },
  ],
  [
    'openStream on node:http2 (h2c)',
    async (onStream) => {
      const port = await listening(
        http2.createServer((req, res) => onStream(openStream(req, res))).listen(0),
      );
      return (bytes) => h2GetWithBytes(port, bytes);
    },
  ],
  [
    'sseResponse (Fetch) on @hono/node-server',
    async (onStream) => {
      const server = serve({
        fetch: (request: Request) => sseResponse(request, onStream),
        port: 0,
        hostname: '127.0.0.1',
      }) as unknown as Server;
      const port = await listening(server);
      return (bytes) => rawGetWithBytes(port, bytes);
    },
  ],
];

describe.each(FACES)('Last-Event-ID bytes on %s', (_name, face) => {
  it('decodes a UTF-8 id and replays what followed it (not a reset)', async () => {
    const { seen, onStream } = channelWithHistory();
    const get = await face(onStream);
    const body = await get(Buffer.from('café-1', 'utf8'));
    expect(seen[0]).toEqual({ lastEventId: 'café-1', join: { status: 'replayed', replayed: 2 } });
    expect(body).toContain('id: café-2\ndata: café-2\n\n');
    expect(body).toContain('id: 日本-3\n');
    expect(body).not.toContain('event: reset');

    await get(Buffer.from('日本-3', 'utf8'));
    expect(seen[1]).toEqual({ lastEventId: '日本-3', join: { status: 'replayed', replayed: 0 } });
  });

  it('keeps bytes that are not UTF-8 as they are: a Latin-1 é (what fetch() sends) still matches', async () => {
    const { seen, onStream } = channelWithHistory();
    const get = await face(onStream);
    await get(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2d, 0x31]));
    expect(seen[0]).toEqual({ lastEventId: 'café-1', join: { status: 'replayed', replayed: 2 } });
  });

  it('answers an id in invalid UTF-8 that names nothing as unknown, with the reset event', async () => {
    const { seen, onStream } = channelWithHistory();
    const get = await face(onStream);
    const body = await get(Buffer.from([0x63, 0x61, 0x66, 0xc3, 0x28, 0x2d, 0x31]));
    expect(seen[0]).toEqual({ lastEventId: 'caf\u00c3(-1', join: { status: 'unknown', replayed: 0 } });
    expect(body).toContain('event: reset\n');
  });
});

describe('header text codec', () => {
  it('round-trips any text through the byte string a header carries', () => {
    for (const text of ['plain', 'café-1', '日本-3', '🎉', 'ÿ', 'a\u0080b']) {
      const wire = encodeHeaderText(text);
      expect([...wire].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
      expect(decodeHeaderText(wire)).toBe(text);
    }
    expect(encodeHeaderText('ascii-1')).toBe('ascii-1');
  });

  it('leaves a value that a runtime already decoded (characters above U+00FF) unchanged', () => {
    expect(decodeHeaderText('日本')).toBe('日本');
  });
});

describe('lastEventIdRequest', () => {
  it('prefers the header, then the listed query parameters in order, and says whether one was sent', () => {
    const names = ['lastEventID', 'last_event_id'];
    expect(lastEventIdRequest('h1', '/?lastEventID=q', names)).toEqual({ sent: true, lastEventId: 'h1' });
    expect(lastEventIdRequest(undefined, '/?last_event_id=b&lastEventID=a', names)).toEqual({
      sent: true,
      lastEventId: 'a',
    });
    expect(lastEventIdRequest('', '/?lastEventID=&last_event_id=b', names)).toEqual({
      sent: true,
      lastEventId: 'b',
    });
    expect(lastEventIdRequest(undefined, '/?other=1', names)).toEqual({
      sent: false,
      lastEventId: undefined,
    });
    expect(lastEventIdRequest('a\u0001b', '/', names)).toEqual({ sent: true, lastEventId: undefined });
    expect(lastEventIdRequest(undefined, '/?lastEventID=caf%C3%A9', names).lastEventId).toBe('café');
    expect(readLastEventId(undefined, '/?lastEventId=9', false)).toBeUndefined();
    expect(readLastEventId(undefined, 'http://x/?lastEventId=9#f', 'lastEventId')).toBe('9');
  });
});
