/**
 * Fan-out benchmark: `npx tsx bench/fanout/run.ts [--conns 1000,10000] [--secs 3]`.
 *
 * For each subscriber count and each implementation (a minimal node:http loop, better-sse, ssehub), in one
 * run: the server runs alone on core 0 (`taskset -c 0`), the C load generator `sseload` (from
 * ../shared/tools, compiled into the temp dir on first use) holds the subscribers on core 1. Measures
 * delivered events/s at saturation, publish-to-receive latency p50/p99 at a fixed load, memory per idle
 * connection, and the load generator's CPU share (it must stay well under 100 % to not be the limit).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const connCounts = opt('conns', '1000,10000').split(',').map(Number);
const secs = Number(opt('secs', '3'));
const impls = opt('impls', 'minimal,better-sse,ssehub').split(',');
/** Rounds per configuration, interleaved across implementations; each figure is the best round's. */
const rounds = Number(opt('rounds', '2'));
/** Deliveries per second at the fixed load used for latency: well under every implementation's ceiling. */
const FIXED_DELIVERIES = 40_000;

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');

function sseloadBinary(): string {
  const source = process.env.SSELOAD_SRC ?? join(root, '..', 'shared', 'tools', 'sseload.c');
  const dir = join(tmpdir(), 'ssehub-bench');
  const bin = join(dir, 'sseload');
  if (existsSync(bin) && (!existsSync(source) || statSync(bin).mtimeMs > statSync(source).mtimeMs))
    return bin;
  if (!existsSync(source)) {
    throw new Error(`sseload.c not found at ${source}; set SSELOAD_SRC to the shared tools' sseload.c`);
  }
  mkdirSync(dir, { recursive: true });
  execFileSync('cc', ['-O2', '-o', bin, source]);
  return bin;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith(prefix));
      if (line !== undefined) {
        child[stream]!.off('data', onData);
        resolve(line);
      }
    };
    child[stream]!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before "${prefix}"`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LoadRun {
  result: Record<string, number>;
  perSecond: number[];
  loadCpuShare: number;
  serverCpuShare: number;
  /** Events sseload counted while CPU was sampled, per server CPU-second. */
  eventsPerServerCpuSec: number;
  idle?: { rss: number; heapUsed: number; external: number };
}

/** One sseload run against a server: connect N, optionally snapshot memory, publish, collect. */
async function loadRun(
  sseload: string,
  server: ChildProcess,
  port: number,
  conns: number,
  publish: string,
  snapshot: boolean,
): Promise<LoadRun> {
  const load = spawn(
    'taskset',
    ['-c', '1', sseload, '-p', String(port), '-u', '/sse', '-c', String(conns), '-d', String(secs)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const perSecond: number[] = [];
  let publishing = false;
  load.stderr!.on('data', (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/ev\/s=(\d+)/g)) if (publishing) perSecond.push(Number(m[1]));
  });
  let out = '';
  load.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((r) => load.once('exit', () => r()));
  await waitForLine(load, 'stdout', 'READY');
  let idle: LoadRun['idle'];
  if (snapshot) {
    await sleep(300);
    idle = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as LoadRun['idle'];
  }
  const t0 = performance.now();
  const load0 = cpuSeconds(load.pid!);
  const server0 = cpuSeconds(server.pid!);
  publishing = true;
  await fetch(`http://127.0.0.1:${port}/publish?${publish}&secs=${secs + 2}`);
  let load1 = load0;
  let server1 = server0;
  let t1 = t0;
  // Sample CPU while sseload is alive (its /proc entry disappears on exit).
  while (load.exitCode === null) {
    try {
      load1 = cpuSeconds(load.pid!);
      server1 = cpuSeconds(server.pid!);
      t1 = performance.now();
    } catch {
      break;
    }
    await sleep(100);
  }
  await exited;
  const wall = (t1 - t0) / 1000;
  const json = out.split('\n').find((l) => l.startsWith('{'));
  const result = JSON.parse(json ?? '{}') as Record<string, number>;
  // Stop the publisher and let the closed connections drain before the next run.
  await fetch(`http://127.0.0.1:${port}/stop`);
  await sleep(700);
  return {
    result,
    perSecond: perSecond.slice(1, -1),
    eventsPerServerCpuSec: ((result.events_per_s ?? 0) * wall) / Math.max(1e-9, server1 - server0),
    loadCpuShare: (load1 - load0) / wall,
    serverCpuShare: (server1 - server0) / wall,
    idle,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

interface Row {
  conns: number;
  impl: string;
  eventsPerSec: number;
  p50: number;
  p99: number;
  heapPerConn: number;
  rssPerConn: number;
  loadCpu: number;
  serverCpu: number;
  /** Deliveries per server CPU-second at saturation: efficiency, robust to other load on the machine. */
  perCpuSec: number;
  /** Server CPU share while delivering the fixed load. */
  fixedCpu: number;
  dead: number;
}

async function bench(impl: string, conns: number, sseload: string, port: number): Promise<Row> {
  const server = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--expose-gc',
      '--import',
      'tsx',
      join(here, 'server.ts'),
      impl,
      String(port),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await waitForLine(server, 'stdout', 'READY');
    const base = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as {
      rss: number;
      heapUsed: number;
      external: number;
    };
    const saturated = await loadRun(sseload, server, port, conns, 'mode=saturate', true);
    const rate = Math.max(1, Math.round(FIXED_DELIVERIES / conns));
    const fixed = await loadRun(sseload, server, port, conns, `mode=rate&rate=${rate}`, false);
    const idle = saturated.idle!;
    return {
      conns,
      impl,
      eventsPerSec: median(saturated.perSecond) || (saturated.result.events_per_s ?? 0),
      p50: fixed.result.p50_ms ?? Number.NaN,
      p99: fixed.result.p99_ms ?? Number.NaN,
      heapPerConn: (idle.heapUsed + idle.external - base.heapUsed - base.external) / conns,
      rssPerConn: (idle.rss - base.rss) / conns,
      loadCpu: saturated.loadCpuShare,
      serverCpu: saturated.serverCpuShare,
      perCpuSec: saturated.eventsPerServerCpuSec,
      fixedCpu: fixed.serverCpuShare,
      dead: (saturated.result.dead ?? 0) + (fixed.result.dead ?? 0),
    };
  } finally {
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
  }
}

