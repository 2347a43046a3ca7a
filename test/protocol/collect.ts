import { EventStreamParser, type ParserOptions, type ReceivedEvent } from '../../src/protocol/index.js';

/** Everything a parser reported for one stream, in order. */
export interface Parsed {
  events: ReceivedEvent[];
  retries: number[];
  comments: string[];
  /** `lastEventId` after `end()`. */
  lastEventId: string;
}

/** Feeds `chunks` to a fresh parser, ends the stream and returns everything it reported. */
export function parse(
  chunks: readonly (string | Uint8Array)[],
  options: Omit<ParserOptions, 'onEvent' | 'onRetry' | 'onComment'> = {},
): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [], lastEventId: '' };
  const parser = new EventStreamParser({
    ...options,
    onEvent: (e) => out.events.push(e),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (text) => out.comments.push(text),
  });
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  out.lastEventId = parser.lastEventId;
  return out;
}

/** The events of `stream` fed as one string. */
export function events(stream: string): ReceivedEvent[] {
  return parse([stream]).events;
}

/** Shorthand for an expected event. */
export function ev(data: string, type = 'message', lastEventId = ''): ReceivedEvent {
  return { type, data, lastEventId };
}

const utf8 = new TextEncoder();

/** `stream` as UTF-8 bytes, one byte per chunk. */
export function byteByByte(stream: string): Uint8Array[] {
  return [...utf8.encode(stream)].map((b) => Uint8Array.of(b));
}

/** `stream` split into chunks at the given UTF-16 offsets. */
export function splitAt(stream: string, offsets: readonly number[]): string[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < stream.length).sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    out.push(stream.slice(from, cut));
    from = cut;
  }
  out.push(stream.slice(from));
  return out;
}

/** `bytes` split into chunks at the given byte offsets. */
export function splitBytesAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}
