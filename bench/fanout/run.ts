/**
 * Fan-out benchmark: `npx tsx bench/fanout/run.ts [--conns 1000,10000] [--secs 3] [--rounds 1]
 * [--impls nchan,hub,ssehub,better-sse,minimal] [--shapes 1p,4p,fixed,100t,4KiB,memory] [--out docs/bench]
 * [--crosscheck] [--no-publish-bench] [--no-build]`.
 *
 * Every server runs alone on core 0 (`taskset -c 0`) and is published to over HTTP by publisher.ts on core
 * 1, beside the project's own load generator (loader.ts, raw sockets) holding the subscribers: nchan (nginx
 * module, config in nchan.conf), the hub (hub-server.ts), and the server library's Channel, better-sse and a
 * minimal node:http loop (server.ts). For each subscriber count the server is started fresh, then, per shape:
 * saturated delivered events/s with 1 publisher waiting for each answer and with 4 concurrent publishers,
 * deliveries per server CPU-second, the load side's CPU share (loader + publisher: near 100 % of core 1 the
 * load side, not the server, set the figure), publish-to-receive p50/p99 at a fixed 20,000 deliveries/s,
 * memory per idle connection (RSS, and heap for Node servers), one shape with 100 topics and one with 4 KiB
 * events. Results go to `<out>/fanout.json` and SVG bar charts of the ratios to nchan (chart.ts).
 *
 * With `--crosscheck` and `SSELOAD_SRC` naming the source of `sseload.c`, a C epoll load generator kept
 * outside this repository, the 4-publisher one-topic shapes are repeated with it.
 *
 * The Node servers run the compiled library (`dist/`, what the package ships), which the runner first builds
 * with `tsc -p tsconfig.build.json` unless `--no-build`: loading `src/` through tsx would measure its
 * transform too (its `keepNames` gives every closure a `name` property, ~0.25 KiB per closure kept).
 *
 * Then, for the hub alone: publishes/s accepted by one hub process from 32 concurrent keep-alive publishers,
 * with no subscribers and with 1,000.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderBarChart } from './chart.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const connCounts = opt('conns', '1000,10000').split(',').map(Number);
const secs = Number(opt('secs', '3'));
const requestedImpls = opt('impls', 'nchan,hub,ssehub,better-sse,minimal').split(',');
/**
 * Which measurements to run (default all): shape ids without the subscriber-count prefix (`1p`, `4p`,
 * `fixed`, `100t`, `4KiB`) and `memory`, the idle-connection memory. `--shapes memory` alone connects the
 * idle subscribers, reads memory and publishes nothing: a quick look at memory per connection.
 */
const selected = new Set(opt('shapes', '1p,4p,fixed,100t,4KiB,memory').split(','));
/** Rounds per configuration, interleaved across implementations; each figure is the best round's. */
const rounds = Number(opt('rounds', '1'));
/** Deliveries per second at the fixed load used for latency: well under every implementation's ceiling. */
const FIXED_DELIVERIES = 20_000;
const PUBLISH_BENCH_PUBLISHERS = 32;
/**
 * A load-side CPU share above this means the load side may be what limits the saturated figure: with
 * receive syscalls, bursts and the sampling window, a core 80 % busy has little left.
 */
const LOAD_SATURATED = 0.75;

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const tsx = ['--import', 'tsx'];
const outDir = resolve(root, opt('out', join('docs', 'bench')));
const NCHAN_MODULE = process.env.NCHAN_MODULE ?? '/usr/lib/nginx/modules/ngx_nchan_module.so';

/** One measured situation: how many subscribers on how many topics, who publishes, how big the events are. */
interface Shape {
  id: string;
  label: string;
  conns: number;
  topics: number;
  publishers: number;
  /** Bytes of padding appended to each event's data. */
  pad: number;
  /** Total publishes/s; 0 saturates (every publisher sends its next request when answered). */
  rate: number;
}

