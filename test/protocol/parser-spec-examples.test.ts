/**
 * The examples the WHATWG HTML standard gives in https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation, each also fed one byte at a time.
 */
import { describe, expect, it } from 'vitest';
import { byteByByte, ev, events, parse } from './collect.js';

const examples: { name: string; stream: string; expected: ReturnType<typeof ev>[] }[] = [
  {
    name: 'three data lines join with LF: "YHOO\\n+2\\n10"',
    stream: 'data: YHOO\ndata: +2\ndata: 10\n\n',
    expected: [ev('YHOO\n+2\n10')],
  },
  {
    name: 'the stock example with comments, ids and an event without id',
    stream: ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    // The second block's bare `id` resets the last event id to ""; the third keeps its leading space.
    expected: [ev('first event', 'message', '1'), ev('second event', 'message', ''), ev(' third event')],
  },
  {
    name: '`data`, blank, `data`, `data`, blank, `data:` fires "" then "\\n"; the last block is discarded',
    stream: 'data\n\ndata\ndata\n\ndata:',
    expected: [ev(''), ev('\n')],
  },
];

describe('WHATWG spec examples (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)', () => {
  for (const { name, stream, expected } of examples) {
    it(name, () => {
      expect(events(stream)).toEqual(expected);
      expect(parse(byteByByte(stream)).events).toEqual(expected);
    });
  }

  it('`data:test` and `data: test` are identical', () => {
    expect(events('data:test\n\n')).toEqual(events('data: test\n\n'));
    expect(events('data:test\n\n')).toEqual([ev('test')]);
  });
});
