/**
 * Parser and encoder throughput: ssehub/protocol against eventsource-parser on the same inputs, in one run.
 * Run with `npx tsx bench/protocol.ts` (a few seconds). A benchmark, not a test: it prints, never asserts.
 *
 * Every parser gets identical chunks. For string rows both parsers receive the same strings. For byte rows
 * ours is fed the raw UTF-8 chunks and decodes them itself; eventsource-parser only accepts strings, so it
 * gets a streaming `TextDecoder` in front, which is how its own documentation pipes a response body.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { EventStreamParser, encodeEvent, type SseEvent } from '../src/protocol/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const utf8 = new TextEncoder();

interface Input {
  name: string;
  /** The byte chunks, decoded: what every parser is fed in the string rows. */
  text: string[];
  /** The same stream as UTF-8 byte chunks of a fixed size. */
  bytes: Uint8Array[];
  /** UTF-8 size of the whole stream. */
  size: number;
  /** Events the stream dispatches (checked against both parsers before timing). */
  events: number;
}

function chunkBytes(stream: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(stream.subarray(i, i + size));
  return out;
}

/**
 * The string chunks are the byte chunks run through a streaming TextDecoder: flat strings, exactly what a
 * network pipeline hands a string parser. (Slices of one big string would be V8 "sliced strings", slower
 * to read for any parser and not what a real stream produces.)
 */
function decodeChunks(chunks: Uint8Array[]): string[] {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true }));
}