function shapesFor(conns: number): Shape[] {
  const k = conns >= 1000 ? `${conns / 1000}k` : String(conns);
  const shapes: Shape[] = [
    { id: `${k}-1p`, label: `${k} subs, 1 publisher`, conns, topics: 1, publishers: 1, pad: 0, rate: 0 },
    { id: `${k}-4p`, label: `${k} subs, 4 publishers`, conns, topics: 1, publishers: 4, pad: 0, rate: 0 },
    {
      id: `${k}-fixed`,
      label: `${k} subs, ${FIXED_DELIVERIES / 1000}k deliveries/s`,
      conns,
      topics: 1,
      publishers: 2,
      pad: 0,
      rate: Math.max(1, Math.round(FIXED_DELIVERIES / conns)),
    },
  ];
  if (conns >= 10_000) {
    shapes.push({
      id: `${k}-100t`,
      label: `${k} subs on 100 topics, 4 publishers`,
      conns,
      topics: 100,
      publishers: 4,
      pad: 0,
      rate: 0,
    });
  } else {
    shapes.push({
      id: `${k}-4KiB`,
      label: `${k} subs, 4 KiB events, 4 publishers`,
      conns,
      topics: 1,
      publishers: 4,
      pad: 4096,
      rate: 0,
    });
  }
  return shapes.filter((shape) => selected.has(shape.id.slice(shape.id.indexOf('-') + 1)));
}

