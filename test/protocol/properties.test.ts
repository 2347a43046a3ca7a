/**
 * Property tests (fast-check): encode-then-parse returns exactly the input, and no chunking of the same
 * stream, down to one byte per chunk, changes what the parser reports.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeEvent,
  encodeEventBytes,
  type ReceivedEvent,
  type SseEvent,
} from '../../src/protocol/index.js';
import { byteByByte, parse, splitAt, splitBytesAt } from './collect.js';
import { cutsFor, eventStream } from './stream-grammar.js';

const utf8 = new TextEncoder();

/** Full Unicode, weighted towards line ends, NUL, BOM, emoji and the empty string. */
const anyText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\0', '\uFEFF', ' ', ':', '😀', '👩‍👩‍👧') },
  ),
  maxLength: 40,
});
/** Text `event` and `id` may hold: anything but CR, LF and NUL. */
const fieldText = anyText.map((s) => s.replace(/[\r\n\0]/g, ''));

const sseEvent: fc.Arbitrary<SseEvent> = fc.record(
  {
    data: anyText,
    event: fieldText,
    id: fieldText,
    retry: fc.nat({ max: 2 ** 31 }),
    comment: anyText,
  },
  { requiredKeys: ['data'] },
);

/** What a spec-compliant client must report for `events`, written from the rules, not from the parser. */
function expected(events: SseEvent[], lastEventId = ''): { events: ReceivedEvent[]; retries: number[] } {
  const out: ReceivedEvent[] = [];
  const retries: number[] = [];
  let last = lastEventId;
  for (const e of events) {
    if (e.id !== undefined) last = e.id;
    if (e.retry !== undefined) retries.push(e.retry);
    out.push({
      type: e.event === undefined || e.event === '' ? 'message' : e.event,
      // The one normalisation the format imposes: every line end inside data arrives as LF.
      data: (e.data ?? '').replace(/\r\n?/g, '\n'),
      lastEventId: last,
    });
  }
  return { events: out, retries };
}

describe('encode-then-parse identity', () => {
  it('a list of arbitrary events arrives exactly (string path)', () => {
    fc.assert(
      fc.property(fc.array(sseEvent, { maxLength: 8 }), (events) => {
        const parsed = parse([events.map(encodeEvent).join('')]);
        const want = expected(events);
        expect(parsed.events).toEqual(want.events);
        expect(parsed.retries).toEqual(want.retries);
      }),
      { numRuns: 500 },
    );
  });

  it('a list of arbitrary events arrives exactly as UTF-8 bytes, one byte per chunk', () => {
    fc.assert(
      fc.property(fc.array(sseEvent, { maxLength: 5 }), (events) => {
        const bytes = events.map(encodeEventBytes);
        const chunks = bytes.flatMap((b) => [...b].map((x) => Uint8Array.of(x)));
        expect(parse(chunks).events).toEqual(expected(events).events);
      }),
      { numRuns: 200 },
    );
  });

  it('data with lone surrogates survives the string path unchanged', () => {
    const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(utf16, (data) => {
        expect(parse([encodeEvent({ data })]).events).toEqual(expected([{ data }]).events);
      }),
      { numRuns: 300 },
    );
  });

  it('comments never dispatch and arrive line by line', () => {
    fc.assert(
      fc.property(anyText, (comment) => {
        const parsed = parse([encodeEvent({ comment })]);
        expect(parsed.events).toEqual([]);
        expect(parsed.comments).toEqual(comment.split(/\r\n|\r|\n/));
      }),
    );
  });
});

describe('chunking never changes the result', () => {
  it('any split of a random stream into string chunks', () => {
    fc.assert(
      fc.property(
        eventStream.chain((s) => fc.tuple(fc.constant(s), cutsFor(s.length))),
        ([stream, cuts]) => {
          const whole = parse([stream]);
          expect(parse(splitAt(stream, cuts))).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any split of a random stream into byte chunks, including inside characters', () => {
    fc.assert(
      fc.property(
        eventStream.chain((s) => {
          const bytes = utf8.encode(s);
          return fc.tuple(fc.constant(s), fc.constant(bytes), cutsFor(bytes.length));
        }),
        ([stream, bytes, cuts]) => {
          expect(parse(splitBytesAt(bytes, cuts))).toEqual(parse([stream]));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('one byte per chunk and one UTF-16 unit per chunk', () => {
    fc.assert(
      fc.property(eventStream, (stream) => {
        const whole = parse([stream]);
        expect(parse(byteByByte(stream))).toEqual(whole);
        expect(parse(stream.split(''))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
