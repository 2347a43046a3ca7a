import { describe, expect, it } from 'vitest';
import { EventStreamParser, encodeEvent, type ReceivedEvent } from '../../src/protocol/index.js';

function parseAll(chunks: (string | Uint8Array)[]): ReceivedEvent[] {
  const events: ReceivedEvent[] = [];
  const parser = new EventStreamParser({ onEvent: (e) => events.push(e) });
  for (const c of chunks) parser.feed(c);
  parser.end();
  return events;
}

describe('protocol round trip', () => {
  it('spec example: YHOO +2 10', () => {
    expect(parseAll(['data: YHOO\ndata: +2\ndata: 10\n\n'])).toEqual([
      { type: 'message', data: 'YHOO\n+2\n10', lastEventId: '' },
    ]);
  });
  it('encodes multi-line data and survives a CR split across chunks', () => {
    const wire = encodeEvent({ event: 'x', id: '7', data: 'a\r\nb\rc\n' });
    const bytes = new TextEncoder().encode(wire.replaceAll('\n', '\r\n'));
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    expect(parseAll(chunks)).toEqual([{ type: 'x', data: 'a\nb\nc\n', lastEventId: '7' }]);
  });
  it('refuses an id that would forge a field', () => {
    expect(() => encodeEvent({ id: 'a\nevent: evil' })).toThrow(/"id"/);
  });
});
