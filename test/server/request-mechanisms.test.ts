/**
 * The request mechanisms the server library lends the hub, the web UI and the resumable streams: one
 * body reader, one error reply, one loopback check. Real servers and raw sockets.
 */
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  errorReplyResponse,
  isLoopbackAddress,
  isLoopbackRequest,
  readRequestBody,
  requestAuthority,
  sendErrorReply,
} from '../../src/server/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A node:http server that reads each body within `maxBytes`/`timeoutMs` and answers its refusal. */
async function bodyServer(maxBytes: number, timeoutMs: number): Promise<number> {
  const server = http.createServer((req, res) => {
    readRequestBody(req, {
      maxBytes,
      timeoutMs,
      tooLarge: () => new Refusal(413, 'too large'),
      timedOut: () => new Refusal(408, 'too slow'),
      unreadable: (cause) => new Refusal(400, cause.message),
    }).then(
      (body) => res.end(`read ${body.byteLength}`),
      (error: Refusal) =>
        sendErrorReply(res, { status: error.status, message: error.message, closeConnection: true }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** Writes `parts` on a raw socket and returns everything received until the server closes. */
async function raw(port: number, parts: string[]): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => {});
  for (const part of parts) socket.write(part);
  await once(socket, 'close');
  return received;
}

describe('readRequestBody', () => {
  it('reads a body within the bound', async () => {
    const port = await bodyServer(10, 0);
    const answer = await raw(port, [
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('read 5');
  });

  it('refuses a declared length over the bound before reading, and a chunked body at the bound, with 413 and a close', async () => {
    const port = await bodyServer(10, 0);
    const declared = await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n']);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared.toLowerCase()).toContain('connection: close');
    const chunked = await raw(port, [
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      '6\r\n123456\r\n',
      '6\r\n123456\r\n0\r\n\r\n',
    ]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked).toContain('too large\n');
  });

  it('refuses a trickling body with 408 and a close (slow-loris)', async () => {
    const port = await bodyServer(100, 100);
    const answer = await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc']);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });
});

describe('sendErrorReply and errorReplyResponse', () => {
  it('answers plain text or JSON with the code and Retry-After, and no Connection header on HTTP/2', async () => {
    const server = http2.createServer((_req, res) => {
      sendErrorReply(
        res,
        { status: 503, message: 'busy', code: 'SOME_CODE', retryAfterSeconds: 3, closeConnection: true },
        'json',
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanups.push(() => {
      session.destroy();
      server.close();
    });
    const req = session.request({ ':path': '/' });
    const [headers] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    await once(req, 'end');
    expect(headers[':status']).toBe(503);
    expect(headers['retry-after']).toBe('3');
    expect(headers.connection).toBeUndefined();
    expect(JSON.parse(body)).toEqual({ error: 'busy', code: 'SOME_CODE' });

    const response = errorReplyResponse({ status: 404, message: 'no such thing', headers: { Allow: 'GET' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.text()).toBe('no such thing\n');
  });
});

describe('loopback checks', () => {
  it('isLoopbackAddress: names and addresses only this machine can reach (for listening)', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackAddress(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      'app.localhost',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
    ]) {
      expect(isLoopbackAddress(host), host).toBe(false);
    }
  });

  it('isLoopbackRequest: a loopback Host or :authority, with a port, including *.localhost', () => {
    expect(isLoopbackRequest({ host: 'app.localhost:8844' })).toBe(true);
    expect(isLoopbackRequest({ host: '[::ffff:127.0.0.1]:8844' })).toBe(true);
    expect(isLoopbackRequest({ ':authority': '[::1]:8844' })).toBe(true);
    expect(isLoopbackRequest({ host: 'evil.example' })).toBe(false);
    expect(isLoopbackRequest({})).toBe(false);
  });

  it('requestAuthority: Host over HTTP/1.1, :authority over HTTP/2 (no Host), empty without either', () => {
    expect(requestAuthority({ host: '127.0.0.1:8844' })).toBe('127.0.0.1:8844');
    expect(requestAuthority({ ':authority': 'hub.example:443' })).toBe('hub.example:443');
    expect(requestAuthority({ host: 'a.example', ':authority': 'b.example' })).toBe('a.example');
    expect(requestAuthority({})).toBe('');
  });
});
