/**
 * Fan-out benchmark: `npx tsx bench/fanout/run.ts [--conns 1000,10000] [--secs 3] [--rounds 1]
 * [--impls minimal,better-sse,ssehub,hub] [--no-crosscheck] [--no-publish-bench]`.
 *
 * For each subscriber count and each server, in one run: the server runs alone on core 0 (`taskset -c 0`);
 * the project's own load generator (loader.ts, raw sockets) holds the subscribers on core 1. Measures
 * delivered events/s at saturation, deliveries per server CPU-second, publish-to-receive latency p50/p99
 * at a fixed load, memory per idle connection, and the load side's CPU share (a share near 100 % means the
 * load side, not the server, set the saturated figure). minimal, better-sse and ssehub publish from inside
 * the server (server.ts); the hub (hub-server.ts) is published to over HTTP by publisher.ts on core 1.
 *
 * When ../shared/tools/sseload.c exists (or `SSELOAD_SRC` names it), each saturated measurement is repeated
 * with that C epoll load generator as a cross-check and both figures are printed.
 *
 * Then, for the hub alone: publishes/s accepted by one hub process from 32 concurrent keep-alive publishers,
 * with no subscribers and with 1,000.
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
const impls = opt('impls', 'minimal,better-sse,ssehub,hub').split(',');
/** Rounds per configuration, interleaved across implementations; each figure is the best round's. */
const rounds = Number(opt('rounds', '1'));
/** Deliveries per second at the fixed load used for latency: well under every implementation's ceiling. */
const FIXED_DELIVERIES = 40_000;
/** Concurrent keep-alive publishers for the hub's saturated fan-out and for its publish-rate figure. */
const HUB_SATURATE_PUBLISHERS = 4;
const PUBLISH_BENCH_PUBLISHERS = 32;
/**
 * A load-side CPU share above this means one loader process may be what limits the saturated figure: with
 * receive syscalls, bursts and the sampling window, a loader at 80 % of its core has little left.
 */
const LOAD_SATURATED = 0.75;

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const tsx = ['--import', 'tsx'];

