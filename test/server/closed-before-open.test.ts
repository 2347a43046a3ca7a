import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, type CloseReason, openStream, type SseStream } from '../../src/server/index.js';

// A handler that checks a token (or anything async) before openStream: the client may be gone by then.
// The stream must close at once (its onClose listeners told), or a channel, a dashboard slot and the
// heartbeat would hold it for ever.

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

interface Opened {
  stream: SseStream;
  /** What its onClose listeners were told. */
  told: CloseReason[];
}

function openAfterClose(channel: Channel): {
  handler: (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;
  opened: Promise<Opened>;
} {
  let resolve!: (value: Opened) => void;
  const opened = new Promise<Opened>((r) => {
    resolve = r;
  });
  const handler = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    res.once('close', () => {
      // The awaited check ends after the response closed.
      setImmediate(() => {
        const stream = openStream(req, res);
        const told: CloseReason[] = [];
        stream.onClose((why) => told.push(why));
        channel.join(stream);
        resolve({ stream, told });
      });
    });
  };
  return { handler, opened };
}

describe('openStream on a response whose client already left', () => {
  it('HTTP/1.1: the stream closes with reason client and leaves its channel', async () => {
    const channel = new Channel();
    const { handler, opened } = openAfterClose(channel);
    const server = http.createServer(handler);
    closers.push(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    // Gone as soon as the request is in.
    socket.destroy();
    const { stream, told } = await opened;
    await new Promise((r) => setImmediate(r));
    expect(stream.closeReason).toBe('client');
    expect(told).toEqual(['client']);
    expect(channel.size).toBe(0);
  });

  it('HTTP/2: a stream reset before openStream closes with reason client and leaves its channel', async () => {
    const channel = new Channel();
    const { handler, opened } = openAfterClose(channel);
    const server = http2.createServer(handler);
    closers.push(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    closers.push(() => session.destroy());
    const req = session.request({ ':path': '/events', accept: 'text/event-stream' });
    req.on('error', () => {});
    // Reset once the server has the request (its headers are flushed), before any response.
    req.once('ready', () => setImmediate(() => req.close(http2.constants.NGHTTP2_CANCEL)));
    const { stream, told } = await opened;
    await new Promise((r) => setImmediate(r));
    expect(stream.closeReason).toBe('client');
    expect(told).toEqual(['client']);
    expect(channel.size).toBe(0);
  });
});
