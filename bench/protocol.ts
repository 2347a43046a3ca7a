/**
 * Parser and encoder throughput: ssehub/protocol against eventsource-parser on the same inputs, in one run.
 * Run with `npx tsx bench/protocol.ts` (about half a minute). A benchmark, not a test: it prints, never asserts.
 *
 * Every parser gets identical chunks. In the "strings" rows both parsers receive the same strings. In the
 * "bytes" rows ours is fed the raw UTF-8 chunks and decodes them itself; eventsource-parser only accepts
 * strings, so it gets a streaming TextDecoder in front, which is how a response body reaches it.
 *
 * Each row runs in its own child process (ours and theirs interleaved inside it), so that what the JIT
 * learned on one input cannot slow down or speed up either parser on the next; rows are independent.
 * ROUNDS=n sets the number of timed samples per side, ONLY=text keeps the rows whose label contains `text`.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { EventStreamParser, encodeEvent, type SseEvent } from '../src/protocol/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 25);
const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------- inputs

interface ParserInput {
  name: string;
  /** The byte chunks, decoded by a streaming TextDecoder: what every parser is fed in the string rows. */
  text: string[];
  /** The stream as UTF-8 byte chunks of a fixed size. */
  bytes: Uint8Array[];
  /** UTF-8 size of the whole stream. */
  size: number;
  /** Events the stream dispatches (checked against both parsers before timing). */
  events: number;
}

function smallEvents(count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) {
    s += `id: ${i}\nevent: tick\ndata: {"n":${i},"price":${(i * 1.37).toFixed(2)},"sym":"YHOO"}\n\n`;
  }
  return s;
}

function largeEvents(count: number, lines: number): string {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor é ✓';
  let s = '';
  for (let i = 0; i < count; i++) {
    s += `id: ${i}\n`;
    for (let l = 0; l < lines; l++) s += `data: ${line} ${l}\n`;
    s += '\n';
  }
  return s;
}

/**
 * String chunks are the byte chunks run through a streaming TextDecoder: flat strings, exactly what a
 * network pipeline hands a string parser. (Slices of one big string would be V8 "sliced strings", slower
 * to read for any parser and not what a real stream produces.)
 */
function makeInput(name: string, stream: string, chunkSize: number, events: number): ParserInput {
  const all = utf8.encode(stream);
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += chunkSize) bytes.push(all.subarray(i, i + chunkSize));
  const decoder = new TextDecoder();
  return {
    name,
    text: bytes.map((c) => decoder.decode(c, { stream: true })),
    bytes,
    size: all.length,
    events,
  };
}

const parserInputs: (() => ParserInput)[] = [
  () => makeInput('small events, 16 KiB chunks', smallEvents(40_000), 16_384, 40_000),
  () => makeInput('large multi-line events, 16 KiB chunks', largeEvents(400, 200), 16_384, 400),
  () => makeInput('one-byte chunks (small events)', smallEvents(3_000), 1, 3_000),
];
const parserInputNames = [
  'small events, 16 KiB chunks',
  'large multi-line events, 16 KiB chunks',
  'one-byte chunks (small events)',
];

interface EncoderInput {
  name: string;
  batch: SseEvent[];
}

function encoderInput(index: number): EncoderInput {
  if (index === 0) {
    const batch: SseEvent[] = [];
    for (let i = 0; i < 10_000; i++) {
      batch.push({ id: String(i), event: 'tick', data: `{"n":${i},"price":${(i * 1.37).toFixed(2)}}` });
    }
    return { name: 'small events', batch };
  }
  const lines: string[] = [];
  for (let l = 0; l < 200; l++) lines.push(`Lorem ipsum dolor sit amet, consectetur adipiscing elit ${l}`);
  const data = lines.join('\n');
  const batch: SseEvent[] = [];
  for (let i = 0; i < 200; i++) batch.push({ id: String(i), data });
  return { name: 'large multi-line events', batch };
}
const encoderInputNames = ['small events', 'large multi-line events'];

// --------------------------------------------------------------------------------------------- runners

function oursParse(chunks: readonly (string | Uint8Array)[]): number {
  let n = 0;
  const parser = new EventStreamParser({
    onEvent: () => {
      n++;
    },
    maxEventSize: Number.POSITIVE_INFINITY,
  });
  for (const c of chunks) parser.feed(c);
  parser.end();
  return n;
}

function theirsParse(chunks: readonly string[]): number {
  let n = 0;
  const parser = createParser({
    onEvent: () => {
      n++;
    },
  });
  for (const c of chunks) parser.feed(c);
  parser.reset();
  return n;
}

function theirsParseBytes(chunks: readonly Uint8Array[]): number {
  let n = 0;
  const parser = createParser({
    onEvent: () => {
      n++;
    },
  });
  const decoder = new TextDecoder();
  for (const c of chunks) parser.feed(decoder.decode(c, { stream: true }));
  parser.feed(decoder.decode());
  parser.reset();
  return n;
}

