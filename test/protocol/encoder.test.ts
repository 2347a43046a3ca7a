/**
 * The encoder (docs/security.md#field-injection): no input may forge a field or an event, and what the parser reads back is
 * exactly what was sent, up to the one thing the format cannot carry (a CR inside data arrives as LF).
 */
import { describe, expect, it } from 'vitest';
import {
  encodeComment,
  encodeEvent,
  encodeEventBytes,
  InvalidFieldError,
  preEncode,
  type SseEvent,
} from '../../src/protocol/index.js';
import { byteByByte, ev, parse } from './collect.js';

function roundTrip(event: SseEvent) {
  const wire = encodeEvent(event);
  const text = parse([wire]);
  expect(parse(byteByByte(wire))).toEqual(text);
  return text;
}

describe('encodeEvent: wire text', () => {
  it('writes fields in a fixed order and ends with a blank line', () => {
    expect(encodeEvent({ event: 'price', id: '42', retry: 3000, data: 'line one\nline two' })).toBe(
      'event: price\nid: 42\nretry: 3000\ndata: line one\ndata: line two\n\n',
    );
  });

  it('writes a comment before the fields', () => {
    expect(encodeEvent({ comment: 'hi', data: 'x' })).toBe(': hi\ndata: x\n\n');
  });

  it('a comment-only event has no blank line, so it cannot dispatch anything', () => {
    expect(encodeEvent({ comment: 'keep-alive' })).toBe(': keep-alive\n');
  });

  it('an empty event encodes to the empty string', () => {
    expect(encodeEvent({})).toBe('');
  });

  it('splits data on CRLF, CR and LF into one data line each', () => {
    expect(encodeEvent({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('keeps a value that starts with a space (the parser removes only the space we add)', () => {
    expect(encodeEvent({ data: ' x', event: ' t', id: ' 1' })).toBe('event:  t\nid:  1\ndata:  x\n\n');
    expect(roundTrip({ data: ' x', event: ' t', id: ' 1' }).events).toEqual([ev(' x', ' t', ' 1')]);
  });
});

describe('encodeEvent: data arrives intact', () => {
  const cases: [string, string, string][] = [
    ['empty string', '', ''],
    ['one trailing newline', 'a\n', 'a\n'],
    ['several trailing newlines', 'a\n\n\n', 'a\n\n\n'],
    ['only newlines', '\n\n', '\n\n'],
    ['leading newline', '\na', '\na'],
    ['a lone CR (arrives as LF: the format has no CR in values)', 'a\rb', 'a\nb'],
    ['CRLF (arrives as LF)', 'a\r\nb\r\n', 'a\nb\n'],
    ['CR LF CR in a row', 'a\r\n\rb', 'a\n\nb'],
    [
      'a blank line inside data cannot end the event',
      'a\n\nevent: forged\nid: 666\n\ndata: x',
      'a\n\nevent: forged\nid: 666\n\ndata: x',
    ],
    ['a colon, NUL, BOM, emoji', ': \0\uFEFF😀', ': \0\uFEFF😀'],
    ['JSON', JSON.stringify({ a: [1, 'two\nlines'] }), JSON.stringify({ a: [1, 'two\nlines'] })],
  ];
  for (const [name, data, received] of cases) {
    it(name, () => {
      expect(roundTrip({ data }).events).toEqual([ev(received)]);
    });
  }

  it('an event with data, type, id and retry round-trips', () => {
    const parsed = roundTrip({ event: 'update', id: 'abc-1', retry: 1500, data: 'x' });
    expect(parsed.events).toEqual([ev('x', 'update', 'abc-1')]);
    expect(parsed.retries).toEqual([1500]);
  });

  it('an empty id resets the last event id; an empty event type dispatches as message', () => {
    const wire = encodeEvent({ id: '1', data: 'a' }) + encodeEvent({ id: '', event: '', data: 'b' });
    expect(parse([wire]).events).toEqual([ev('a', 'message', '1'), ev('b')]);
  });
});

describe('encodeEvent: refuses what would forge fields (docs/security.md#field-injection)', () => {
  const bad = ['a\nb', 'a\rb', 'a\r\nb', '\n', 'a\0b', 'x\n\ndata: forged'];
  for (const field of ['event', 'id'] as const) {
    for (const value of bad) {
      it(`${field} ${JSON.stringify(value)} throws InvalidFieldError naming "${field}"`, () => {
        let thrown: unknown;
        try {
          encodeEvent({ [field]: value, data: 'x' });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(InvalidFieldError);
        expect((thrown as InvalidFieldError).field).toBe(field);
        expect((thrown as Error).message).toContain(`"${field}"`);
      });
    }
  }

  for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53]) {
    it(`retry ${retry} throws InvalidFieldError naming "retry"`, () => {
      expect(() => encodeEvent({ retry })).toThrow(InvalidFieldError);
      try {
        encodeEvent({ retry });
      } catch (error) {
        expect((error as InvalidFieldError).field).toBe('retry');
      }
    });
  }

  it('retry 0 and large safe integers are accepted', () => {
    expect(encodeEvent({ retry: 0 })).toBe('retry: 0\n\n');
    expect(encodeEvent({ retry: 2 ** 31 })).toBe(`retry: ${2 ** 31}\n\n`);
  });

  it('-0 is written as 0', () => {
    expect(encodeEvent({ retry: -0 })).toBe('retry: 0\n\n');
  });

  it('the preEncode and encodeEventBytes paths refuse the same inputs', () => {
    expect(() => preEncode({ id: 'a\nb' })).toThrow(InvalidFieldError);
    expect(() => encodeEventBytes({ event: '\r' })).toThrow(InvalidFieldError);
  });
});

describe('encodeComment', () => {
  it('writes one comment line', () => {
    expect(encodeComment('ping')).toBe(': ping\n');
  });

  it('an empty comment is a bare colon', () => {
    expect(encodeComment('')).toBe(':\n');
    expect(encodeComment()).toBe(':\n');
  });

  it('multi-line text becomes several comment lines, so it cannot inject a field', () => {
    expect(encodeComment('a\nb\r\nc\rdata: forged')).toBe(': a\n: b\n: c\n: data: forged\n');
    const parsed = parse([`${encodeComment('x\n\ndata: forged\n\n')}data: real\n\n`]);
    expect(parsed.events).toEqual([ev('real')]);
    expect(parsed.comments).toEqual(['x', '', 'data: forged', '', '']);
  });
});

describe('preEncode and encodeEventBytes', () => {
  const events: SseEvent[] = [
    { data: 'plain' },
    { event: 'é', id: '😀', data: 'multi\nline\r\nwith € and 𝄞' },
    { comment: 'only a comment' },
    { retry: 10 },
  ];
  for (const event of events) {
    it(`${JSON.stringify(event)}: bytes equal encodeEventBytes, text equals encodeEvent`, () => {
      const frame = preEncode(event);
      expect(frame.text).toBe(encodeEvent(event));
      expect([...frame.bytes]).toEqual([...encodeEventBytes(event)]);
      expect(new TextDecoder().decode(frame.bytes)).toBe(frame.text);
    });
  }

  it('the frame and its event are frozen copies', () => {
    const source: SseEvent = { data: 'a' };
    const frame = preEncode(source);
    source.data = 'changed';
    expect(frame.event.data).toBe('a');
    expect(Object.isFrozen(frame)).toBe(true);
    expect(Object.isFrozen(frame.event)).toBe(true);
  });
});
