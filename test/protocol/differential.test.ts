/**
 * Differential test against eventsource-parser 3.x (`createParser`) on random streams from the grammar in
 * stream-grammar.ts. Both parsers get the same byte chunks; eventsource-parser only takes strings, so it
 * gets a streaming TextDecoder in front, which is how it is used on a response body.
 *
 * Outputs are normalised to what both APIs can express, and every remaining difference is either fixed in
 * our parser or explained by a spec rule below and excluded precisely:
 *
 * 1. Last event id. eventsource-parser reports the `id` of the current block only (undefined when the
 *    block had none) and never reports id-only blocks, while https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation step 1 makes the last event ID
 *    persist across events and move even when nothing is dispatched. So we compare ids only where theirs
 *    is defined (there it must equal our persisted `lastEventId`), and separately check persistence
 *    against an oracle written from the rules (`idOracle` below).
 * 2. A lone CR as the last line end of the stream. https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream: `end-of-line = ( cr lf / cr / lf )`, so a CR
 *    followed by anything but LF, or by the end of the stream, ends its line: `: c\rdata: x` holds one
 *    complete comment line and `data: a\r\r` dispatches "a". eventsource-parser holds a CR that ends its
 *    buffer in case an LF follows, and only looks again when a later chunk brings another line end; it has
 *    no end-of-input call, so when no line end follows, that last line is never processed (a lost comment,
 *    retry or dispatch). We give it the stream cut after its last line end plus one LF (turning that CR into
 *    a CRLF, which cannot change the lines; the unterminated tail is discarded by both anyway), and check
 *    that this rewrite changes nothing for our parser.
 * 3. Leading BOM: createParser itself only strips the three characters "ï»¿" (UTF-8 BOM bytes read as
 *    Latin-1), never U+FEFF; the TextDecoder in front strips the one real BOM, as the UTF-8 decode
 *    algorithm does, so no exclusion is needed with bytes.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../src/protocol/index.js';
import { parse, splitBytesAt } from './collect.js';
import { cutsFor, eventStream } from './stream-grammar.js';

const utf8 = new TextEncoder();

interface Theirs {
  events: EventSourceMessage[];
  retries: number[];
  comments: string[];
}

function theirs(chunks: Uint8Array[]): Theirs {
  const out: Theirs = { events: [], retries: [], comments: [] };
  const parser = createParser({
    onEvent: (e) => out.events.push(e),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (c) => out.comments.push(c),
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  const tail = decoder.decode();
  if (tail !== '') parser.feed(tail);
  return out;
}

/** Events without ids, in a shape both parsers can produce. */
function normalised(
  events: readonly (ReceivedEvent | EventSourceMessage)[],
): { type: string; data: string }[] {
  return events.map((e) =>
    'type' in e ? { type: e.type, data: e.data } : { type: e.event ?? 'message', data: e.data },
  );
}

/**
 * The last event id after each dispatched event, computed from the rules alone (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation): split into
 * lines (CRLF, CR, LF; one leading BOM dropped), `id` lines without NUL set the buffer, a blank line copies
 * it to the last event id and dispatches when the block had data. Only terminated lines count.
 */
function idOracle(stream: string): string[] {
  const text = stream.startsWith('\uFEFF') ? stream.slice(1) : stream;
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // the unterminated tail, or "" after a final line end
  const ids: string[] = [];
  let buffer = '';
  let hasData = false;
  for (const line of lines) {
    if (line === '') {
      if (hasData) ids.push(buffer);
      hasData = false;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') hasData = true;
    if (field === 'id' && !value.includes('\0')) buffer = value;
  }
  return ids;
}

describe('differential: ssehub/protocol vs eventsource-parser', () => {
  it('same events, data, types, retries and comments on random streams and random byte chunks', () => {
    fc.assert(
      fc.property(
        eventStream.chain((s) => {
          const bytes = utf8.encode(s);
          return fc.tuple(fc.constant(s), fc.constant(bytes), cutsFor(bytes.length));
        }),
        ([stream, bytes, cuts]) => {
          const chunks = splitBytesAt(bytes, cuts);
          const ours = parse(chunks);
          let them: Theirs;
          const lastEnd = Math.max(stream.lastIndexOf('\r'), stream.lastIndexOf('\n'));
          if (lastEnd !== -1 && stream[lastEnd] === '\r') {
            // Exclusion 2.
            const head = utf8.encode(`${stream.slice(0, lastEnd + 1)}\n`);
            const rewritten = splitBytesAt(head, cuts);
            expect(parse(rewritten)).toEqual(ours);
            them = theirs(rewritten);
          } else {
            them = theirs(chunks);
          }
          expect(normalised(ours.events)).toEqual(normalised(them.events));
          expect(ours.retries).toEqual(them.retries);
          expect(ours.comments).toEqual(them.comments);
          // Exclusion 1: where eventsource-parser reports an id, it is the one we report.
          them.events.forEach((e, i) => {
            if (e.id !== undefined) expect(ours.events[i]?.lastEventId).toBe(e.id);
          });
          expect(ours.events.map((e) => e.lastEventId)).toEqual(idOracle(stream));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the exclusions are real: eventsource-parser drops a line ended by a final CR, we do not', () => {
    const bytes = utf8.encode('data: a\r\r');
    expect(theirs([bytes]).events).toEqual([]);
    expect(parse([bytes]).events).toEqual([{ type: 'message', data: 'a', lastEventId: '' }]);
    const comment = [utf8.encode(': c\r'), utf8.encode('data: x')];
    expect(theirs(comment).comments).toEqual([]);
    expect(parse(comment).comments).toEqual(['c']);
  });

  it('the exclusions are real: createParser on strings strips "ï»¿" instead of a U+FEFF BOM', () => {
    const seen: string[] = [];
    const parser = createParser({ onEvent: (e) => seen.push(e.data) });
    parser.feed('\uFEFFdata: a\n\n');
    expect(seen).toEqual([]); // the first line's field name is "\uFEFFdata"
    expect(parse(['\uFEFFdata: a\n\n']).events.map((e) => e.data)).toEqual(['a']);
  });

  it('the exclusions are real: eventsource-parser forgets the last event id between events', () => {
    const bytes = utf8.encode('id: 7\ndata: a\n\ndata: b\n\n');
    expect(theirs([bytes]).events.map((e) => e.id)).toEqual(['7', undefined]);
    expect(parse([bytes]).events.map((e) => e.lastEventId)).toEqual(['7', '7']);
  });
});