/** Ours: validates event/id/retry and splits data on CRLF, CR and LF (docs/security.md#field-injection). */
function oursEncode(batch: readonly SseEvent[]): number {
  let n = 0;
  for (const e of batch) n += encodeEvent(e).length;
  return n;
}

/** The template string many servers write: splits on LF only and validates nothing (docs/security.md#field-injection). */
function naiveEncode(batch: readonly SseEvent[]): number {
  let n = 0;
  for (const e of batch) {
    let s = '';
    if (e.event !== undefined) s += `event: ${e.event}\n`;
    if (e.id !== undefined) s += `id: ${e.id}\n`;
    if (e.retry !== undefined) s += `retry: ${e.retry}\n`;
    n += `${s}data: ${(e.data ?? '').split('\n').join('\ndata: ')}\n\n`.length;
  }
  return n;
}

// ------------------------------------------------------------------------------------------- measuring

/** Seconds per run, averaged over a sample of at least `minTime` seconds. */
function sample(run: () => unknown, minTime = 0.04): number {
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    iterations++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minTime);
  return elapsed / iterations;
}

/**
 * Times `a` and `b` in alternating samples after a warm-up and keeps each side's fastest sample: on a
 * shared machine, other load only ever adds time, so the minimum is the steadiest estimate, and
 * alternating makes any slow period hit both sides alike.
 */
function duel(a: () => unknown, b: () => unknown): [number, number] {
  for (let w = 0; w < 3; w++) {
    a();
    b();
  }
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    ta = Math.min(ta, sample(a));
    tb = Math.min(tb, sample(b));
  }
  return [ta, tb];
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Job {
  kind: 'parser' | 'encoder';
  index: number;
  bytes: boolean;
  label: string;
}

/** Runs one row and returns its table cells: input, MB/s ours, MB/s theirs, events/s ours, ratio. */
function runJob(job: Job): string[] {
  if (job.kind === 'encoder') {
    const { batch } = encoderInput(job.index);
    if (oursEncode(batch) !== naiveEncode(batch)) throw new Error(`encoders disagree on ${job.label}`);
    const size = batch.reduce((n, e) => n + utf8.encode(encodeEvent(e)).length, 0);
    const [a, b] = duel(
      () => oursEncode(batch),
      () => naiveEncode(batch),
    );
    return [
      job.label,
      fmt(size / 1e6 / a),
      fmt(size / 1e6 / b),
      fmtInt(batch.length / a),
      `${fmt(b / a, 2)}x`,
    ];
  }
  const input = parserInputs[job.index]!();
  const ours = job.bytes ? () => oursParse(input.bytes) : () => oursParse(input.text);
  const theirs = job.bytes ? () => theirsParseBytes(input.bytes) : () => theirsParse(input.text);
  const [na, nb] = [ours(), theirs()];
  if (na !== input.events || nb !== input.events) {
    throw new Error(`${job.label}: expected ${input.events} events, ours ${na}, theirs ${nb}`);
  }
  const [a, b] = duel(ours, theirs);
  return [
    job.label,
    fmt(input.size / 1e6 / a),
    fmt(input.size / 1e6 / b),
    fmtInt(input.events / a),
    `${fmt(b / a, 2)}x`,
  ];
}

function printTable(title: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

const jobs: Job[] = [];
parserInputNames.forEach((name, index) => {
  jobs.push({ kind: 'parser', index, bytes: false, label: `${name}, strings` });
  jobs.push({ kind: 'parser', index, bytes: true, label: `${name}, bytes` });
});
encoderInputNames.forEach((name, index) => {
  jobs.push({ kind: 'encoder', index, bytes: false, label: name });
});

const child = process.env.BENCH_PROTOCOL_JOB;
if (child !== undefined) {
  process.stdout.write(`${JSON.stringify(runJob(jobs[Number(child)]!))}\n`);
} else {
  const only = process.env.ONLY;
  const parserRows: string[][] = [];
  const encoderRows: string[][] = [];
  jobs.forEach((job, i) => {
    if (only !== undefined && !job.label.includes(only)) return;
    const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...process.env, BENCH_PROTOCOL_JOB: String(i) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`row "${job.label}" failed with status ${result.status}`);
    const cells = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as string[];
    (job.kind === 'parser' ? parserRows : encoderRows).push(cells);
  });
  if (parserRows.length > 0) {
    printTable(
      'Parser: ssehub/protocol EventStreamParser vs eventsource-parser createParser',
      ['input', 'MB/s ours', 'MB/s eventsource-parser', 'events/s ours', 'ratio'],
      parserRows,
    );
  }
  if (encoderRows.length > 0) {
    printTable(
      'Encoder: encodeEvent vs a naive template string (splits on LF only, validates nothing)',
      ['input', 'MB/s ours', 'MB/s naive', 'events/s ours', 'ratio'],
      encoderRows,
    );
  }
  console.log(
    `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; ` +
      `each row in a fresh process; best of ${ROUNDS} alternating samples of >= 40 ms per side.`,
  );
}
