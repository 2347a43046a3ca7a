/**
 * The command's TLS server closes connections with nothing in flight, as the plain HTTP server does with
 * Node's keep-alive timeout: an HTTP/1.1 connection after its response, and an HTTP/2 session without an
 * open stream. A session carrying a stream (an SSE subscription) is kept however quiet it is.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import http2, { type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readCertificate } from '../../src/cli/certificate.js';
import { createHubServer, type HubServer } from '../../src/cli/hub-server.js';
import { selfSignedCert } from '../server/support/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'ssehub-idle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pair = selfSignedCert();
const files = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
writeFileSync(files.certPath, pair.cert);
writeFileSync(files.keyPath, pair.key);

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A TLS hub server whose handler answers `/ok` at once and holds `/stream` open (silent). */
async function start(): Promise<{ hubServer: HubServer; port: number; held: ServerResponse[] }> {
  const held: ServerResponse[] = [];
  const hubServer = createHubServer(
    (req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': open\n\n');
        held.push(res);
        return;
      }
      res.end('ok\n');
    },
    { files, certificate: readCertificate(files) },
    pino({ level: 'silent' }),
  );
  hubServer.server.listen(0, '127.0.0.1');
  await once(hubServer.server, 'listening');
  cleanups.push(() => {
    hubServer.dispose();
    hubServer.closeAllConnections();
    hubServer.server.close();
  });
  return { hubServer, port: (hubServer.server.address() as AddressInfo).port, held };
}

describe('ssehub --cert: idle connections', () => {
  it('closes an HTTP/1.1 connection kept alive after its response', async () => {
    const { port } = await start();
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      ca: pair.cert,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
    });
    cleanups.push(() => socket.destroy());
    await once(socket, 'secureConnect');
    socket.write('GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n');
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    await once(socket, 'close');
    expect(response).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes an HTTP/2 session with no open stream', async () => {
    const { port } = await start();
    const session = http2.connect(`https://localhost:${port}`, { ca: pair.cert });
    cleanups.push(() => session.destroy());
    session.on('error', () => {});
    const req = session.request({ ':path': '/ok' });
    req.resume();
    await once(req, 'close');
    await once(session, 'close');
    expect(session.closed).toBe(true);
  });

  it('keeps an HTTP/2 session whose stream stays open, past the idle timeout', async () => {
    const { hubServer, port, held } = await start();
    const timedOut = new Promise<void>((resolve) => {
      hubServer.server.once('session', (s: ServerHttp2Session) => s.once('timeout', () => resolve()));
    });
    const session = http2.connect(`https://localhost:${port}`, { ca: pair.cert });
    cleanups.push(() => session.destroy());
    session.on('error', () => {});
    const stream = session.request({ ':path': '/stream' });
    stream.setEncoding('utf8');
    let body = '';
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    await once(stream, 'response');
    await timedOut;
    // Still usable after the idle timeout fired: the held response reaches the client.
    const received = once(stream, 'data');
    held[0]!.write('data: after the idle timeout\n\n');
    await received;
    expect(body).toContain('data: after the idle timeout');
    expect(session.closed).toBe(false);
  });
});