/** The C cross-check, compiled into the temp dir on first use; undefined when its source is not here. */
function sseloadBinary(): string | undefined {
  if (args.includes('--no-crosscheck')) return undefined;
  const source = process.env.SSELOAD_SRC ?? join(root, '..', 'shared', 'tools', 'sseload.c');
  if (!existsSync(source)) return undefined;
  const dir = join(tmpdir(), 'ssehub-bench');
  const bin = join(dir, 'sseload');
  if (existsSync(bin) && statSync(bin).mtimeMs > statSync(source).mtimeMs) return bin;
  mkdirSync(dir, { recursive: true });
  execFileSync('cc', ['-O2', '-o', bin, source]);
  return bin;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Whether `taskset` (util-linux) exists; without it (macOS, minimal containers) nothing is pinned. */
const canPin = ((): boolean => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('# taskset not available: server and load are NOT pinned to separate cores\n');
    return false;
  }
})();
/** Spawns a command pinned to one core; `taskset` execs it, so the child's pid is the program's own. */
const pinned = (core: number, command: string[]): ChildProcess =>
  canPin
    ? spawn('taskset', ['-c', String(core), ...command], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith(prefix));
      if (line !== undefined) {
        child.stdout!.off('data', onData);
        resolve(line);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before "${prefix}"`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

/** A server under test: how to start its publisher and how subscribers reach it. */
interface Target {
  impl: string;
  port: number;
  server: ChildProcess;
  path: string;
  /** The publisher token (hub only). */
  token?: string;
  /** Starts publishing (`rate` 0 = as fast as it goes); resolves to a stop function. */
  publish(rate: number, forSecs: number): Promise<{ stop(): Promise<void>; pid?: number }>;
}

type LoadTool = 'node' | 'sseload';

interface LoadRun {
  result: Record<string, number>;
  /** Per-second delivered rates while publishing (first and last second dropped). */
  perSecond: number[];
  /** CPU share of core 1's load side: the loader plus, for the hub, the HTTP publisher. */
  loadCpuShare: number;
  loaderCpuShare: number;
  serverCpuShare: number;
  /** Events counted while CPU was sampled, per server CPU-second. */
  eventsPerServerCpuSec: number;
  idle?: { rss: number; heapUsed: number; external: number };
}

/** One load run: connect N subscribers, optionally snapshot memory, publish, collect. */
async function loadRun(
  target: Target,
  tool: LoadTool,
  sseload: string | undefined,
  conns: number,
  rate: number,
  snapshot: boolean,
): Promise<LoadRun> {
  // One extra second covers the memory snapshot and the publisher's start.
  const loadArgs = [
    '-p',
    String(target.port),
    '-u',
    target.path,
    '-c',
    String(conns),
    '-d',
    String(secs + 1),
  ];
  const load = pinned(
    1,
    tool === 'node'
      ? [process.execPath, ...tsx, join(here, 'loader.ts'), ...loadArgs]
      : [sseload!, ...loadArgs],
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
  const done = exited(load);
  await waitForLine(load, 'READY');
  let idle: LoadRun['idle'];
  if (snapshot) {
    await sleep(300);
    idle = (await (await fetch(`http://127.0.0.1:${target.port}/stats`)).json()) as LoadRun['idle'];
  }
  const t0 = performance.now();
  const load0 = cpuSeconds(load.pid);
  const server0 = cpuSeconds(target.server.pid);
  publishing = true;
  const publisher = await target.publish(rate, secs + 2);
  const publisher0 = cpuSeconds(publisher.pid);
  let load1 = load0;
  let server1 = server0;
  let publisher1 = publisher0;
  let t1 = t0;
  // Sample CPU while the loader is alive (its /proc entry disappears on exit).
  while (load.exitCode === null) {
    const l = cpuSeconds(load.pid);
    if (l === 0) break;
    load1 = l;
    server1 = cpuSeconds(target.server.pid);
    publisher1 = cpuSeconds(publisher.pid) || publisher1;
    t1 = performance.now();
    await sleep(100);
  }
  await done;
  await publisher.stop();
  const wall = (t1 - t0) / 1000;
  const json = out.split('\n').find((l) => l.startsWith('{'));
  const result = JSON.parse(json ?? '{}') as Record<string, number>;
  await sleep(700); // let the closed connections drain before the next run
  const loaderCpuShare = (load1 - load0) / wall;
  return {
    result,
    perSecond: perSecond.slice(1, -1),
    // Every counted event was published after t0, and server CPU is sampled until the loader's end.
    eventsPerServerCpuSec: (result.events ?? 0) / Math.max(1e-9, server1 - server0),
    loaderCpuShare,
    loadCpuShare: loaderCpuShare + (publisher1 - publisher0) / wall,
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
  /** Deliveries per server CPU-second at saturation: efficiency, robust to the load side's limits. */
  perCpuSec: number;
  p50: number;
  p99: number;
  /** Server CPU share while delivering the fixed load. */
  fixedCpu: number;
  heapPerConn: number;
  rssPerConn: number;
  /** Core 1's CPU share at saturation (loader, plus the publisher for the hub). */
  loadCpu: number;
  /** Core 0's (the server's) CPU share at saturation. */
  serverCpu: number;
  /** The sseload cross-check at saturation, when available. */
  crossEventsPerSec?: number;
  crossPerCpuSec?: number;
  crossLoadCpu?: number;
  crossServerCpu?: number;
  crossP50?: number;
  crossP99?: number;
  dead: number;
}