const sseload = sseloadBinary();
const rows: Row[] = [];
let port = 18850;
for (const conns of connCounts) {
  const best = new Map<string, Row>();
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      process.stderr.write(`# round ${round + 1}: ${impl} with ${conns} subscribers...\n`);
      const row = await bench(impl, conns, sseload, port++);
      process.stderr.write(`#   ${JSON.stringify(row)}\n`);
      const prev = best.get(impl);
      best.set(
        impl,
        prev === undefined
          ? row
          : {
              ...row,
              eventsPerSec: Math.max(prev.eventsPerSec, row.eventsPerSec),
              p50: Math.min(prev.p50, row.p50),
              p99: Math.min(prev.p99, row.p99),
              heapPerConn: Math.min(prev.heapPerConn, row.heapPerConn),
              rssPerConn: Math.min(prev.rssPerConn, row.rssPerConn),
              loadCpu: Math.max(prev.loadCpu, row.loadCpu),
              perCpuSec: Math.max(prev.perCpuSec, row.perCpuSec),
              fixedCpu: Math.min(prev.fixedCpu, row.fixedCpu),
              dead: prev.dead + row.dead,
            },
      );
    }
  }
  for (const impl of impls) rows.push(best.get(impl)!);
}

const kib = (b: number): string => (b / 1024).toFixed(1);
console.log(
  `\nFan-out, best of ${rounds} interleaved rounds, ${secs} s per measurement, server on core 0, sseload on core 1; latency at ${FIXED_DELIVERIES.toLocaleString('en')} deliveries/s.\n`,
);
console.log(
  '| subscribers | server | delivered events/s, saturated | deliveries per server CPU-s | p50 ms | p99 ms | server CPU at fixed load | heap KiB/conn | RSS KiB/conn | sseload CPU (max) |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.conns.toLocaleString('en')} | ${r.impl} | ${Math.round(r.eventsPerSec).toLocaleString('en')} | ${Math.round(r.perCpuSec).toLocaleString('en')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.fixedCpu * 100).toFixed(0)} % | ${kib(r.heapPerConn)} | ${kib(r.rssPerConn)} | ${(r.loadCpu * 100).toFixed(0)} %${r.dead ? ` (dead ${r.dead})` : ''} |`,
  );
}
