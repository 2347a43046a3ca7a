import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeOptions } from './fixtures/hub-node.js';

const fixture = fileURLToPath(new URL('./fixtures/hub-node.ts', import.meta.url));

/** A hub node running in its own process (fixtures/hub-node.ts). */
export interface HubNode {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly base: string;
  /** Blocks the node's event loop until `release()` is called (a file the node polls synchronously). */
  block(flagFile: string): Promise<void>;
  /** Kills the process with SIGKILL and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts a node on `redisUrl` under `keyPrefix` with test `options`; resolves once it listens. */
export async function startNode(
  redisUrl: string,
  keyPrefix: string,
  options: NodeOptions = {},
): Promise<HubNode> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, redisUrl, keyPrefix, JSON.stringify(options)],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /\{"port":(\d+)\}/.exec(out);
      if (line) resolve(Number(line[1]));
    });
    proc.once('exit', (code) => reject(new Error(`hub node exited with ${code}:\n${err}`)));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    async block(flagFile) {
      proc.send({ block: flagFile });
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** `ssehub_hub_connections` from a node's /metrics: subscribers streaming from it now. */
export async function connectionsOn(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^ssehub_hub_connections(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}
