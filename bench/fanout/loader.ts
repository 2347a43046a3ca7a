/**
 * The fan-out benchmark's load generator: holds N SSE subscribers on raw `node:net` sockets (HTTP/1.1 GET,
 * chunked or identity body), counts dispatched events and measures publish-to-receive latency.
 *
 *   node --import tsx bench/fanout/loader.ts -p PORT [-u PATH] [-c CONNS] [-d SECS] [-x "Header: value"]
 *     [-n TOPICS]
 *
 * With `-w`, after `READY` the measurement waits for a line on stdin (the runner sends it once the publisher
 * is started too), so a slow start of the other processes does not eat into the window.
 *
 * With `-n N`, `%T%` in PATH becomes topic `t<i mod N>` for the i-th connection, spreading the subscribers
 * evenly over N topics (default 1: every connection on `t0`).
 *
 * Interface and output match the `sseload.c` C load generator (see `SSELOAD_SRC` in run.ts), so the runner
 * can use either: `READY n` on stdout
 * once every connection is settled (200 with headers read, or dead), `# t=.. ev/s=..` on stderr every
 * second, then one JSON line with events, events/s, latency percentiles in ms and this process's CPU share.
 *
 * Latency: each event's data carries `ts=<ns>` stamped by the publisher with `process.hrtime.bigint()`,
 * which on Linux is CLOCK_MONOTONIC, one clock for every process on the machine (checked against a C
 * `clock_gettime(CLOCK_MONOTONIC)` across processes). Receive time is taken once per socket read.
 *
 * Cost: one shared read buffer for every socket (`onread`, no allocation per read) and one byte loop per
 * read that decodes chunked framing and event boundaries (CR, LF or CRLF line ends, https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream) with
 * state kept per connection, so events split anywhere across reads or chunks are counted exactly once.
 */
import net from 'node:net';

const args = process.argv.slice(2);
const arg = (flag: string, fallback: string): string => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const host = arg('-H', '127.0.0.1');
const port = Number(arg('-p', '0'));
const path = arg('-u', '/');
const connCount = Number(arg('-c', '100'));
const secs = Number(arg('-d', '10'));
const extra = arg('-x', '');
const topicCount = Math.max(1, Number(arg('-n', '1')));
/** Wait for a line on stdin before the measurement window starts. */
let held = args.includes('-w');
let announced = false;
if (held) {
  process.stdin.once('data', () => {
    held = false;
  });
}
if (!port) {
  process.stderr.write('usage: loader.ts -p PORT [-u PATH] [-c CONNS] [-d SECS] [-x "Header: v"]\n');
  process.exit(2);
}

const requests = Array.from({ length: topicCount }, (_, i) =>
  Buffer.from(
    `GET ${path.replace('%T%', `t${i}`)} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n${extra ? `${extra}\r\n` : ''}Cache-Control: no-cache\r\n\r\n`,
  ),
);

/** Latency histogram: 10 µs buckets up to 2 s, one overflow bucket (same as sseload). */
const BUCKETS = 200_000;
const histogram = new Uint32Array(BUCKETS + 1);
let latencyCount = 0;
let maxLatencyNs = 0;
let totalEvents = 0;
let ready = 0;
let dead = 0;
let non200 = 0;
/** Receive time of the read being processed, ns on CLOCK_MONOTONIC. */
let now = 0;

function record(latencyNs: number): void {
  let bucket = Math.floor(latencyNs / 10_000);
  if (bucket > BUCKETS) bucket = BUCKETS;
  if (bucket < 0) bucket = 0;
  histogram[bucket]!++;
  latencyCount++;
  if (latencyNs > maxLatencyNs) maxLatencyNs = latencyNs;
}

const ms = (x: number): number => Number(x.toFixed(2));

function percentile(p: number): number {
  const want = Math.floor(p * latencyCount);
  let acc = 0;
  for (let i = 0; i <= BUCKETS; i++) {
    acc += histogram[i]!;
    if (acc > want) return i * 0.01;
  }
  return BUCKETS * 0.01;
}

