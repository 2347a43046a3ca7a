/**
 * What an operator meets running the command for real: making tokens, moving an existing Mercure
 * deployment's environment over unchanged, typos in flags, inline PEM keys, and tokens that outlive a
 * development-mode restart. Each runs the real command in a child process.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publish, spawnCli, startsKilledAfterEach } from './cli-process.js';

const SECRET = 's'.repeat(40);
const start = startsKilledAfterEach();

/** Runs `ssehub ...` to completion. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(args, env);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

describe('ssehub token', () => {
  it('prints a token signed with the key the hub is given, which that hub accepts', async () => {
    const made = await runCli(['token', '--publish', '*', '--expires', '2h'], { SSEHUB_JWT_KEY: SECRET });
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/may publish to \*; expires \d{4}-/);
    const token = made.stdout.trim();
    expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const hub = await start(['--port', '0', '--no-ui'], { SSEHUB_JWT_KEY: SECRET });
    expect((await publish(hub.origin, token, { topic: 'x', data: 'd' })).status).toBe(200);
  });

  it('explains itself with --help, and refuses without a key (exit 2, how to pin one)', async () => {
    const help = await runCli(['token', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: ssehub token');
    const keyless = await runCli(['token', '--publish', '*']);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('pin one with SSEHUB_JWT_KEY');
  });
});

describe('an existing Mercure deployment environment', () => {
  it('starts with SERVER_NAME and MERCURE_EXTRA_DIRECTIVES unchanged, naming what it ignores', async () => {
    const hub = await start([], {
      SERVER_NAME: 'http://localhost:0',
      MERCURE_PUBLISHER_JWT_KEY: SECRET,
      MERCURE_SUBSCRIBER_JWT_KEY: SECRET,
      MERCURE_EXTRA_DIRECTIVES: 'anonymous\nsubscriptions\nheartbeat 5s\nlru_cache 100',
      MERCURE_CORS_ALLOWED_ORIGINS: '*',
    });
    expect(hub.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stderr = hub.stderr();
    expect(stderr).toContain(
      'ssehub: warning: MERCURE_EXTRA_DIRECTIVES: "lru_cache" has no ssehub equivalent',
    );
    expect(stderr).toContain('ssehub: warning: MERCURE_CORS_ALLOWED_ORIGINS is not a setting ssehub reads');
    // subscriptions: the subscriptions API answers (404 without the directive).
    const api = await fetch(`${hub.origin}/.well-known/mercure/subscriptions`, {
      headers: { authorization: `Bearer ${hub.publisherToken}` },
    });
    expect(api.status).toBe(200);
    // anonymous: a subscriber without a token gets in.
    const res = await fetch(`${hub.origin}/.well-known/mercure?topic=x`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });
});

describe('mistakes on the command line', () => {
  it('an unknown flag suggests the one meant (exit 2)', async () => {
    const typo = await runCli(['--prot', '9000']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Unknown option '--prot'. Did you mean --port?");
  });

  it('an inline PEM key after --jwt-key works as it does with --jwt-key=', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const hub = await start(['--port', '0', '--no-ui', '--jwt-key', pem]);
    expect(hub.stderr()).toContain('is listening on');
  });

  it('a token from an earlier development-mode run is refused with the reason and the fix', async () => {
    const first = await start(['--port', '0', '--no-ui']);
    const oldToken = first.publisherToken!;
    first.proc.kill('SIGTERM');
    await first.exited;
    const second = await start(['--port', '0', '--no-ui']);
    const res = await publish(second.origin, oldToken, { topic: 'x', data: 'd' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('development key, made anew at every start');
  });
});
