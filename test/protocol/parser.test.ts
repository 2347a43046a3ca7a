/**
 * Edge cases of https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation, written from the rules (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation), not from our output.
 * Every case is checked three ways: the whole stream as one string, one UTF-16 unit per chunk, one byte per
 * chunk, since chunk boundaries must never change the result.
 */
import { describe, expect, it } from 'vitest';
import { EventStreamParser, EventTooLargeError, type ReceivedEvent } from '../../src/protocol/index.js';
import { byteByByte, ev, type Parsed, parse } from './collect.js';

interface Case {
  name: string;
  stream: string;
  events: ReceivedEvent[];
  retries?: number[];
  comments?: string[];
  /** `lastEventId` after the stream ended. */
  lastEventId?: string;
}

const cases: Case[] = [
  // Decoding and BOM (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
  { name: 'one leading BOM is stripped', stream: '\uFEFFdata: a\n\n', events: [ev('a')] },
  {
    name: 'a second BOM stays: the first line has field name "\\uFEFFdata" and is ignored',
    stream: '\uFEFF\uFEFFdata: a\n\ndata: b\n\n',
    events: [ev('b')],
  },
  { name: 'a BOM later in the stream is data', stream: 'data: \uFEFFa\n\n', events: [ev('\uFEFFa')] },
  // Line ends (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream)
  { name: 'LF line ends', stream: 'data: a\ndata: b\n\n', events: [ev('a\nb')] },
  { name: 'CRLF line ends', stream: 'data: a\r\ndata: b\r\n\r\n', events: [ev('a\nb')] },
  { name: 'lone CR line ends', stream: 'data: a\rdata: b\r\r', events: [ev('a\nb')] },
  {
    name: 'mixed line ends in one stream',
    stream: 'data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\n\n',
    events: [ev('a\nb\nc'), ev('d')],
  },
  {
    name: 'CR CR is a line end and a blank line',
    stream: 'data: a\r\rdata: b\n\n',
    events: [ev('a'), ev('b')],
  },
  {
    name: 'LF CR is a line end and a blank line',
    stream: 'data: a\n\rdata: b\n\n',
    events: [ev('a'), ev('b')],
  },
  { name: 'stream ending in CR CR dispatches', stream: 'data: a\r\r', events: [ev('a')] },
  // One space removed, colon handling
  { name: 'exactly one leading space is removed', stream: 'data:  two\n\n', events: [ev(' two')] },
  { name: 'no space: value taken as is', stream: 'data:x\n\n', events: [ev('x')] },
  { name: 'a tab is not a space', stream: 'data:\tx\n\n', events: [ev('\tx')] },
  { name: 'value keeps later colons', stream: 'data: a: b:c\n\n', events: [ev('a: b:c')] },
  { name: 'trailing spaces are kept', stream: 'data: a  \n\n', events: [ev('a  ')] },
  { name: 'bare `data` appends an empty line', stream: 'data\ndata\n\n', events: [ev('\n')] },
  { name: '`data:` alone dispatches ""', stream: 'data:\n\n', events: [ev('')] },
  // Field names are literal
  { name: '`Data` is ignored', stream: 'Data: a\n\ndata: b\n\n', events: [ev('b')] },
  { name: '` data` (leading space) is ignored', stream: ' data: a\n\ndata: b\n\n', events: [ev('b')] },
  { name: '`data\\0` is ignored', stream: 'data\0: a\n\ndata: b\n\n', events: [ev('b')] },
  { name: '`da-ta` and `DATA` are ignored', stream: 'da-ta: a\nDATA: a\n\n', events: [] },
  { name: '`Event` does not set the type', stream: 'Event: x\ndata: a\n\n', events: [ev('a')] },
  { name: '`ID` does not set the id', stream: 'ID: 7\ndata: a\n\n', events: [ev('a')] },
  // event type
  { name: '`event` sets the type', stream: 'event: add\ndata: a\n\n', events: [ev('a', 'add')] },
  {
    name: 'empty `event:` resets the type to message',
    stream: 'event: x\nevent:\ndata: a\n\n',
    events: [ev('a')],
  },
  { name: 'bare `event` resets the type', stream: 'event: x\nevent\ndata: a\n\n', events: [ev('a')] },
  { name: 'the last `event` line wins', stream: 'event: x\nevent: y\ndata: a\n\n', events: [ev('a', 'y')] },
  {
    name: 'the type does not carry over to the next event',
    stream: 'event: x\ndata: a\n\ndata: b\n\n',
    events: [ev('a', 'x'), ev('b')],
  },
  { name: 'an event-only block fires nothing', stream: 'event: x\n\ndata: a\n\n', events: [ev('a')] },
  // id
  {
    name: 'an id with NUL is ignored and the previous id kept',
    stream: 'id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n',
    events: [ev('a', 'message', '1'), ev('b', 'message', '1')],
    lastEventId: '1',
  },
  {
    name: 'an id with NUL inside one block keeps the id set earlier in that block',
    stream: 'id: 1\nid: \0\ndata: a\n\n',
    events: [ev('a', 'message', '1')],
  },
  {
    name: 'an empty id resets the last event id',
    stream: 'id: 1\ndata: a\n\nid:\ndata: b\n\n',
    events: [ev('a', 'message', '1'), ev('b')],
    lastEventId: '',
  },
  {
    name: 'the last event id persists and is reported on every event',
    stream: 'id: 1\ndata: a\n\ndata: b\n\ndata: c\n\n',
    events: [ev('a', 'message', '1'), ev('b', 'message', '1'), ev('c', 'message', '1')],
    lastEventId: '1',
  },
  {
    name: 'an id-only block updates the last event id but dispatches nothing',
    stream: 'id: 5\n\ndata: a\n\n',
    events: [ev('a', 'message', '5')],
    lastEventId: '5',
  },
  {
    name: 'ids keep spaces after the one removed',
    stream: 'id:  7 \ndata: a\n\n',
    events: [ev('a', 'message', ' 7 ')],
  },
  {
    name: 'an id in an unterminated final event is not committed',
    stream: 'id: 1\ndata: a\n\nid: 2\ndata: b\n',
    events: [ev('a', 'message', '1')],
    lastEventId: '1',
  },
  // retry
  { name: 'retry with digits is reported', stream: 'retry: 1000\n', events: [], retries: [1000] },
  { name: 'retry `02000` is 2000, not octal', stream: 'retry: 02000\n', events: [], retries: [2000] },
  { name: 'retry 0 is valid', stream: 'retry:0\n', events: [], retries: [0] },
  {
    name: 'a retry line cut off by EOF before its line end is not read',
    stream: 'data: a\nretry: 5000',
    events: [],
    retries: [],
  },
  {
    name: 'retry is applied at field time, even if EOF follows before the blank line',
    stream: 'data: a\nretry: 5000\n',
    events: [],
    retries: [5000],
  },
  {
    name: 'invalid retry values are ignored: empty, 1000x, " 1000", -1, +1, 1e3, 1.5, Arabic-Indic digits',
    stream:
      'retry:\nretry: 1000x\nretry:  1000\nretry: -1\nretry: +1\nretry: 1e3\nretry: 1.5\nretry: \u0661\u0662\n',
    events: [],
    retries: [],
  },
  {
    name: 'retry with a space before the colon is an unknown field',
    stream: 'retry : 10\n',
    events: [],
    retries: [],
  },
  // dispatch
  { name: 'a block with no data dispatches nothing', stream: '\n\n\n', events: [] },
  {
    name: 'the data buffer loses only one trailing LF',
    stream: 'data: a\ndata:\ndata:\n\n',
    events: [ev('a\n\n')],
  },
  { name: 'an unterminated final event is discarded', stream: 'data: a\n\ndata: b\n', events: [ev('a')] },
  { name: 'an unterminated final line is discarded', stream: 'data: a\n\ndata: b', events: [ev('a')] },
  // comments
  {
    name: 'comments go to onComment, one space removed, without dispatching',
    stream: ': hello\n:\n:  two\ndata: a\n\n',
    events: [ev('a')],
    comments: ['hello', '', ' two'],
  },
  {
    name: 'a comment does not end an event',
    stream: 'data: a\n: c\ndata: b\n\n',
    events: [ev('a\nb')],
    comments: ['c'],
  },
  // non-ASCII text
  { name: 'emoji and astral characters', stream: 'data: 😀 𝄞 é\n\n', events: [ev('😀 𝄞 é')] },
  { name: 'NUL in data is kept', stream: 'data: a\0b\n\n', events: [ev('a\0b')] },
  {
    name: 'U+2028, U+2029 and U+0085 are not line ends (httpx-sse #34)',
    stream: 'data: a\u2028b\u2029c\u0085d\n\n',
    events: [ev('a\u2028b\u2029c\u0085d')],
  },
];

