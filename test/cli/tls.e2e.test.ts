/**
 * `ssehub --cert --key`: the real command serving HTTPS, HTTP/2 and HTTP/1.1 on one port, reloading its
 * certificate on SIGHUP, and refusing files it cannot serve with before it starts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { request as httpsStream } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { httpsRequest, selfSignedCert } from '../server/support/tls.js';
import { REDIS_ENABLED, startRedisServer } from '../support/redis-server.js';
import { spawnCli, startsKilledAfterEach } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'ssehub-tls-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const first = selfSignedCert();
const second = selfSignedCert();
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** Writes a certificate and its key under `name`; returns the paths to pass as --cert and --key. */
function certificateFiles(name: string, pair: { cert: string; key: string }) {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(certPath, pair.cert);
  writeFileSync(keyPath, pair.key);
  return { certPath, keyPath };
}

const start = startsKilledAfterEach();
const TOPIC = 'https://example.com/books/1';

/** The SHA-256 fingerprint of the certificate a fresh TLS connection to `port` is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerX509Certificate()!.fingerprint256);
        socket.end();
      },
    );
    socket.once('error', reject);
  });
}

/** Resolves once `text()` contains `needle` (log lines arrive on the child's stdout). */
async function waitForOutput(text: () => string, needle: string): Promise<void> {
  while (!text().includes(needle)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('ssehub --cert --key', () => {
  it('serves HTTP/2 (ALPN h2) and HTTP/1.1 on the same https:// port; a published update reaches a subscriber on each', async () => {
    const files = certificateFiles('one-port', first);
    const cli = await start([
      '--port',
      '0',
      '--cert',
      files.certPath,
      '--key',
      files.keyPath,
      '--shutdown-timeout',
      '2s',
    ]);
    expect(cli.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stderr()).toContain(`TLS:      HTTP/2 and HTTP/1.1, ${files.certPath} (CN=localhost`);
    expect(cli.stderr()).toContain(`kill -HUP ${cli.proc.pid}`);
    // A self-signed certificate: the printed curl commands trust it.
    expect(cli.stderr()).toContain(`curl --cacert '${files.certPath}' -N 'https://127.0.0.1:`);
    const path = `/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`;

    // HTTP/2, as browsers negotiate it.
    const session = http2Connect(cli.origin, { ca: first.cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    expect(session.alpnProtocol).toBe('h2');
    const h2Stream = session.request({ ':path': path, accept: 'text/event-stream' });
    const h2Status = new Promise<number>((resolve) =>
      h2Stream.once('response', (h) => resolve(Number(h[':status']))),
    );
    let h2Text = '';
    h2Stream.setEncoding('utf8').on('data', (chunk: string) => {
      h2Text += chunk;
    });

    // HTTP/1.1 on the same port (a client that offers no h2, like curl --http1.1 or a proxy).
    let h1Text = '';
    const h1 = await new Promise<{ version: string; status: number }>((resolve, reject) => {
      const req = httpsStream(
        `${cli.origin}${path}`,
        { ca: first.cert, servername: 'localhost', headers: { accept: 'text/event-stream' } },
        (res) => {
          res.setEncoding('utf8').on('data', (chunk: string) => {
            h1Text += chunk;
          });
          resolve({ version: res.httpVersion, status: res.statusCode ?? 0 });
        },
      );
      req.once('error', reject);
      req.end();
    });
    expect(h1).toEqual({ version: '1.1', status: 200 });
    expect(await h2Status).toBe(200);

    // Publish over HTTP/2 too: the hub's publish handler reads its body from an HTTP/2 stream.
    const publish = session.request({
      ':method': 'POST',
      ':path': '/.well-known/mercure',
      authorization: `Bearer ${cli.publisherToken}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    publish.end(new URLSearchParams({ topic: TOPIC, data: 'over TLS', id: 'tls-1' }).toString());
    const published = await new Promise<{ status: number; body: string }>((resolve) => {
      let body = '';
      let status = 0;
      publish.once('response', (h) => {
        status = Number(h[':status']);
      });
      publish.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      publish.once('end', () => resolve({ status, body }));
    });
    expect(published).toEqual({ status: 200, body: 'tls-1' });

    await waitForOutput(() => h2Text, 'data: over TLS');
    await waitForOutput(() => h1Text, 'data: over TLS');
    expect(h2Text).toContain('id: tls-1\n');
    expect(h1Text).toContain('id: tls-1\n');

    // SIGTERM with both streams open: the HTTP/2 session is told to go away (GOAWAY), the streams are
    // drained and the command exits 0, as over plain HTTP.
    const h2Ended = new Promise<void>((resolve) => h2Stream.once('close', () => resolve()));
    cli.proc.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    await h2Ended;
    session.destroy();
  });

  it('SIGHUP serves the renewed certificate to new connections; a broken file on a later SIGHUP is logged and the last good certificate stays', async () => {
    const files = certificateFiles('reload', first);
    const cli = await start(['--port', '0', '--cert', files.certPath, '--key', files.keyPath]);
    expect(await servedFingerprint(cli.port)).toBe(fingerprint(first.cert));

    // certbot renews: both files replaced, then its deploy hook sends SIGHUP.
    writeFileSync(files.certPath, second.cert);
    writeFileSync(files.keyPath, second.key);
    cli.proc.kill('SIGHUP');
    await waitForOutput(cli.stdout, 'certificate reloaded');
    expect(await servedFingerprint(cli.port)).toBe(fingerprint(second.cert));

    // A half-written renewal: the certificate no longer matches the key.
    writeFileSync(files.certPath, first.cert);
    cli.proc.kill('SIGHUP');
    await waitForOutput(cli.stdout, 'certificate not reloaded');
    expect(cli.stdout()).toContain('is not the key of the certificate');
    // A missing file.
    rmSync(files.keyPath);
    cli.proc.kill('SIGHUP');
    await waitForOutput(cli.stdout, 'ENOENT');

    expect(cli.proc.exitCode).toBe(null);
    expect(await servedFingerprint(cli.port)).toBe(fingerprint(second.cert));
    expect((await httpsRequest(`${cli.origin}/healthz`, { ca: second.cert })).status).toBe(200);
  });

  it.runIf(REDIS_ENABLED)(
    'with --workers, SIGHUP to the primary reaches every worker: all new connections get the renewed certificate',
    async () => {
      const redis = await startRedisServer();
      try {
        const files = certificateFiles('workers', first);
        const cli = await start([
          '--port',
          '0',
          '--workers',
          '2',
          '--transport',
          `${redis.url}/0`,
          '--cert',
          files.certPath,
          '--key',
          files.keyPath,
        ]);
        const started = () => cli.stdout().split('"msg":"worker started"').length - 1;
        while (started() < 2) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(cli.stderr()).toContain(`kill -HUP ${cli.proc.pid}`);
        // The primary spreads new connections over both workers (round robin): six reach each at least twice.
        const before = await Promise.all(Array.from({ length: 6 }, () => servedFingerprint(cli.port)));
        expect(new Set(before)).toEqual(new Set([fingerprint(first.cert)]));

        writeFileSync(files.certPath, second.cert);
        writeFileSync(files.keyPath, second.key);
        cli.proc.kill('SIGHUP');
        const reloads = () => cli.stdout().split('certificate reloaded').length - 1;
        while (reloads() < 2) await new Promise((resolve) => setTimeout(resolve, 20));
        const after = await Promise.all(Array.from({ length: 6 }, () => servedFingerprint(cli.port)));
        expect(new Set(after)).toEqual(new Set([fingerprint(second.cert)]));

        cli.proc.kill('SIGTERM');
        expect((await cli.exited).code).toBe(0);
      } finally {
        await redis.dispose();
      }
    },
  );

  it("a Mercure deployment's environment as it is: SERVER_NAME and CADDY_SERVER_EXTRA_DIRECTIVES' tls <cert> <key>", async () => {
    const files = certificateFiles('mercure', first);
    const cli = await start([], {
      SERVER_NAME: 'localhost:0',
      CADDY_SERVER_EXTRA_DIRECTIVES: `tls ${files.certPath} ${files.keyPath}`,
    });
    expect(cli.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stderr()).not.toContain('warning');
    expect(await servedFingerprint(cli.port)).toBe(fingerprint(first.cert));
  });

  it('every endpoint (hub, subscriptions API, metadata, metrics, web UI, demo) answers the same over HTTP/2 as over HTTP/1.1', async () => {
    const files = certificateFiles('endpoints', first);
    const cli = await start([
      '--port',
      '0',
      '--cert',
      files.certPath,
      '--key',
      files.keyPath,
      '--subscriptions',
      '--max-body',
      '1KiB',
    ]);
    const auth = { authorization: `Bearer ${cli.publisherToken}` };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const cases: [string, string, Record<string, string>, string?][] = [
      ['GET', '/', {}],
      ['HEAD', '/', {}],
      ['GET', '/healthz', {}],
      ['HEAD', '/healthz', {}],
      ['GET', '/readyz', {}],
      ['GET', '/metrics', {}],
      ['GET', '/live.js', {}],
      ['GET', '/missing', {}],
      ['GET', '/demo/config', {}],
      ['HEAD', `/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`, {}],
      ['DELETE', '/.well-known/mercure', {}],
      ['POST', '/.well-known/mercure', form, `topic=${TOPIC}&data=x`],
      ['POST', '/.well-known/mercure', { ...form, ...auth }, `topic=${TOPIC}&data=x`],
      ['POST', '/.well-known/mercure', { 'content-type': 'text/plain', ...auth }, 'x'],
      // 413 with Connection: close on HTTP/1.1, which HTTP/2 forbids (a body small enough not to be cut mid-write).
      ['POST', '/.well-known/mercure', { ...form, ...auth }, `topic=${TOPIC}&data=${'a'.repeat(4096)}`],
      ['GET', '/.well-known/mercure/subscriptions', auth],
      ['GET', '/.well-known/oauth-protected-resource/.well-known/mercure', {}],
      ['POST', '/demo/messages', { 'content-type': 'application/json' }, '{"data":"x"}'],
    ];
    const session = http2Connect(cli.origin, { ca: first.cert, servername: 'localhost' });
    try {
      for (const [method, path, headers, body] of cases) {
        const h2 = await new Promise<number>((resolve, reject) => {
          const stream = session.request({ ':method': method, ':path': path, ...headers });
          let status = 0;
          stream.once('response', (h) => {
            status = Number(h[':status']);
          });
          stream.resume().once('end', () => resolve(status));
          stream.once('error', reject);
          stream.end(body);
        });
        const h1 = (await httpsRequest(`${cli.origin}${path}`, { method, ca: first.cert, headers, body }))
          .status;
        expect({ method, path: path.slice(0, 60), status: h2 }).toEqual({
          method,
          path: path.slice(0, 60),
          status: h1,
        });
        expect(h2).toBeLessThan(500);
      }
    } finally {
      session.destroy();
    }
  });

  it.each<[string, (f: { certPath: string; keyPath: string }) => string[], RegExp]>([
    [
      'a missing certificate file',
      (f) => ['--cert', `${f.certPath}.missing`, '--key', f.keyPath],
      /--cert \(SSEHUB_CERT\) \S+\.missing cannot be read \(ENOENT\)/,
    ],
    [
      "a key that is not the certificate's",
      (f) => ['--cert', f.certPath, '--key', join(dir, 'other.key')],
      /--key \(SSEHUB_KEY\) \S+other\.key is not the key of the certificate/,
    ],
    ['the two files swapped', (f) => ['--cert', f.keyPath, '--key', f.certPath], /holds no PEM certificate/],
    [
      '--cert without --key',
      (f) => ['--cert', f.certPath],
      /--cert needs its private key: give --key <path>/,
    ],
  ])('refuses to start with %s: exit code 2 and one line naming the flag', async (_name, args, message) => {
    const files = certificateFiles('startup', first);
    writeFileSync(join(dir, 'other.key'), second.key);
    const child = spawnCli(['--port', '0', ...args(files)]);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.stderr()).toMatch(message);
    expect(child.stderr()).not.toContain('is listening');
  });

  it("the README's try-out works as written: its openssl line makes a certificate that curl --cacert accepts for https://localhost", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('#### HTTPS and HTTP/2'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line !== '');
    const [openssl, command, curl] = lines;
    expect(openssl).toMatch(/^openssl req /);
    expect(command).toBe('npx ssehub --cert cert.pem --key key.pem');
    expect(curl).toMatch(/^curl --cacert cert\.pem -N 'https:\/\/localhost:8844\//);
    const cwd = mkdtempSync(join(dir, 'readme-'));
    execFileSync('sh', ['-c', openssl!], { cwd, stdio: 'ignore' });
    // `npx ssehub` is the command from source here (run from the repository, so the files by their full
    // paths), on port 0 instead of the fixed 8844.
    const args = command!
      .split(' ')
      .slice(2)
      .map((arg) => (arg.endsWith('.pem') ? join(cwd, arg) : arg));
    const cli = await start([...args, '--port', '0']);
    const withPort = curl!.replace('localhost:8844', `localhost:${cli.port}`);
    // curl streams until it is stopped: its first bytes (the hub's ": ok" comment) prove the handshake and
    // the certificate check passed; a refused certificate would end it with exit code 60 instead.
    const first = await firstOutput(withPort.replace(/^curl /, 'curl --silent --show-error '), cwd);
    expect(first).toMatch(/^:/);
  });

  it('answers an HTTP/1.1 subscribe URL over the header limit with 431 and the reason over TLS too', async () => {
    const files = certificateFiles('header-limit', first);
    const cli = await start(['--port', '0', '--cert', files.certPath, '--key', files.keyPath, '--no-ui']);
    const topics = Array.from({ length: 600 }, (_, i) => `topic=https://example.com/books/${i}`).join('&');
    const answer = await httpsRequest(`${cli.origin}/.well-known/mercure?${topics}`, { ca: first.cert });
    expect(answer.status).toBe(431);
    expect(answer.body).toMatch(/Node's maxHeaderSize/);
  });
});

/** Runs `command` with sh in `cwd` until it prints something; resolves with that (or its exit code). */
function firstOutput(command: string, cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `exec ${command}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(chunk.toString());
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => resolve(`exit ${code}: ${stderr}`));
  });
}
