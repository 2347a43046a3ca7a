/**
 * EventStreamDecoder as a web TransformStream: from a ReadableStream of byte chunks, from text, and from a
 * real HTTP response body (node:http server on an ephemeral port, read with fetch).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStreamDecoder,
  EventTooLargeError,
  encodeEventBytes,
  type ReceivedEvent,
} from '../../src/protocol/index.js';
import { byteByByte, ev } from './collect.js';

function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<ReceivedEvent>): Promise<ReceivedEvent[]> {
  const out: ReceivedEvent[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

const wire = '\uFEFFid: 1\nevent: add\ndata: é😀\ndata: two\r\n\r\n: c\ndata: b\r\rid: 2\ndata: cut off';
const want = [ev('é😀\ntwo', 'add', '1'), ev('b', 'message', '1')];

describe('EventStreamDecoder', () => {
  it('decodes a ReadableStream of one-byte chunks and discards the unterminated tail', async () => {
    expect(await collect(streamOf(byteByByte(wire)).pipeThrough(new EventStreamDecoder()))).toEqual(want);
  });

  it('decodes text chunks', async () => {
    const chunks = [wire.slice(0, 7), wire.slice(7, 30), wire.slice(30)];
    expect(await collect(streamOf(chunks).pipeThrough(new EventStreamDecoder()))).toEqual(want);
  });

  it('passes onRetry, onComment and lastEventId through', async () => {
    const retries: number[] = [];
    const comments: string[] = [];
    const decoder = new EventStreamDecoder({
      onRetry: (ms) => retries.push(ms),
      onComment: (c) => comments.push(c),
      lastEventId: '0',
    });
    const events = await collect(streamOf(byteByByte(': hi\nretry: 250\ndata: a\n\n')).pipeThrough(decoder));
    expect(events).toEqual([ev('a', 'message', '0')]);
    expect(retries).toEqual([250]);
    expect(comments).toEqual(['hi']);
  });

  it('errors the stream with EventTooLargeError past maxEventSize', async () => {
    const big = new TextEncoder().encode(`data: ${'x'.repeat(200)}\n\n`);
    const events = streamOf([big]).pipeThrough(new EventStreamDecoder({ maxEventSize: 100 }));
    await expect(collect(events)).rejects.toBeInstanceOf(EventTooLargeError);
  });

  describe('over a real HTTP response', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const bytes = Buffer.concat([
          encodeEventBytes({ id: '1', event: 'greeting', data: 'héllo\nwörld 😀' }),
          encodeEventBytes({ comment: 'keep-alive' }),
          encodeEventBytes({ data: '' }),
        ]);
        // Write in 3-byte pieces so characters and line ends are split across network chunks.
        let i = 0;
        const step = () => {
          if (i >= bytes.length) {
            res.end();
            return;
          }
          res.write(bytes.subarray(i, i + 3), step);
          i += 3;
        };
        step();
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });

    it('pipes a fetch body through the decoder', async () => {
      const response = await fetch(url);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const body = response.body;
      if (body === null) throw new Error('no body');
      expect(await collect(body.pipeThrough(new EventStreamDecoder()))).toEqual([
        ev('héllo\nwörld 😀', 'greeting', '1'),
        ev('', 'message', '1'),
      ]);
    });
  });
});