function expectParsed(parsed: Parsed, c: Case): void {
  expect(parsed.events).toEqual(c.events);
  expect(parsed.retries).toEqual(c.retries ?? []);
  if (c.comments) expect(parsed.comments).toEqual(c.comments);
  if (c.lastEventId !== undefined) expect(parsed.lastEventId).toBe(c.lastEventId);
}

describe('parser edge cases (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)', () => {
  for (const c of cases) {
    it(c.name, () => {
      expectParsed(parse([c.stream]), c);
      expectParsed(parse([...c.stream]), c);
      expectParsed(parse(c.stream.split('')), c);
      expectParsed(parse(byteByByte(c.stream)), c);
    });
  }
});

describe('chunk boundaries', () => {
  it('a CR ending one chunk and an LF starting the next is one line end, not a blank line', () => {
    const parsed = parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(parsed.events).toEqual([ev('a\nb')]);
  });

  it('a CR ending one chunk followed by a normal character is still a line end', () => {
    expect(parse(['data: a\r', 'data: b\r', '\r']).events).toEqual([ev('a\nb')]);
  });

  it('empty chunks between a CR and its LF change nothing', () => {
    expect(parse(['data: a\r', '', new Uint8Array(0), '\n\n']).events).toEqual([ev('a')]);
  });

  it('an id with NUL is ignored wherever it falls: first id of a chunk, later id, or across chunks', () => {
    const expected = [ev('a', 'message', '1'), ev('b', 'message', '1'), ev('c', 'message', '1')];
    const first = ['id: 1\ndata: a\n\n', 'id: 2\0\ndata: b\n\nid: \0\ndata: c\n\n'];
    expect(parse(first).events).toEqual(expected);
    expect(parse(['id: 1\ndata: a\n\nid: 2', '\0\ndata: b\n\nid: \0', '\ndata: c\n\n']).events).toEqual(
      expected,
    );
    const long = `id: ${'x'.repeat(40)}\0\ndata: z\n\n`;
    expect(parse([long], { lastEventId: '1' }).events).toEqual([ev('z', 'message', '1')]);
  });

  it('a BOM split across byte chunks is still stripped once', () => {
    const bytes = new TextEncoder().encode('\uFEFFdata: a\n\n');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)];
    expect(parse(chunks).events).toEqual([ev('a')]);
  });

  it('a BOM in a later chunk is not stripped (it is part of the first line)', () => {
    expect(parse(['data: a\n\n', '\uFEFFdata: b\n\n']).events).toEqual([ev('a')]);
  });
});