enum Phase {
  Headers,
  Body,
  Dead,
}
enum Chunk {
  Size,
  SizeExtension,
  Data,
  DataEnd,
}
const CR = 13;
const LF = 10;

/** One subscriber: HTTP response state, chunked-decoding state and SSE line state. */
class Subscriber {
  phase = Phase.Headers;
  head = '';
  chunked = false;
  chunk = Chunk.Size;
  chunkLeft = 0;
  /** Length of the current SSE line so far; 0 at a line start. */
  lineLength = 0;
  /** The previous byte was CR: a following LF belongs to the same line end. */
  afterCr = false;
  /** The current line starts with `d` (a `data` line, where the stamp is looked for). */
  dataLine = false;
  /** The current block had a data line, so its blank line dispatches an event. */
  hasData = false;
  /** Progress matching `ts=`: 0 nothing, 1 `t`, 2 `ts`, 3 reading digits, 4 done for this event. */
  tsState = 0;
  ts = 0;

  constructor(readonly socket: net.Socket) {}

  /** Handles one read of `n` bytes from the shared buffer. */
  feed(buf: Buffer, n: number): void {
    let i = 0;
    if (this.phase === Phase.Headers) {
      this.head += buf.toString('latin1', 0, n);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = Number(this.head.slice(9, 12));
      if (status !== 200) {
        non200++;
        this.kill();
        return;
      }
      this.chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(this.head.slice(0, end));
      i = n - (this.head.length - end - 4);
      this.head = '';
      this.phase = Phase.Body;
      ready++;
    }
    if (this.phase !== Phase.Body) return;
    if (!this.chunked) {
      this.events(buf, i, n);
      return;
    }
    while (i < n) {
      switch (this.chunk) {
        case Chunk.Size: {
          const b = buf[i++]!;
          if (b === LF) {
            if (this.chunkLeft === 0) {
              this.kill(); // last chunk: the server ended the stream
              return;
            }
            this.chunk = Chunk.Data;
          } else if (b === 59 /* ; */ || b === CR) {
            if (b === 59) this.chunk = Chunk.SizeExtension;
          } else {
            this.chunkLeft = this.chunkLeft * 16 + hexValue(b);
          }
          break;
        }
        case Chunk.SizeExtension:
          if (buf[i++] === LF) {
            if (this.chunkLeft === 0) {
              this.kill();
              return;
            }
            this.chunk = Chunk.Data;
          }
          break;
        case Chunk.Data: {
          const end = Math.min(n, i + this.chunkLeft);
          this.events(buf, i, end);
          this.chunkLeft -= end - i;
          i = end;
          if (this.chunkLeft === 0) this.chunk = Chunk.DataEnd;
          break;
        }
        case Chunk.DataEnd:
          if (buf[i++] === LF) this.chunk = Chunk.Size;
          break;
      }
    }
  }

  /** Scans body bytes: a blank line dispatches an event; `ts=<digits>` in a data line is its stamp. */
  events(buf: Buffer, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b === LF || b === CR) {
        if (b === LF && this.afterCr) {
          this.afterCr = false;
          continue;
        }
        this.afterCr = b === CR;
        if (this.lineLength === 0) {
          // A blank line dispatches only a block that had a data line (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage): comments do not count.
          if (this.hasData) totalEvents++;
          this.hasData = false;
          if (this.ts > 0) record(now - this.ts);
          this.ts = 0;
          this.tsState = 0;
        } else if (this.tsState !== 4 && this.tsState !== 3) {
          this.tsState = 0;
        } else {
          this.tsState = 4;
        }
        this.lineLength = 0;
        continue;
      }
      this.afterCr = false;
      if (this.lineLength++ === 0) {
        this.dataLine = b === 100; /* d: the only standard field starting with it is `data` */
        if (this.dataLine) this.hasData = true;
      }
      if (!this.dataLine) continue;
      switch (this.tsState) {
        case 3:
          if (b >= 48 && b <= 57) this.ts = this.ts * 10 + (b - 48);
          else this.tsState = 4;
          break;
        case 0:
          if (b === 116 /* t */) this.tsState = 1;
          break;
        case 1:
          this.tsState = b === 115 /* s */ ? 2 : b === 116 ? 1 : 0;
          break;
        case 2:
          if (b === 61 /* = */) {
            this.tsState = 3;
            this.ts = 0;
          } else {
            this.tsState = b === 116 ? 1 : 0;
          }
          break;
      }
    }
  }

  kill(): void {
    if (this.phase === Phase.Dead) return;
    if (this.phase === Phase.Body) ready--;
    this.phase = Phase.Dead;
    dead++;
    this.socket.destroy();
  }
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return 0;
}