/** Starts one server pinned to core 0 and describes how to publish to it. */
async function startTarget(impl: string, port: number): Promise<Target> {
  const script = impl === 'hub' ? 'hub-server.ts' : 'server.ts';
  const server = pinned(0, [
    process.execPath,
    '--expose-gc',
    ...tsx,
    join(here, script),
    ...(impl === 'hub' ? [String(port)] : [impl, String(port)]),
  ]);
  server.stderr!.pipe(process.stderr);
  const ready = await waitForLine(server, 'READY');
  if (impl !== 'hub') {
    return {
      impl,
      port,
      server,
      path: '/sse',
      async publish(rate, forSecs) {
        const mode = rate === 0 ? 'mode=saturate' : `mode=rate&rate=${rate}`;
        await fetch(`http://127.0.0.1:${port}/publish?${mode}&secs=${forSecs}`);
        return { stop: async () => void (await fetch(`http://127.0.0.1:${port}/stop`)) };
      },
    };
  }
  const token = ready.split(' ')[2]!;
  return {
    impl,
    port,
    server,
    path: '/.well-known/mercure?topic=bench',
    token,
    async publish(rate, forSecs) {
      const publisher = pinned(1, [
        process.execPath,
        ...tsx,
        join(here, 'publisher.ts'),
        ...['-p', String(port), '-t', token, '-d', String(forSecs), '-r', String(rate)],
        ...['-k', String(rate === 0 ? HUB_SATURATE_PUBLISHERS : 2)],
      ]);
      await waitForLine(publisher, 'START');
      return {
        pid: publisher.pid,
        stop: async () => {
          publisher.kill('SIGKILL');
          await exited(publisher);
        },
      };
    },
  };
}

async function stopTarget(target: Target): Promise<void> {
  target.server.kill('SIGKILL');
  await exited(target.server);
}

async function bench(impl: string, conns: number, sseload: string | undefined, port: number): Promise<Row> {
  const target = await startTarget(impl, port);
  try {
    const base = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as {
      rss: number;
      heapUsed: number;
      external: number;
    };
    const saturated = await loadRun(target, 'node', sseload, conns, 0, true);
    const rate = Math.max(1, Math.round(FIXED_DELIVERIES / conns));
    const fixed = await loadRun(target, 'node', sseload, conns, rate, false);
    const cross = sseload ? await loadRun(target, 'sseload', sseload, conns, 0, false) : undefined;
    const crossFixed = sseload ? await loadRun(target, 'sseload', sseload, conns, rate, false) : undefined;
    const idle = saturated.idle!;
    return {
      conns,
      impl,
      eventsPerSec: median(saturated.perSecond) || (saturated.result.events_per_s ?? 0),
      perCpuSec: saturated.eventsPerServerCpuSec,
      p50: fixed.result.p50_ms ?? Number.NaN,
      p99: fixed.result.p99_ms ?? Number.NaN,
      fixedCpu: fixed.serverCpuShare,
      heapPerConn: (idle.heapUsed + idle.external - base.heapUsed - base.external) / conns,
      rssPerConn: (idle.rss - base.rss) / conns,
      loadCpu: saturated.loadCpuShare,
      serverCpu: saturated.serverCpuShare,
      crossServerCpu: cross?.serverCpuShare,
      crossP50: crossFixed?.result.p50_ms,
      crossP99: crossFixed?.result.p99_ms,
      crossEventsPerSec: cross && (median(cross.perSecond) || (cross.result.events_per_s ?? 0)),
      crossPerCpuSec: cross?.eventsPerServerCpuSec,
      crossLoadCpu: cross?.loadCpuShare,
      dead:
        (saturated.result.dead ?? 0) +
        (fixed.result.dead ?? 0) +
        (cross?.result.dead ?? 0) +
        (crossFixed?.result.dead ?? 0),
    };
  } finally {
    await stopTarget(target);
  }
}