describe('UTF-8 decoding of byte chunks (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)', () => {
  const utf8 = new TextEncoder();
  const text = 'data: é€😀𝄞 ok\n\n';
  const bytes = utf8.encode(text);

  it('a multi-byte character split at every possible byte offset decodes intact', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      for (let cut2 = cut + 1; cut2 <= bytes.length; cut2++) {
        const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, cut2), bytes.subarray(cut2)];
        expect(parse(chunks).events).toEqual([ev('é€😀𝄞 ok')]);
      }
    }
  });

  it('long chunks (the TextDecoder path) split inside a character decode intact', () => {
    const long = `data: ${'é'.repeat(100)}😀${'x'.repeat(100)}\n\n`;
    const b = utf8.encode(long);
    for (let cut = 190; cut < 215; cut++) {
      expect(parse([b.subarray(0, cut), b.subarray(cut)]).events).toEqual([ev(long.slice(6, -2))]);
    }
  });

  it('invalid bytes become U+FFFD', () => {
    const bad = Uint8Array.of(
      ...utf8.encode('data: a'),
      0xff,
      0xc3,
      ...utf8.encode('b'),
      0xe2,
      0x82,
      0x0a,
      0x0a,
    );
    // 0xFF is invalid; 0xC3 is cut short by "b"; 0xE2 0x82 is cut short by the LF.
    expect(parse([bad]).events).toEqual([ev('a\uFFFD\uFFFDb\uFFFD')]);
    expect(parse([...bad].map((x) => Uint8Array.of(x))).events).toEqual([ev('a\uFFFD\uFFFDb\uFFFD')]);
  });

  it('an overlong encoding and a lone surrogate encoding are invalid', () => {
    const bad = Uint8Array.of(...utf8.encode('data: '), 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x0a, 0x0a);
    expect(parse([bad]).events[0]?.data).toMatch(/^\uFFFD+$/);
  });

  it('a stream ending inside a character discards the unterminated line', () => {
    const b = utf8.encode('data: a\n\ndata: é');
    expect(parse([b.subarray(0, b.length - 1)]).events).toEqual([ev('a')]);
  });

  it('a string chunk after bytes cut mid-character gets U+FFFD, not a merged character', () => {
    const e = utf8.encode('é');
    expect(parse([utf8.encode('data: '), e.subarray(0, 1), 'x\n\n']).events).toEqual([ev('\uFFFDx')]);
  });
});