/** The C cross-check, compiled into the temp dir on first use; undefined when not asked for or absent. */
function sseloadBinary(): string | undefined {
  if (!args.includes('--crosscheck')) return undefined;
  const source = process.env.SSELOAD_SRC;
  if (source === undefined || !existsSync(source)) {
    process.stderr.write('# sseload.c not found (set SSELOAD_SRC to its path): no C cross-check\n');
    return undefined;
  }
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

/** Resident set size of a process in bytes, from `/proc`. */
function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
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
const pinned = (core: number, command: string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess =>
  canPin
    ? spawn('taskset', ['-c', String(core), ...command], { cwd: root, stdio: [stdin, 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: root, stdio: [stdin, 'pipe', 'pipe'] });

/** Whether nginx with the nchan module is here; prints how to get it when not. */
function nchanAvailable(): boolean {
  let nginx = false;
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    nginx = true;
  } catch {}
  if (nginx && existsSync(NCHAN_MODULE)) return true;
  process.stderr.write(
    `# nchan skipped: ${nginx ? `no module at ${NCHAN_MODULE} (NCHAN_MODULE names another)` : 'nginx not found'}. ` +
      'On Debian/Ubuntu: sudo apt-get install nginx libnginx-mod-nchan\n',
  );
  return false;
}
if (!args.includes('--no-build') && requestedImpls.some((impl) => impl !== 'nchan')) {
  process.stderr.write('# building dist/ (tsc -p tsconfig.build.json; --no-build skips)\n');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
const impls = requestedImpls.filter((impl) => impl !== 'nchan' || nchanAvailable());

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
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));

/** A server under test: where subscribers go, how publishers reach it, how to read its memory. */
interface Target {
  impl: string;
  port: number;
  server: ChildProcess;
  /** Subscribe path; `%T%` is the topic. */
  path: string;
  /** publisher.ts arguments naming the format, path and token. */
  publishArgs: string[];
  memory(): Promise<{ rss: number; heap?: number }>;
  stop(): Promise<void>;
}

/** Starts one server pinned to core 0. */
async function startTarget(impl: string, port: number): Promise<Target> {
  if (impl === 'nchan') return startNchan(port);
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
  const memory = async (): Promise<{ rss: number; heap: number }> => {
    const m = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<string, number>;
    return { rss: m.rss!, heap: m.heapUsed! + m.external! };
  };
  const stop = async (): Promise<void> => {
    server.kill('SIGKILL');
    await exited(server);
  };
  if (impl === 'hub') {
    return {
      impl,
      port,
      server,
      path: '/.well-known/mercure?topic=%T%',
      publishArgs: ['-f', 'form', '-t', ready.split(' ')[2]!],
      memory,
      stop,
    };
  }
  return {
    impl,
    port,
    server,
    path: '/sse?topic=%T%',
    publishArgs: ['-f', 'raw', '-u', '/pub?topic=%T%'],
    memory,
    stop,
  };
}

/** nginx + nchan from nchan.conf, one process, everything it writes in a temp dir removed on stop. */
async function startNchan(port: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-nchan-'));
  const conf = readFileSync(join(here, 'nchan.conf'), 'utf8')
    .replaceAll('__PORT__', String(port))
    .replaceAll('__DIR__', dir)
    .replaceAll('__MODULE__', NCHAN_MODULE);
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const server = pinned(0, ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  server.stderr!.pipe(process.stderr);
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ping`)).ok) break;
    } catch {
      if (i > 100 || server.exitCode !== null) throw new Error(`nginx did not start; see ${dir}/error.log`);
      await sleep(50);
    }
  }
  return {
    impl: 'nchan',
    port,
    server,
    path: '/sub?topic=%T%',
    publishArgs: ['-f', 'raw', '-u', '/pub?topic=%T%'],
    memory: async () => ({ rss: rssBytes(server.pid) }),
    stop: async () => {
      server.kill('SIGKILL');
      await exited(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type LoadTool = 'node' | 'sseload';

interface LoadRun {
  result: Record<string, number>;
  /** Per-second delivered rates while publishing (first and last second dropped). */
  perSecond: number[];
  /** Core 1's CPU share: the loader plus the HTTP publisher. */
  loadCpuShare: number;
  publisherCpuShare: number;
  serverCpuShare: number;
  /** Events counted while CPU was sampled, per server CPU-second. */
  eventsPerServerCpuSec: number;
  publishesPerSec: number;
  /** Memory with every subscriber connected and idle (when asked for). */
  idle?: { rss: number; heap?: number };
}

/** One load run: connect the shape's subscribers, optionally read idle memory, publish, collect. */
async function loadRun(
  target: Target,
  shape: Shape,
  tool: LoadTool,
  sseload: string | undefined,
  snapshot: boolean,
): Promise<LoadRun> {
  // One extra second covers the memory snapshot and the publisher's start.
  const loadArgs = ['-p', String(target.port), '-c', String(shape.conns), '-d', String(secs + 1)];
  // Loader and publisher start together and wait for a line on stdin, so neither's start-up time (slow on
  // a busy machine) eats into the measurement window.
  const load = pinned(
    1,
    tool === 'node'
      ? [
          process.execPath,
          ...tsx,
          join(here, 'loader.ts'),
          ...loadArgs,
          ...['-u', target.path, '-n', String(shape.topics), '-w'],
        ]
      : [sseload!, ...loadArgs, '-u', target.path.replace('%T%', 't0')],
    tool === 'node' ? 'pipe' : 'ignore',
  );
  const publisher = pinned(
    1,
    [
      process.execPath,
      ...tsx,
      join(here, 'publisher.ts'),
      ...['-p', String(target.port), ...target.publishArgs, '-d', String(secs + 2)],
      ...['-r', String(shape.rate), '-k', String(shape.publishers), '-n', String(shape.topics)],
      ...['-z', String(shape.pad), '-w'],
    ],
    'pipe',
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
  let publisherOut = '';
  publisher.stdout!.on('data', (c: Buffer) => {
    publisherOut += c.toString();
  });
  const done = exited(load);
  const publisherReady = waitForLine(publisher, 'READY');
  await waitForLine(load, 'READY');
  let idle: LoadRun['idle'];
  if (snapshot) {
    await sleep(300);
    idle = await target.memory();
  }
  await publisherReady;
  load.stdin?.end('go\n');
  const t0 = performance.now();
  const load0 = cpuSeconds(load.pid);
  const server0 = cpuSeconds(target.server.pid);
  publishing = true;
  const started = waitForLine(publisher, 'START');
  publisher.stdin!.end('go\n');
  await started;
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
  await exited(publisher);
  const wall = (t1 - t0) / 1000;
  const json = out.split('\n').find((l) => l.startsWith('{'));
  const result = JSON.parse(json ?? '{}') as Record<string, number>;
  const published = JSON.parse(publisherOut.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<
    string,
    number
  >;
  await sleep(700); // let the closed connections drain before the next run
  const loaderCpuShare = (load1 - load0) / wall;
  const publisherCpuShare = (publisher1 - publisher0) / wall;
  return {
    result,
    perSecond: perSecond.slice(1, -1),
    // Every counted event was published after t0, and server CPU is sampled until the loader's end.
    eventsPerServerCpuSec: (result.events ?? 0) / Math.max(1e-9, server1 - server0),
    loadCpuShare: loaderCpuShare + publisherCpuShare,
    publisherCpuShare,
    serverCpuShare: (server1 - server0) / wall,
    publishesPerSec: published.publishes_per_s ?? 0,
    idle,
  };
}

/** Memory with `conns` idle subscribers connected, publishing nothing (`--shapes memory` alone). */
async function idleMemory(target: Target, conns: number): Promise<{ rss: number; heap?: number }> {
  const load = pinned(1, [
    process.execPath,
    ...tsx,
    join(here, 'loader.ts'),
    ...[
      '-p',
      String(target.port),
      '-c',
      String(conns),
      '-d',
      '1',
      '-u',
      target.path.replace('%T%', 't0'),
      '-w',
    ],
  ]);
  try {
    await waitForLine(load, 'READY');
    await sleep(300);
    return await target.memory();
  } finally {
    load.kill('SIGKILL');
    await exited(load);
    await sleep(700); // let the closed connections drain
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

/** One server in one shape: the figures that shape measures (saturated, or latency at a fixed rate). */
interface Row {
  shape: string;
  label: string;
  conns: number;
  impl: string;
  saturated: boolean;
  eventsPerSec: number;
  perCpuSec: number;
  publishesPerSec: number;
  serverCpu: number;
  /** Core 1's CPU share (loader + publisher) and the publisher's part of it. */
  loadCpu: number;
  publisherCpu: number;
  p50: number;
  p99: number;
  rssPerConn?: number;
  heapPerConn?: number;
  crossEventsPerSec?: number;
  crossPerCpuSec?: number;
  crossLoadCpu?: number;
  dead: number;
}

async function benchGroup(
  impl: string,
  conns: number,
  sseload: string | undefined,
  port: number,
): Promise<Row[]> {
  const target = await startTarget(impl, port);
  const rows: Row[] = [];
  try {
    const base = await target.memory();
    const shapes = shapesFor(conns);
    if (shapes.length === 0 && selected.has('memory')) {
      const idle = await idleMemory(target, conns);
      const row: Row = {
        shape: `${conns / 1000}k-memory`,
        label: `${conns} idle subs`,
        conns,
        impl,
        saturated: false,
        eventsPerSec: 0,
        perCpuSec: 0,
        publishesPerSec: 0,
        serverCpu: 0,
        loadCpu: 0,
        publisherCpu: 0,
        p50: Number.NaN,
        p99: Number.NaN,
        rssPerConn: (idle.rss - base.rss) / conns,
        heapPerConn:
          idle.heap !== undefined && base.heap !== undefined ? (idle.heap - base.heap) / conns : undefined,
        dead: 0,
      };
      process.stderr.write(`#   ${JSON.stringify(row)}\n`);
      rows.push(row);
    }
    for (const shape of shapes) {
      process.stderr.write(`#   ${impl}: ${shape.label}...\n`);
      const first = rows.length === 0 && selected.has('memory');
      const run = await loadRun(target, shape, 'node', sseload, first);
      const cross =
        sseload && shape.rate === 0 && shape.topics === 1 && shape.publishers === 4 && shape.pad === 0
          ? await loadRun(target, shape, 'sseload', sseload, false)
          : undefined;
      const row: Row = {
        shape: shape.id,
        label: shape.label,
        conns,
        impl,
        saturated: shape.rate === 0,
        eventsPerSec: median(run.perSecond) || (run.result.events_per_s ?? 0),
        perCpuSec: run.eventsPerServerCpuSec,
        publishesPerSec: run.publishesPerSec,
        serverCpu: run.serverCpuShare,
        loadCpu: run.loadCpuShare,
        publisherCpu: run.publisherCpuShare,
        p50: run.result.p50_ms ?? Number.NaN,
        p99: run.result.p99_ms ?? Number.NaN,
        crossEventsPerSec: cross && (median(cross.perSecond) || (cross.result.events_per_s ?? 0)),
        crossPerCpuSec: cross?.eventsPerServerCpuSec,
        crossLoadCpu: cross?.loadCpuShare,
        dead: (run.result.dead ?? 0) + (cross?.result.dead ?? 0),
      };
      if (run.idle) {
        row.rssPerConn = (run.idle.rss - base.rss) / conns;
        if (run.idle.heap !== undefined && base.heap !== undefined) {
          row.heapPerConn = (run.idle.heap - base.heap) / conns;
        }
      }
      process.stderr.write(`#   ${JSON.stringify(row)}\n`);
      rows.push(row);
    }
  } finally {
    await target.stop();
  }
  return rows;
}