function better(prev: Row | undefined, row: Row): Row {
  if (prev === undefined) return row;
  const max = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  const min = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  // The saturated columns come from one round each (the one that delivered most), so CPU shares match it.
  const sat = row.eventsPerSec >= prev.eventsPerSec ? row : prev;
  const crossSat = (row.crossEventsPerSec ?? 0) >= (prev.crossEventsPerSec ?? 0) ? row : prev;
  return {
    ...row,
    eventsPerSec: sat.eventsPerSec,
    serverCpu: sat.serverCpu,
    loadCpu: sat.loadCpu,
    crossEventsPerSec: crossSat.crossEventsPerSec,
    crossServerCpu: crossSat.crossServerCpu,
    crossLoadCpu: crossSat.crossLoadCpu,
    perCpuSec: Math.max(prev.perCpuSec, row.perCpuSec),
    p50: Math.min(prev.p50, row.p50),
    p99: Math.min(prev.p99, row.p99),
    fixedCpu: Math.min(prev.fixedCpu, row.fixedCpu),
    heapPerConn: Math.min(prev.heapPerConn, row.heapPerConn),
    rssPerConn: Math.min(prev.rssPerConn, row.rssPerConn),
    crossPerCpuSec: max(prev.crossPerCpuSec, row.crossPerCpuSec),
    crossP50: min(prev.crossP50, row.crossP50),
    crossP99: min(prev.crossP99, row.crossP99),
    dead: prev.dead + row.dead,
  };
}

interface PublishRow {
  subscribers: number;
  publishesPerSec: number;
  errors: number;
  hubCpu: number;
  publisherCpu: number;
  deliveredPerSec?: number;
  loaderCpu?: number;
}

/** Publishes/s one hub process accepts from many concurrent keep-alive publishers. */
async function publishBench(subscribers: number, port: number): Promise<PublishRow> {
  const target = await startTarget('hub', port);
  const token = target.token ?? '';
  let load: ChildProcess | undefined;
  let loadOut = '';
  try {
    if (subscribers > 0) {
      load = pinned(1, [
        process.execPath,
        ...tsx,
        join(here, 'loader.ts'),
        ...['-p', String(port), '-u', target.path, '-c', String(subscribers), '-d', String(secs + 2)],
      ]);
      load.stdout!.on('data', (c: Buffer) => {
        loadOut += c.toString();
      });
      await waitForLine(load, 'READY');
    }
    const publisher = pinned(1, [
      process.execPath,
      ...tsx,
      join(here, 'publisher.ts'),
      ...[
        '-p',
        String(port),
        '-t',
        token,
        '-d',
        String(secs),
        '-r',
        '0',
        '-k',
        String(PUBLISH_BENCH_PUBLISHERS),
      ],
    ]);
    let out = '';
    publisher.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitForLine(publisher, 'START');
    const hub0 = cpuSeconds(target.server.pid);
    const t0 = performance.now();
    await exited(publisher);
    const hubCpu = (cpuSeconds(target.server.pid) - hub0) / ((performance.now() - t0) / 1000);
    const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<
      string,
      number
    >;
    let loaded: Record<string, number> | undefined;
    if (load) {
      await exited(load);
      loaded = JSON.parse(loadOut.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<
        string,
        number
      >;
    }
    return {
      subscribers,
      publishesPerSec: result.publishes_per_s ?? 0,
      errors: result.errors ?? 0,
      hubCpu,
      publisherCpu: result.cpu_share ?? 0,
      // The loader's window covers the whole publishing run, so its events all fall within the publisher's.
      deliveredPerSec: loaded && (loaded.events ?? 0) / Math.max(1e-9, result.secs ?? secs),
      loaderCpu: loaded?.cpu_share,
    };
  } finally {
    load?.kill('SIGKILL');
    await stopTarget(target);
  }
}

const sseload = sseloadBinary();
if (!sseload) {
  process.stderr.write('# sseload.c not found (SSELOAD_SRC or ../shared/tools): no C cross-check\n');
}
const rows: Row[] = [];
let port = 18850;
for (const conns of connCounts) {
  const best = new Map<string, Row>();
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      process.stderr.write(`# round ${round + 1}: ${impl} with ${conns} subscribers...\n`);
      const row = await bench(impl, conns, sseload, port++);
      process.stderr.write(`#   ${JSON.stringify(row)}\n`);
      best.set(impl, better(best.get(impl), row));
    }
  }
  for (const impl of impls) rows.push(best.get(impl)!);
}

