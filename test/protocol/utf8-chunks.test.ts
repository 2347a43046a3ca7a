/**
 * The byte-chunk decoder behind EventStreamParser.feed(Uint8Array): its ASCII shortcuts must give exactly
 * what a streaming UTF-8 TextDecoder gives, whatever the chunk sizes and alignments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiByWords, Utf8ChunkDecoder } from '../../src/protocol/utf8-chunks.js';
import { splitBytesAt } from './collect.js';

const utf8 = new TextEncoder();

describe('asciiByWords (the portable ASCII check)', () => {
  it('finds a high byte at every position, for every alignment and length', () => {
    const backing = new Uint8Array(80).fill(0x61);
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length < 70; length++) {
        const view = backing.subarray(offset, offset + length);
        expect(asciiByWords(view)).toBe(true);
        for (let i = 0; i < length; i++) {
          view[i] = 0x80;
          expect(asciiByWords(view)).toBe(false);
          view[i] = 0x61;
        }
      }
    }
  });

  it('0x7F is ASCII, 0xFF is not', () => {
    expect(asciiByWords(new Uint8Array(20).fill(0x7f))).toBe(true);
    expect(asciiByWords(Uint8Array.of(0xff))).toBe(false);
  });
});

describe('Utf8ChunkDecoder', () => {
  function decodeAll(chunks: Uint8Array[]): string {
    const decoder = new Utf8ChunkDecoder();
    return chunks.map((c) => decoder.decode(c)).join('') + decoder.flush();
  }

  it('an ASCII chunk after a character cut short gets U+FFFD first, like TextDecoder', () => {
    const e = utf8.encode('é');
    const ascii = utf8.encode('x'.repeat(100));
    const chunks = [utf8.encode('a'), e.subarray(0, 1), ascii];
    expect(decodeAll(chunks)).toBe(`a\uFFFD${'x'.repeat(100)}`);
  });

  it('an unfinished character at the end flushes as U+FFFD, and the decoder starts clean', () => {
    const decoder = new Utf8ChunkDecoder();
    expect(decoder.decode(utf8.encode('€').subarray(0, 2))).toBe('');
    expect(decoder.flush()).toBe('\uFFFD');
    expect(decoder.flush()).toBe('');
    expect(decoder.decode(utf8.encode('ok'))).toBe('ok');
  });

  it('keeps a BOM (the parser strips it)', () => {
    expect(decodeAll([utf8.encode('\uFEFFa'.repeat(30))])).toBe('\uFEFFa'.repeat(30));
  });

  it('matches a streaming TextDecoder on any text and any chunking (small, large, ASCII or not)', () => {
    const text = fc.string({
      unit: fc.oneof(
        { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      ),
      maxLength: 400,
    });
    const junk = fc.uint8Array({ maxLength: 4 });
    fc.assert(
      fc.property(
        fc.tuple(text, junk).chain(([t, j]) => {
          const bytes = Uint8Array.of(...utf8.encode(t), ...j);
          return fc.tuple(
            fc.constant(bytes),
            fc.uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 8 }),
          );
        }),
        ([bytes, cuts]) => {
          const reference = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
          expect(decodeAll(splitBytesAt(bytes, cuts))).toBe(reference);
        },
      ),
      { numRuns: 500 },
    );
  });
});