/** Best of two rounds of one row: each figure from the round where it was best. */
function better(prev: Row | undefined, row: Row): Row {
  if (prev === undefined) return row;
  const sat = row.eventsPerSec >= prev.eventsPerSec ? row : prev;
  const lower = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  return {
    ...sat,
    perCpuSec: Math.max(prev.perCpuSec, row.perCpuSec),
    p50: Math.min(prev.p50, row.p50),
    p99: Math.min(prev.p99, row.p99),
    rssPerConn: lower(prev.rssPerConn, row.rssPerConn),
    heapPerConn: lower(prev.heapPerConn, row.heapPerConn),
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
      ...['-p', String(port), ...target.publishArgs, '-d', String(secs), '-r', '0'],
      ...['-k', String(PUBLISH_BENCH_PUBLISHERS)],
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
    await target.stop();
  }
}

const sseload = sseloadBinary();
const started = new Date();
const rows: Row[] = [];
let port = 18850;
for (const conns of connCounts) {
  const best = new Map<string, Row>();
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      process.stderr.write(`# round ${round + 1}: ${impl} with ${conns} subscribers\n`);
      for (const row of await benchGroup(impl, conns, sseload, port++)) {
        const key = `${row.shape} ${impl}`;
        best.set(key, better(best.get(key), row));
      }
    }
  }
  rows.push(...best.values());
}

