import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { publish, spawnCli, startsKilledAfterEach } from './cli-process.js';

const TOPIC = 'https://example.com/books/1';
const sources: EventSource[] = [];
afterEach(() => {
  for (const es of sources.splice(0)) es.close();
});
const start = startsKilledAfterEach();

/** Opens an EventSource and resolves once it is open; messages are collected in `received`. */
async function subscribe(url: string, headers: Record<string, string> = {}) {
  const received: MessageEvent[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
  });
  sources.push(es);
  es.addEventListener('message', (event) => received.push(event));
  await new Promise<void>((resolve, reject) => {
    es.addEventListener('open', () => resolve(), { once: true });
    es.addEventListener('error', (event) => reject(new Error(`EventSource error: ${event.message}`)), {
      once: true,
    });
  });
  return { es, received };
}

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('the ssehub command, end to end', () => {
  it('dev mode: prints working tokens; publish with fetch, receive with EventSource; SIGTERM exits 0', async () => {
    const cli = await start(['--port', '0', '--shutdown-timeout', '2s']);
    expect(cli.port).toBeGreaterThan(0);
    expect(cli.publisherToken).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(cli.subscriberToken).toMatch(/^ey/);
    expect(cli.stderr()).toContain('Development mode');
    expect(cli.stderr()).toContain(`curl -H 'Authorization: Bearer ${cli.publisherToken}'`);

    const hubUrl = `${cli.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`;
    const anonymous = await subscribe(hubUrl);
    const authorised = await subscribe(hubUrl, { authorization: `Bearer ${cli.subscriberToken}` });

    const privateRes = await publish(cli.origin, cli.publisherToken!, {
      topic: TOPIC,
      data: 'secret',
      private: 'on',
    });
    expect(privateRes.status).toBe(200);
    const res = await publish(cli.origin, cli.publisherToken!, { topic: TOPIC, data: '{"title":"Hello"}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const id = await res.text();
    expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);

    await until(() => anonymous.received.length >= 1 && authorised.received.length >= 2, 'both updates');
    expect(anonymous.received.map((e) => e.data)).toEqual(['{"title":"Hello"}']);
    expect(anonymous.received[0]!.lastEventId).toBe(id);
    expect(authorised.received.map((e) => e.data)).toEqual(['secret', '{"title":"Hello"}']);

    // The subscriber token cannot publish; a request without a token is told how to send one.
    expect((await publish(cli.origin, cli.subscriberToken!, { topic: TOPIC, data: 'x' })).status).toBe(403);
    const noToken = await fetch(`${cli.origin}/.well-known/mercure`, { method: 'POST', body: 'topic=x' });
    expect(noToken.status).toBe(401);

    // The page at / exists (web UI or the landing page), and so do the operations endpoints.
    const root = await fetch(`${cli.origin}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/text\/html/);
    await root.arrayBuffer();
    expect((await fetch(`${cli.origin}/healthz`)).status).toBe(200);

    // Graceful stop with streams still open.
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const logs = cli
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['ssehub listening', 'shutting down: draining open streams', 'ssehub stopped']),
    );
    // Tokens are printed for the person at the terminal, never written to the logs.
    expect(cli.stdout()).not.toContain(cli.publisherToken!.split('.')[2]!);
  });

  it('SIGINT also drains and exits 0', async () => {
    const cli = await start(['--port', '0', '--no-ui']);
    const root = await fetch(`${cli.origin}/`);
    expect(await root.text()).toContain('/.well-known/mercure');
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('with keys: no dev tokens, anonymous off, Mercure variable names work', async () => {
    const secret = 'x'.repeat(40);
    const cli = await start(['--port', '0', '--no-ui'], {
      MERCURE_PUBLISHER_JWT_KEY: secret,
      MERCURE_SUBSCRIBER_JWT_KEY: secret,
    });
    expect(cli.subscriberToken).toBeUndefined();
    expect(cli.stderr()).not.toContain('Development mode');
    // The hub can sign with its secret, so the banner carries a one-hour publisher token that works.
    expect(cli.stderr()).toMatch(
      /Publisher token \(may publish to and subscribe to every topic, until \d{4}-/,
    );
    expect((await publish(cli.origin, cli.publisherToken!, { topic: 'x', data: 'd' })).status).toBe(200);
    const res = await fetch(`${cli.origin}/.well-known/mercure?topic=x`);
    expect(res.status).toBe(401);
    const { createToken } = await import('../../src/hub/auth/index.js');
    const token = await createToken({ publish: ['*'] }, secret);
    expect((await publish(cli.origin, token, { topic: 'x', data: 'd' })).status).toBe(200);
  });

  it('with keys: no web UI demo, whose endpoints would publish into the hub without a token', async () => {
    const cli = await start(['--port', '0', '--jwt-key', 'x'.repeat(40)]);
    expect(cli.stderr()).toContain('Web UI:   off with keys');
    const root = await fetch(`${cli.origin}/`);
    expect(await root.text()).toContain('development mode only');
    expect((await fetch(`${cli.origin}/demo/config`)).status).toBe(404);
    const write = await fetch(`${cli.origin}/demo/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'anonymous write' }),
    });
    expect(write.status).toBe(404);
  });

  it('answers a subscribe URL over the header limit with 431 and a reason, not a bare status line', async () => {
    const cli = await start(['--port', '0', '--no-ui']);
    const topics = Array.from({ length: 600 }, (_, i) => `topic=https://example.com/books/${i}`).join('&');
    const res = await fetch(`${cli.origin}/.well-known/mercure?${topics}`);
    expect(res.status).toBe(431);
    expect(await res.text()).toMatch(/over 16384 bytes \(Node's maxHeaderSize\).*--max-http-header-size/);
  });

  it('refuses a non-loopback host without keys, with exit status 2 and an explanation', async () => {
    const child = spawnCli(['--host', '0.0.0.0']);
    expect((await child.exited).code).toBe(2);
    expect(child.stderr()).toMatch(/Refusing to listen on 0\.0\.0\.0 without keys/);
  });

  it('reports a port in use instead of crashing', async () => {
    const first = await start(['--port', '0', '--no-ui']);
    const second = spawnCli(['--port', String(first.port), '--no-ui']);
    expect((await second.exited).code).toBe(1);
    // One line for a person on stderr (the JSON logs go to stdout).
    expect(second.stderr()).toBe(
      `ssehub: cannot listen: port ${first.port} on 127.0.0.1 is already in use; stop the other process or pass --port <n> (0 picks a free one)\n`,
    );
  });

  it('refuses a SQLite file already used by another hub (exit 1), instead of silently splitting fan-out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssehub-cli-'));
    try {
      const storage = `sqlite:${join(dir, 'hub.db')}`;
      await start(['--port', '0', '--no-ui', '--storage', storage]);
      const second = spawnCli(['--port', '0', '--no-ui', '--storage', storage]);
      expect((await second.exited).code).toBe(1);
      expect(second.stderr()).toMatch(/in use by another process/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a short HMAC key at startup (exit 2)', async () => {
    const child = spawnCli(['--jwt-key', 'short']);
    expect((await child.exited).code).toBe(2);
    expect(child.stderr()).toMatch(/HS256 needs at least 32/);
  });

  it('the banner tells the truth about history: none with --history-size 0, all with unbounded', async () => {
    // Before: a memory hub with --history-size 0 (which keeps nothing) was announced as "unbounded history".
    const none = await start(['--port', '0', '--no-ui', '--history-size', '0']);
    expect(none.stderr()).toContain(
      'Storage:  memory (no history: Last-Event-ID cannot replay, lost on restart)',
    );
    expect(none.stderr()).not.toContain('unbounded');
    expect(none.stderr()).toMatch(/Settings: --history-size 0 /);
    const all = await start(['--port', '0', '--no-ui', '--history-size', 'unbounded']);
    expect(all.stderr()).toContain('Storage:  memory (unbounded history, lost on restart)');
    const defaults = await start(['--port', '0', '--no-ui']);
    expect(defaults.stderr()).toContain('Storage:  memory (history of 10000 updates, lost on restart)');
    expect(defaults.stderr()).not.toContain('Settings:');
  });

  it('refuses --write-timeout under twice --dispatch-timeout at startup (exit 2), naming both', async () => {
    const child = spawnCli(['--write-timeout', '5s']);
    expect((await child.exited).code).toBe(2);
    expect(child.stderr()).toMatch(/--write-timeout.*at least twice .*--dispatch-timeout/);
  });

  it('--help and --version', async () => {
    const help = spawnCli(['--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toContain('EXAMPLES');
    const version = spawnCli(['--version']);
    expect((await version.exited).code).toBe(0);
    expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('bin/ssehub.js (compiled)', () => {
  // CI runs `npm run build` before `npm test`; locally the compiled command is checked only when dist is
  // at least as new as the CLI sources (a stale build would test old code).
  const compiled = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  const sources = fileURLToPath(new URL('../../src/cli/', import.meta.url));
  const built =
    existsSync(compiled) &&
    readdirSync(sources).every((file) => statSync(`${sources}${file}`).mtimeMs <= statSync(compiled).mtimeMs);
  it.runIf(built || process.env.CI === 'true')('runs --version and --help from dist', () => {
    const bin = fileURLToPath(new URL('../../bin/ssehub.js', import.meta.url));
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('MERCURE_PUBLISHER_JWT_KEY');
  });
});
