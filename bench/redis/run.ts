/**
 * Scale-out benchmark: `npx tsx bench/redis/run.ts [--secs 5] [--subs 10000] [--only publish,fanout,failover]`.
 *
 * Starts its own `redis-server` (no persistence) on a free port. Hub processes run pinned to core 0
 * (`taskset -c 0`), the load (bench/fanout/publisher.ts, bench/fanout/loader.ts) and Redis on core 1.
 *
 * 1. publish: publishes/s one hub accepts from 32 keep-alive publishers (no subscribers), memory vs Redis;
 *    then publish-to-receive latency p50/p99 for 100 subscribers at a fixed 500 publishes/s.
 * 2. fanout: `--subs` subscribers on one hub process, then split evenly over two (the second pinned to core
 *    1, beside the load: a 2-core machine has no third core), one publisher waiting for each answer;
 *    delivered events/s summed over the loaders.
 * 3. failover: 1,000 subscribers on node A, 100 updates published to node B while A is SIGKILLed; time
 *    until every subscriber has reconnected to B with its Last-Event-ID and received the last update.
 *
 * Prints one JSON object per measurement and a summary table. Figures are ratios in one run, on a shared
 * machine: compare them with each other, not with other machines.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayAfterFailover } from './failover.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const secs = Number(opt('secs', '5'));
const subs = Number(opt('subs', '10000'));
const only = new Set(opt('only', 'publish,fanout,failover').split(','));
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx'];

const pinned = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('# taskset not available: nothing is pinned\n');
    return false;
  }
})();

function start(core: number | undefined, command: string[]): ChildProcess {
  const argv = pinned && core !== undefined ? ['taskset', '-c', String(core), ...command] : command;
  return spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line matching `pattern`. */
function line(proc: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    proc.once('exit', (code) => reject(new Error(`${proc.spawnargs.join(' ')} exited ${code}\n${err}`)));
  });
}

async function json(proc: ChildProcess): Promise<Record<string, number>> {
  const m = await line(proc, /^(\{.*\})$/m);
  return JSON.parse(m[1]!) as Record<string, number>;
}

interface Hub {
  proc: ChildProcess;
  port: number;
  token: string;
}

async function hub(engine: string, core: number, prefix = '{bench}:'): Promise<Hub> {
  const proc = start(core, [process.execPath, ...tsx, 'bench/redis/hub-node.ts', '0', engine, prefix]);
  const m = await line(proc, /READY (\d+) (\S+)/);
  return { proc, port: Number(m[1]), token: m[2]! };
}

function stop(...procs: ChildProcess[]): void {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
}

async function redisServer(): Promise<{ url: string; proc: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-bench-redis-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const proc = start(1, [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  await line(proc, /Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, proc, dir };
}

const results: Record<string, unknown>[] = [];
function report(entry: Record<string, unknown>): void {
  results.push(entry);
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}

const redis = await redisServer();
let run = 0;
const prefix = () => `{bench-${++run}}:`;
try {
  if (only.has('publish')) {
    for (const engine of ['memory', redis.url]) {
      const name = engine === 'memory' ? 'memory' : 'redis';
      let h = await hub(engine, 0, prefix());
      const pub = start(1, [
        process.execPath,
        ...tsx,
        'bench/fanout/publisher.ts',
        '-p',
        String(h.port),
        '-t',
        h.token,
        '-k',
        '32',
        '-r',
        '0',
        '-d',
        String(secs),
      ]);
      const accepted = await json(pub);
      stop(h.proc);
      report({ measure: 'publishes/s accepted, 32 publishers, no subscribers', engine: name, ...accepted });

      h = await hub(engine, 0, prefix());
      const loader = start(1, [
        process.execPath,
        ...tsx,
        'bench/fanout/loader.ts',
        '-p',
        String(h.port),
        '-u',
        '/.well-known/mercure?topic=t0',
        '-c',
        '100',
        '-d',
        String(secs),
      ]);
      await line(loader, /READY \d+/);
      const paced = start(1, [
        process.execPath,
        ...tsx,
        'bench/fanout/publisher.ts',
        '-p',
        String(h.port),
        '-t',
        h.token,
        '-k',
        '4',
        '-r',
        '500',
        '-d',
        String(secs + 1),
      ]);
      const received = await json(loader);
      await json(paced);
      stop(h.proc);
      report({
        measure: 'publish-to-receive latency, 100 subscribers, 500 publishes/s',
        engine: name,
        ...received,
      });
    }
  }

  if (only.has('fanout')) {
    for (const processes of [1, 2]) {
      const hubs: Hub[] = [];
      const keyPrefix = prefix();
      for (let i = 0; i < processes; i++) hubs.push(await hub(redis.url, i, keyPrefix));
      const loaders = hubs.map((h) =>
        start(1, [
          process.execPath,
          ...tsx,
          'bench/fanout/loader.ts',
          '-p',
          String(h.port),
          '-u',
          '/.well-known/mercure?topic=t0',
          '-c',
          String(subs / processes),
          '-d',
          String(secs),
        ]),
      );
      await Promise.all(loaders.map((l) => line(l, /READY \d+/)));
      const pub = start(1, [
        process.execPath,
        ...tsx,
        'bench/fanout/publisher.ts',
        '-p',
        String(hubs[0]!.port),
        '-t',
        hubs[0]!.token,
        '-k',
        '1',
        '-r',
        '0',
        '-d',
        String(secs + 1),
      ]);
      const counts = await Promise.all(loaders.map(json));
      const published = await json(pub);
      stop(...hubs.map((h) => h.proc));
      report({
        measure: `${subs} subscribers over ${processes} hub process(es), 1 publisher`,
        delivered_per_s: counts.reduce((sum, c) => sum + (c.events_per_s ?? 0), 0),
        ready: counts.reduce((sum, c) => sum + (c.ready ?? 0), 0),
        publishes_per_s: published.publishes_per_s,
        p50_ms: Math.max(...counts.map((c) => c.p50_ms ?? 0)),
        p99_ms: Math.max(...counts.map((c) => c.p99_ms ?? 0)),
      });
    }
  }

  if (only.has('failover')) {
    const keyPrefix = prefix();
    const a = await hub(redis.url, 0, keyPrefix);
    const b = await hub(redis.url, 0, keyPrefix);
    report({
      measure: '1,000 subscribers resume on the surviving node after SIGKILL',
      ...(await replayAfterFailover({ victim: a, survivor: b, subscribers: 1000, missed: 100 })),
    });
    stop(a.proc, b.proc);
  }
} finally {
  stop(redis.proc);
  rmSync(redis.dir, { recursive: true, force: true });
}
