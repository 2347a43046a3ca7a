/**
 * A server binary the tests start themselves (haproxy, nginx, Caddy) in a temporary directory: wait until it
 * listens, stop it and remove its directory.
 */
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createConnection } from 'node:net';

/**
 * Waits until 127.0.0.1:`port` accepts connections. If `proc` exits or `timeoutMs` passes first, kills it
 * and throws an error whose message is `name` and what `explain()` returns (its output, its error log).
 */
export async function waitUntilListening(
  proc: ChildProcess,
  port: number,
  name: string,
  timeoutMs: number,
  explain: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${await explain()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills `proc` if it still runs, waits for it to exit, then removes `dir`. */
export async function stopAndRemove(proc: ChildProcess, dir: string): Promise<void> {
  if (proc.exitCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
