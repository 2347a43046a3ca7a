import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHub, SECRET, startHub } from './support/harness.js';

let h: RunningHub;
beforeEach(async () => {
  h = await startHub({}, { key: { key: SECRET }, anonymous: true });
});
afterEach(() => h.close());

/** A raw HTTP/1.1 GET: the exact bytes the hub writes, headers included. */
function rawGet(path: string, headers: Buffer = Buffer.alloc(0)) {
  const socket = connect(h.port, '127.0.0.1');
  socket.on('error', () => {});
  let received = Buffer.alloc(0);
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    for (const w of [...waiters]) w();
  });
  socket.write(
    Buffer.concat([
      Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n`),
      headers,
      Buffer.from('\r\n'),
    ]),
  );
  return {
    text: () => received.toString('utf8'),
    bytes: () => received,
    until: (needle: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.toString('utf8').includes(needle)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    close: () => socket.destroy(),
  };
}

describe('wire format (https://mercure.rocks/spec#subscription event framing)', () => {
  it('writes event, id, retry and one data line per line; empty data is "data: "', async () => {
    const client = rawGet('/.well-known/mercure?topic=t');
    await client.until('\r\n\r\n');
    const head = client.text().split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).toMatch(/content-type: text\/event-stream/i);
    expect(head).toMatch(/x-accel-buffering: no/i);
    expect(head).toMatch(/connection: keep-alive/i);
    await h.hub.publish({ topics: 't', data: 'a\nb', type: 'note', id: 'w1', retry: 5 });
    await h.hub.publish({ topics: 't', data: '', id: 'w2' });
    await client.until('id: w2');
    const body = client.text();
    expect(body).toContain('event: note\nid: w1\nretry: 5\ndata: a\ndata: b\n\n');
    expect(body).toContain('id: w2\ndata: \n\n');
    client.close();
  });

  it('decodes a UTF-8 Last-Event-ID header and echoes it as UTF-8', async () => {
    await h.hub.publish({ topics: 't', data: 'first', id: 'évènement-1' });
    await h.hub.publish({ topics: 't', data: 'second', id: 'évènement-2' });
    const client = rawGet(
      '/.well-known/mercure?topic=t',
      Buffer.from('Last-Event-ID: évènement-1\r\n', 'utf8'),
    );
    await client.until('data: second');
    const text = client.text();
    expect(text).toMatch(/last-event-id: évènement-1\r\n/i);
    expect(text).toMatch(/mercure-last-event-id: évènement-1\r\n/i);
    expect(text).toContain('id: évènement-2\ndata: second\n\n');
    expect(text).not.toContain('data: first');
    client.close();
  });

  it('answers HEAD like the reference hub and 405 for other methods', async () => {
    const head = await fetch(`${h.base}/.well-known/mercure?topic=t`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const put = await fetch(`${h.base}/.well-known/mercure`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toMatch(/POST/);
  });

  it('reads the token from the authorization query parameter', async () => {
    const { token } = await import('./support/harness.js');
    const jwt = await token({ subscribe: ['t'] });
    const client = rawGet(`/.well-known/mercure?topic=t&authorization=${jwt}`);
    await client.until('\r\n\r\n');
    await h.hub.publish({ topics: 't', data: 'private via query token', private: true });
    await client.until('private via query token');
    client.close();
  });
});
