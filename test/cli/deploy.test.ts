/**
 * The shipped deployment files start the hub as written: the systemd unit's ExecStart and Environment, and
 * the Dockerfile's ENTRYPOINT, ENV and HEALTHCHECK, run here outside systemd and Docker (neither runs on CI). Both
 * must drain on SIGTERM and exit 0, which is what a process manager sends. Runs the built command
 * (`npm run build` first, as CI does).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const sh = promisify(execFile);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `argv` with `env` (plus PATH/HOME) in the repository and resolves once it listens. */
async function start(argv: string[], env: Record<string, string>) {
  expect(existsSync(`${root}dist/cli/main.js`), 'run `npm run build` before the tests').toBe(true);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  children.push(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"ssehub listening"')) resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  return { child, exited };
}

/** `KEY=value` pairs of a systemd `Environment=` line or a Dockerfile `ENV` instruction. */
function assignments(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

describe('deploy/ssehub.service', () => {
  const unit = read('deploy/ssehub.service');

  it('runs node on the command directly (SIGTERM reaches the hub, not npx) and drains on SIGTERM', async () => {
    const exec = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.split(/\s+/);
    expect(exec).toEqual(['/usr/bin/node', '/opt/ssehub/bin/ssehub.js']);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    const env = assignments([...unit.matchAll(/^Environment=(.+)$/gm)].map((m) => m[1]).join(' '));
    expect(env.SSEHUB_HOST).toBe('127.0.0.1');
    const port = await freePort();
    const argv = [process.execPath, ...exec!.slice(1).map((a) => a.replace('/opt/ssehub/', root))];
    const { child, exited } = await start(argv, { ...env, SSEHUB_PORT: String(port) });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs as a non-root user with node in exec form, and its health check passes', async () => {
    expect(runtime).toMatch(/^USER node$/m);
    const cmd = JSON.parse(/^ENTRYPOINT (\[.+\])$/m.exec(runtime)![1]!) as string[];
    expect(cmd).toEqual(['node', 'bin/ssehub.js']);
    const envText = /^ENV ((?:.*\\\n)*.*)$/m.exec(runtime)![1]!.replace(/\\\n/g, ' ');
    const env = assignments(envText);
    expect(env.SSEHUB_HOST).toBe('0.0.0.0');
    const health = /^ {2}CMD (.+)$/m.exec(runtime)![1]!;
    const port = String(await freePort());
    // `docker run -e SSEHUB_JWT_KEY=...`: a public bind needs keys.
    const runEnv = { ...env, SSEHUB_PORT: port, SSEHUB_JWT_KEY: 'k'.repeat(48) };
    const { child, exited } = await start([process.execPath, ...cmd.slice(1)], runEnv);
    await sh('sh', ['-c', health], { env: { PATH: process.env.PATH ?? '', ...runEnv } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // And the health check fails when nothing answers.
    await expect(
      sh('sh', ['-c', health], { env: { PATH: process.env.PATH ?? '', ...runEnv } }),
    ).rejects.toThrow();
  });

  it('builds with the README\'s own "Installing from source" steps', () => {
    const steps = /^RUN ((?:.*\\\n)*.*)$/m
      .exec(dockerfile)![1]!
      .split(/\\\n/)
      .map((line) => line.trim().replace(/^&& /, ''))
      .filter((line) => line !== '');
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('### Installing from source'));
    for (const step of steps) expect(section).toContain(step);
  });
});