function makeInput(name: string, stream: string, chunkSize: number, events: number): Input {
  const bytes = utf8.encode(stream);
  const byteChunks = chunkBytes(bytes, chunkSize);
  return {
    name,
    text: decodeChunks(byteChunks),
    bytes: byteChunks,
    size: bytes.length,
    events,
  };
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

const ONLY = process.env.ONLY;
const allInputs: Input[] = [
  makeInput('small events, 16 KiB chunks', smallEvents(40_000), 16_384, 40_000),
  makeInput('large multi-line events, 16 KiB chunks', largeEvents(400, 200), 16_384, 400),
  makeInput('one-byte chunks (small events)', smallEvents(3_000), 1, 3_000),
];
const inputs = ONLY ? allInputs.filter((i) => i.name.includes(ONLY)) : allInputs;

type Runner = (input: Input) => number;

function oursText(input: Input): number {
  let n = 0;
  const parser = new EventStreamParser({
    onEvent: () => {
      n++;
    },
    maxEventSize: Number.POSITIVE_INFINITY,
  });
  for (const c of input.text) parser.feed(c);
  parser.end();
  return n;
}

function oursBytes(input: Input): number {
  let n = 0;
  const parser = new EventStreamParser({
    onEvent: () => {
      n++;
    },
    maxEventSize: Number.POSITIVE_INFINITY,
  });
  for (const c of input.bytes) parser.feed(c);
  parser.end();
  return n;
}

function theirsText(input: Input): number {
  let n = 0;
  const parser = createParser({
    onEvent: () => {
      n++;
    },
  });
  for (const c of input.text) parser.feed(c);
  parser.reset();
  return n;
}

function theirsBytes(input: Input): number {
  let n = 0;
  const parser = createParser({
    onEvent: () => {
      n++;
    },
  });
  const decoder = new TextDecoder();
  for (const c of input.bytes) parser.feed(decoder.decode(c, { stream: true }));
  parser.feed(decoder.decode());
  parser.reset();
  return n;
}

/** Median seconds per run over ROUNDS rounds, after a warm-up; `minTime` keeps each sample measurable. */
function measure(run: Runner, input: Input, minTime = 0.05): number {
  const samples: number[] = [];
  for (let w = 0; w < 3; w++) run(input);
  for (let r = 0; r < ROUNDS; r++) {
    let iterations = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      run(input);
      iterations++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < minTime);
    samples.push(elapsed / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

interface Row {
  input: string;
  oursMBs: number;
  theirsMBs: number;
  eventsPerSecond: number;
  ratio: number;
}

function compare(label: string, input: Input, ours: Runner, theirs: Runner): Row {
  const a = ours(input);
  const b = theirs(input);
  if (a !== input.events || b !== input.events) {
    throw new Error(`${label}: expected ${input.events} events, ours ${a}, theirs ${b}`);
  }
  // Interleave rounds so machine noise (shared cores) hits both sides alike.
  const oursTimes: number[] = [];
  const theirsTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    oursTimes.push(measure(ours, input));
    theirsTimes.push(measure(theirs, input));
  }
  const tOurs = Math.min(...oursTimes);
  const tTheirs = Math.min(...theirsTimes);
  return {
    input: label,
    oursMBs: input.size / 1e6 / tOurs,
    theirsMBs: input.size / 1e6 / tTheirs,
    eventsPerSecond: input.events / tOurs,
    ratio: tTheirs / tOurs,
  };
}

function printTable(title: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

const parserRows: Row[] = [];
for (const input of inputs) {
  parserRows.push(compare(`${input.name}, strings`, input, oursText, theirsText));
  parserRows.push(compare(`${input.name}, bytes`, input, oursBytes, theirsBytes));
}

printTable(
  'Parser: ssehub/protocol EventStreamParser vs eventsource-parser createParser',
  ['input', 'MB/s ours', 'MB/s eventsource-parser', 'events/s ours', 'ratio'],
  parserRows.map((r) => [
    r.input,
    fmt(r.oursMBs),
    fmt(r.theirsMBs),
    fmtInt(r.eventsPerSecond),
    `${fmt(r.ratio, 2)}x`,
  ]),
);

// Encoder: ours (validates event/id/retry, splits data on CRLF/CR/LF) vs the naive template string most
// servers write, which splits on LF only and validates nothing (the injection bug class of sse-rules §3.1).
function naiveEncode(e: SseEvent): string {
  let s = '';
  if (e.event !== undefined) s += `event: ${e.event}\n`;
  if (e.id !== undefined) s += `id: ${e.id}\n`;
  if (e.retry !== undefined) s += `retry: ${e.retry}\n`;
  return `${s}data: ${(e.data ?? '').split('\n').join('\ndata: ')}\n\n`;
}

const smallBatch: SseEvent[] = [];
for (let i = 0; i < 10_000; i++) {
  smallBatch.push({ id: String(i), event: 'tick', data: `{"n":${i},"price":${(i * 1.37).toFixed(2)}}` });
}
const largeBatch: SseEvent[] = [];
{
  const lines: string[] = [];
  for (let l = 0; l < 200; l++) lines.push(`Lorem ipsum dolor sit amet, consectetur adipiscing elit ${l}`);
  const data = lines.join('\n');
  for (let i = 0; i < 200; i++) largeBatch.push({ id: String(i), data });
}

interface EncoderInput {
  name: string;
  batch: SseEvent[];
  size: number;
}
const encoderInputs: EncoderInput[] = [
  { name: 'small events', batch: smallBatch, size: 0 },
  { name: 'large multi-line events', batch: largeBatch, size: 0 },
];
for (const e of encoderInputs) e.size = e.batch.reduce((n, ev) => n + utf8.encode(encodeEvent(ev)).length, 0);

function encodeRunner(encode: (e: SseEvent) => string): (input: EncoderInput) => number {
  return (input) => {
    let n = 0;
    for (const ev of input.batch) n += encode(ev).length;
    return n;
  };
}

const encoderRows: string[][] = [];
for (const input of encoderInputs) {
  const ours = encodeRunner(encodeEvent);
  const naive = encodeRunner(naiveEncode);
  if (ours(input) !== naive(input)) throw new Error(`encoders disagree on ${input.name}`);
  const tOurs: number[] = [];
  const tNaive: number[] = [];
  for (let i = 0; i < 3; i++) {
    tOurs.push(measure(ours as unknown as Runner, input as unknown as Input));
    tNaive.push(measure(naive as unknown as Runner, input as unknown as Input));
  }
  const a = Math.min(...tOurs);
  const b = Math.min(...tNaive);
  encoderRows.push([
    input.name,
    fmt(input.size / 1e6 / a),
    fmt(input.size / 1e6 / b),
    fmtInt(input.batch.length / a),
    `${fmt(b / a, 2)}x`,
  ]);
}

printTable(
  'Encoder: encodeEvent vs a naive template string (splits on LF only, validates nothing)',
  ['input', 'MB/s ours', 'MB/s naive', 'events/s ours', 'ratio'],
  encoderRows,
);

console.log(
  `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; ` +
    `median of ${ROUNDS} rounds, best of 3 interleaved series.`,
);