const shared = Buffer.allocUnsafe(256 * 1024);
let started = 0;
let inFlight = 0;
const MAX_IN_FLIGHT = 200;

function openMore(): void {
  while (started < connCount && inFlight < MAX_IN_FLIGHT) {
    const request = requests[started % topicCount]!;
    started++;
    inFlight++;
    let subscriber: Subscriber | undefined;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      inFlight--;
      setImmediate(openMore);
    };
    const socket = net.connect({
      host,
      port,
      onread: {
        buffer: shared,
        callback: (n: number, buf: Uint8Array): boolean => {
          now = Number(process.hrtime.bigint());
          const s = subscriber!;
          const wasHeaders = s.phase === Phase.Headers;
          s.feed(buf as Buffer, n);
          if (wasHeaders && s.phase !== Phase.Headers) settle();
          return true;
        },
      },
    });
    subscriber = new Subscriber(socket);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(request));
    const onGone = (): void => {
      subscriber!.kill();
      settle();
    };
    socket.once('error', onGone);
    socket.once('close', onGone);
  }
}

const t0 = process.hrtime.bigint();
let measureStart = 0n;
let measureEvents0 = 0;
let cpu0 = process.cpuUsage();
let lastTick = t0;
let lastEvents = 0;

openMore();
const ticker = setInterval(() => {
  const t = process.hrtime.bigint();
  if (!announced && ready + dead >= connCount) {
    announced = true;
    process.stdout.write(`READY ${ready}\n`);
  }
  if (measureStart === 0n && announced && !held) {
    process.stderr.write(
      `# all connections settled after ${(Number(t - t0) / 1e9).toFixed(2)}s: ready=${ready} dead=${dead} non200=${non200}\n`,
    );
    histogram.fill(0);
    latencyCount = 0;
    maxLatencyNs = 0;
    measureStart = t;
    measureEvents0 = totalEvents;
    cpu0 = process.cpuUsage();
    if (args.includes('-w')) process.stdin.pause();
  }
  if (t - lastTick >= 1_000_000_000n) {
    const rate = ((totalEvents - lastEvents) * 1e9) / Number(t - lastTick);
    process.stderr.write(
      `# t=${Math.round(Number(t - t0) / 1e9)}s ready=${ready} dead=${dead} ev/s=${Math.round(rate)}\n`,
    );
    lastTick = t;
    lastEvents = totalEvents;
  }
  const over = measureStart !== 0n ? t - measureStart >= BigInt(secs * 1e9) : t - t0 > 120_000_000_000n;
  if (!over) return;
  clearInterval(ticker);
  const duration = measureStart !== 0n ? Number(t - measureStart) / 1e9 : 0;
  const cpu = process.cpuUsage(cpu0);
  const events = totalEvents - measureEvents0;
  process.stdout.write(
    `${JSON.stringify({
      conns: connCount,
      ready,
      dead,
      non200,
      events,
      secs: Number(duration.toFixed(2)),
      events_per_s: duration ? Math.round(events / duration) : 0,
      lat_n: latencyCount,
      p50_ms: ms(percentile(0.5)),
      p90_ms: ms(percentile(0.9)),
      p99_ms: ms(percentile(0.99)),
      p999_ms: ms(percentile(0.999)),
      max_ms: ms(maxLatencyNs / 1e6),
      cpu_share: duration ? Number(((cpu.user + cpu.system) / 1e6 / duration).toFixed(3)) : 0,
    })}\n`,
    () => process.exit(0),
  );
}, 10);
