import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { stopAndRemove, waitUntilListening } from './daemon-process.js';
import { freePort } from './redis-server.js';

/** Where Debian installs haproxy (override with HAPROXY). */
export const HAPROXY_PATH = process.env.HAPROXY ?? '/usr/sbin/haproxy';

/** Whether the load-balancer suites run: false (skip) only outside CI when haproxy is missing. */
export const HAPROXY_ENABLED = requireBinary('haproxy', HAPROXY_PATH);

/** A haproxy started by a test in front of some hub nodes. */
export interface RunningHaproxy {
  /** `http://127.0.0.1:<port>` of the frontend. */
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * Starts haproxy on a free loopback port, balancing HTTP over `backends` (ports on 127.0.0.1) that are
 * health-checked on /readyz every 200 ms (down after 3 failed checks, so a check slowed by a
 * loaded machine does not move clients). `balance first` sends every client to the first healthy
 * backend, so a test knows which node its clients are on; `option redispatch` moves a connection whose
 * node is down to another.
 */
export async function startHaproxy(backends: readonly number[]): Promise<RunningHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'ssehub-haproxy-'));
  const port = await freePort();
  const servers = backends
    .map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check inter 200ms fall 3 rise 1`)
    .join('\n');
  const config = `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout check 5s
  timeout client 1h
  timeout server 1h
  option redispatch
  retries 3
frontend hubs
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance first
  option httpchk GET /readyz
${servers}
`;
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const proc: ChildProcess = spawn(HAPROXY_PATH, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  await waitUntilListening(proc, port, 'haproxy', 10_000, () => log);
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => stopAndRemove(proc, dir),
  };
}
