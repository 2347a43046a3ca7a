import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/ssehub.ts', import.meta.url));

/** A running `ssehub` child process, with what its banner printed. */
export interface RunningCli {
  readonly proc: ChildProcess;
  readonly origin: string;
  readonly port: number;
  readonly publisherToken: string | undefined;
  readonly subscriberToken: string | undefined;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the command from source (tsx) with `args`; `env` is added to a minimal environment. */
export function spawnCli(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // No SSEHUB_* / MERCURE_* from the developer's shell leak into the test.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, stdout: () => out, stderr: () => err };
}

/** Spawns the command and waits for its banner (it ends with the "Stop with" line). */
export async function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawnCli(args, env);
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (child.stderr().includes('Stop with Ctrl+C')) resolve();
    };
    child.proc.stderr?.on('data', check);
    child.exited.then(({ code }) =>
      reject(new Error(`ssehub exited with ${code} before listening:\n${child.stderr()}\n${child.stdout()}`)),
    );
  });
  const text = child.stderr();
  const origin = /is listening on (https?:\/\/\S+)/.exec(text)?.[1];
  if (!origin) throw new Error(`no listen address in:\n${text}`);
  return {
    ...child,
    origin,
    port: Number(new URL(origin).port),
    publisherToken: /export SSEHUB_PUBLISHER_TOKEN=(\S+)/.exec(text)?.[1],
    subscriberToken: /export SSEHUB_SUBSCRIBER_TOKEN=(\S+)/.exec(text)?.[1],
  };
}

/** Publishes like the printed curl command does; returns the response. */
export function publish(
  origin: string,
  token: string,
  fields: Record<string, string | string[]>,
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return fetch(`${origin}/.well-known/mercure`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body,
  });
}

/** Kills the command (SIGKILL) if it still runs and waits until it has exited. */
export async function killAndWait(cli: RunningCli): Promise<void> {
  if (cli.proc.exitCode === null && cli.proc.signalCode === null) {
    cli.proc.kill('SIGKILL');
    await cli.exited;
  }
}

/**
 * A `start` for one test file: each command it starts is killed after its test (afterEach), so a failing
 * test never leaves a hub running.
 */
export function startsKilledAfterEach(): (
  args: string[],
  env?: Record<string, string>,
) => Promise<RunningCli> {
  const running: RunningCli[] = [];
  afterEach(async () => {
    for (const cli of running.splice(0)) await killAndWait(cli);
  });
  return async (args, env) => {
    const cli = await startCli(args, env);
    running.push(cli);
    return cli;
  };
}

/** Pids of the workers a `--workers` primary reported as started, in order (from its JSON log). */
export function workerPids(cli: RunningCli): number[] {
  return cli
    .stdout()
    .split('\n')
    .filter((line) => line.includes('"msg":"worker started"'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}