const int = (n: number | undefined): string => (n === undefined ? '-' : Math.round(n).toLocaleString('en'));
const pct = (n: number | undefined): string => (n === undefined ? '-' : `${Math.round(n * 100)} %`);
const kib = (b: number): string => (b / 1024).toFixed(1);
console.log(
  `\nFan-out, best of ${rounds} round(s), ${secs} s per measurement, server on core 0, load on core 1; latency at ${FIXED_DELIVERIES.toLocaleString('en')} deliveries/s.\n`,
);
console.log(
  '| subscribers | server | delivered events/s, saturated | deliveries per server CPU-s | server CPU, saturated | load CPU, saturated | p50 ms | p99 ms | server CPU at fixed load | heap KiB/conn | RSS KiB/conn |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${int(r.conns)} | ${r.impl} | ${int(r.eventsPerSec)} | ${int(r.perCpuSec)} | ${pct(r.serverCpu)} | ${pct(r.loadCpu)}${r.dead ? ` (dead ${r.dead})` : ''} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${pct(r.fixedCpu)} | ${kib(r.heapPerConn)} | ${kib(r.rssPerConn)} |`,
  );
}
if (sseload) {
  console.log('\nCross-check with the C sseload (epoll) as the load generator, same servers, same run:\n');
  console.log(
    '| subscribers | server | delivered events/s, saturated | deliveries per server CPU-s | server CPU, saturated | sseload CPU | p50 ms | p99 ms |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${int(r.conns)} | ${r.impl} | ${int(r.crossEventsPerSec)} | ${int(r.crossPerCpuSec)} | ${pct(r.crossServerCpu)} | ${pct(r.crossLoadCpu)} | ${r.crossP50?.toFixed(2) ?? '-'} | ${r.crossP99?.toFixed(2) ?? '-'} |`,
    );
  }
}
const saturatedLoads = rows.filter((r) => r.loadCpu >= LOAD_SATURATED);
if (saturatedLoads.length > 0) {
  console.log(
    `\nThe load side used >= ${LOAD_SATURATED * 100} % of core 1 for: ${saturatedLoads.map((r) => `${r.impl} (${int(r.conns)})`).join(', ')}. There the saturated events/s may be bounded by the load generator rather than the server: compare deliveries per server CPU-s${sseload ? ' (and the sseload cross-check)' : ''}.`,
  );
} else {
  console.log(
    `\nThe load side stayed under ${LOAD_SATURATED * 100} % of core 1 in every row: it was not the limit.`,
  );
}

if (impls.includes('hub') && !args.includes('--no-publish-bench')) {
  const publishRows: PublishRow[] = [];
  for (const subscribers of [0, 1000]) {
    process.stderr.write(`# hub publish rate with ${subscribers} subscribers...\n`);
    let best: PublishRow | undefined;
    for (let round = 0; round < rounds; round++) {
      const row = await publishBench(subscribers, port++);
      process.stderr.write(`#   ${JSON.stringify(row)}\n`);
      if (best === undefined || row.publishesPerSec > best.publishesPerSec) best = row;
    }
    publishRows.push(best!);
  }
  console.log(
    `\nHub: publishes/s accepted by one hub process (core 0) from ${PUBLISH_BENCH_PUBLISHERS} keep-alive publishers over HTTP (core 1), ${secs} s, best of ${rounds} round(s).\n`,
  );
  console.log(
    '| subscribers | publishes/s accepted | errors | hub CPU | publisher CPU | deliveries/s | loader CPU |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of publishRows) {
    console.log(
      `| ${int(r.subscribers)} | ${int(r.publishesPerSec)} | ${r.errors} | ${pct(r.hubCpu)} | ${pct(r.publisherCpu)} | ${int(r.deliveredPerSec)} | ${pct(r.loaderCpu)} |`,
    );
  }
}