describe('maxEventSize', () => {
  it('throws EventTooLargeError when the data buffer outgrows the bound, and keeps throwing until reset()', () => {
    const events: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => events.push(e), maxEventSize: 10 });
    parser.feed('data: 12345\n\n');
    expect(events).toEqual([ev('12345')]);
    parser.feed('data: 12345\n');
    expect(() => parser.feed('data: 67890\n')).toThrow(EventTooLargeError);
    expect(() => parser.feed('data: ok\n\n')).toThrow(EventTooLargeError);
    expect(events).toHaveLength(1);
    parser.reset();
    parser.feed('data: ok\n\n');
    expect(events).toEqual([ev('12345'), ev('ok')]);
  });

  it('counts a single long line that arrives in one chunk', () => {
    const parser = new EventStreamParser({ onEvent: () => {}, maxEventSize: 100 });
    expect(() => parser.feed(`data: ${'x'.repeat(101)}\n`)).toThrow(EventTooLargeError);
  });

  it('counts an unterminated line growing over many chunks (no line end ever arrives)', () => {
    const parser = new EventStreamParser({ onEvent: () => {}, maxEventSize: 1000 });
    let thrown: unknown;
    try {
      for (let i = 0; i < 2000; i++) parser.feed(i % 2 ? 'x' : 'xxxxxxxx');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventTooLargeError);
    expect((thrown as EventTooLargeError).limit).toBe(1000);
    expect((thrown as Error).message).toMatch(/maxEventSize/);
  });

  it('counts a comment or unknown field line that never ends', () => {
    const parser = new EventStreamParser({ onEvent: () => {}, maxEventSize: 50 });
    parser.feed(': ');
    expect(() => parser.feed('c'.repeat(60))).toThrow(EventTooLargeError);
  });

  it('counts the event type', () => {
    const parser = new EventStreamParser({ onEvent: () => {}, maxEventSize: 50 });
    expect(() => parser.feed(`event: ${'t'.repeat(60)}\n`)).toThrow(EventTooLargeError);
  });

  it('a stream of many events each under the bound never throws', () => {
    const parser = new EventStreamParser({ onEvent: () => {}, maxEventSize: 20 });
    for (let i = 0; i < 1000; i++) parser.feed('data: 0123456789\n\n: a comment line\n');
  });

  it('defaults to 8 Mi characters', () => {
    const parser = new EventStreamParser({ onEvent: () => {} });
    parser.feed(`data: ${'x'.repeat(8 * 1024 * 1024 - 10)}\n`);
    expect(() => parser.feed(`data: ${'x'.repeat(20)}\n`)).toThrow(EventTooLargeError);
  });
});

describe('parser state', () => {
  it('starts from options.lastEventId and reports it until the stream sets another', () => {
    const out: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => out.push(e), lastEventId: '41' });
    expect(parser.lastEventId).toBe('41');
    parser.feed('data: a\n\nid: 42\ndata: b\n\n');
    expect(out).toEqual([ev('a', 'message', '41'), ev('b', 'message', '42')]);
  });

  it('end() keeps the last event id across streams (a reconnect) and strips a BOM again', () => {
    const out: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => out.push(e) });
    parser.feed('id: 1\ndata: a\n\nid: 2\ndata: cut');
    parser.end();
    expect(parser.lastEventId).toBe('1');
    parser.feed('\uFEFFdata: b\n\n');
    expect(out).toEqual([ev('a', 'message', '1'), ev('b', 'message', '1')]);
  });

  it('end() forgets a dangling CR, so a new stream starting with LF sees a blank line', () => {
    const out: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => out.push(e) });
    parser.feed('data: a\r');
    parser.end();
    parser.feed('data: b\n\n');
    expect(out).toEqual([ev('b')]);
  });

  it('reset(id) sets a new last event id', () => {
    const out: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => out.push(e) });
    parser.feed('id: 1\ndata: a\n\n');
    parser.reset('x');
    expect(parser.lastEventId).toBe('x');
    parser.feed('data: b\n\n');
    expect(out.at(-1)).toEqual(ev('b', 'message', 'x'));
  });

  it('lastEventId moves at dispatch time, not when the id line is read', () => {
    const parser = new EventStreamParser({ onEvent: () => {} });
    parser.feed('id: 9\n');
    expect(parser.lastEventId).toBe('');
    parser.feed('\n');
    expect(parser.lastEventId).toBe('9');
  });

  it('works without onRetry and onComment', () => {
    const out: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (e) => out.push(e) });
    parser.feed(': c\nretry: 10\ndata: a\n\n');
    expect(out).toEqual([ev('a')]);
  });
});