const int = (n: number | undefined): string => (n === undefined ? '-' : Math.round(n).toLocaleString('en'));
const pct = (n: number | undefined): string => (n === undefined ? '-' : `${Math.round(n * 100)} %`);
const kib = (b: number | undefined): string => (b === undefined ? '-' : (b / 1024).toFixed(1));
const ms = (n: number): string => (Number.isNaN(n) ? '-' : n.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !b || !Number.isFinite(a / b) ? '-' : `${(a / b).toFixed(2)}x`;
const reference = (row: Row): Row | undefined =>
  rows.find((r) => r.shape === row.shape && r.impl === 'nchan');
const limitedByLoad = (r: Row): boolean => r.loadCpu >= LOAD_SATURATED;

console.log(
  `\nFan-out, best of ${rounds} round(s), ${secs} s per measurement, server on core 0, load (loader + HTTP publisher) on core 1.\n`,
);
console.log(
  '| shape | server | delivered events/s | vs nchan | deliveries per server CPU-s | vs nchan | publishes/s | server CPU | load CPU (publisher) |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows.filter((row) => row.saturated)) {
  const ref = reference(r);
  console.log(
    `| ${r.label} | ${r.impl} | ${int(r.eventsPerSec)} | ${ratio(r.eventsPerSec, ref?.eventsPerSec)} | ${int(r.perCpuSec)} | ${ratio(r.perCpuSec, ref?.perCpuSec)} | ${int(r.publishesPerSec)} | ${pct(r.serverCpu)} | ${pct(r.loadCpu)} (${pct(r.publisherCpu)})${limitedByLoad(r) ? ' **load-bound**' : ''}${r.dead ? ` dead ${r.dead}` : ''} |`,
  );
}
console.log(
  `\nLatency at a fixed ${FIXED_DELIVERIES.toLocaleString('en')} deliveries/s, and memory per idle connection (N idle subscribers minus the empty server):\n`,
);
console.log(
  '| subscribers | server | p50 ms | p99 ms | p99 vs nchan | server CPU at fixed load | RSS KiB/conn | vs nchan | heap KiB/conn |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows.filter((row) => !row.saturated)) {
  const ref = reference(r);
  const mem = rows.find((m) => m.conns === r.conns && m.impl === r.impl && m.rssPerConn !== undefined);
  const refMem = rows.find((m) => m.conns === r.conns && m.impl === 'nchan' && m.rssPerConn !== undefined);
  console.log(
    `| ${int(r.conns)} | ${r.impl} | ${ms(r.p50)} | ${ms(r.p99)} | ${ratio(r.p99, ref?.p99)} | ${pct(r.serverCpu)} | ${kib(mem?.rssPerConn)} | ${ratio(mem?.rssPerConn, refMem?.rssPerConn)} | ${kib(mem?.heapPerConn)} |`,
  );
}
if (sseload) {
  console.log(
    '\nCross-check with the C sseload (epoll) as the loader, 4 publishers, same servers, same run:\n',
  );
  console.log('| shape | server | delivered events/s | deliveries per server CPU-s | load CPU |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows.filter((row) => row.crossEventsPerSec !== undefined)) {
    console.log(
      `| ${r.label} | ${r.impl} | ${int(r.crossEventsPerSec)} | ${int(r.crossPerCpuSec)} | ${pct(r.crossLoadCpu)} |`,
    );
  }
}
const bound = rows.filter((r) => r.saturated && limitedByLoad(r));
console.log(
  bound.length > 0
    ? `\nLoad-bound: the load side used >= ${LOAD_SATURATED * 100} % of core 1 for ${bound.map((r) => `${r.impl} (${r.label})`).join(', ')}. There the delivered events/s is a floor set by the load generator, not the server: compare deliveries per server CPU-s.`
    : `\nThe load side stayed under ${LOAD_SATURATED * 100} % of core 1 in every saturated row: the servers set the figures.`,
);

let publishRows: PublishRow[] = [];
if (impls.includes('hub') && !args.includes('--no-publish-bench')) {
  publishRows = [];
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

// Results and charts: ratios to nchan, with the machine, the date and the command on every chart.
const nginxVersion = ((): string | undefined => {
  try {
    return execFileSync('nginx', ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] })
      .toString()
      .trim();
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || undefined;
  }
})();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}${impls.includes('nchan') ? `, ${nginxVersion ?? 'nginx'} + nchan` : ''}`;
const command = `npx tsx bench/fanout/run.ts ${args.join(' ')}`.trim();
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'fanout.json'),
  `${JSON.stringify({ date: started.toISOString(), machine, command, secs, rounds, fixedDeliveries: FIXED_DELIVERIES, rows, publish: publishRows }, null, 2)}\n`,
);
if (impls.includes('nchan')) {
  const notes = [machine, `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${command}`];
  const series = impls;
  const chart = (
    file: string,
    title: string,
    subtitle: string,
    pick: (r: Row) => boolean,
    value: (r: Row) => number | undefined,
    group: (r: Row) => string = (r) => r.label,
  ): void => {
    const groups = [...new Set(rows.filter(pick).map(group))];
    const values = groups.map((label) =>
      series.map((impl) => {
        const row = rows.find((r) => pick(r) && group(r) === label && r.impl === impl);
        const ref = rows.find((r) => pick(r) && group(r) === label && r.impl === 'nchan');
        const v = row && value(row);
        const base = ref && value(ref);
        return v === undefined || !base ? undefined : v / base;
      }),
    );
    writeFileSync(join(outDir, file), renderBarChart({ title, subtitle, groups, series, values, notes }));
  };
  chart(
    'fanout-throughput.svg',
    'Delivered events/s, saturated, relative to nchan',
    'higher is better; server on one core, publishers over HTTP',
    (r) => r.saturated,
    (r) => r.eventsPerSec,
  );
  chart(
    'fanout-cpu.svg',
    'Deliveries per server CPU-second, relative to nchan',
    'higher is better; unaffected by a load-bound run',
    (r) => r.saturated,
    (r) => r.perCpuSec,
  );
  chart(
    'fanout-latency.svg',
    `p99 publish-to-receive latency at ${FIXED_DELIVERIES.toLocaleString('en')} deliveries/s, relative to nchan`,
    'lower is better',
    (r) => !r.saturated,
    (r) => r.p99,
  );
  chart(
    'fanout-memory.svg',
    'RSS per idle connection, relative to nchan',
    'lower is better',
    (r) => r.rssPerConn !== undefined,
    (r) => r.rssPerConn,
    (r) => `${r.conns.toLocaleString('en')} idle subscribers`,
  );
  process.stderr.write(`# results and charts written to ${outDir}\n`);
}
