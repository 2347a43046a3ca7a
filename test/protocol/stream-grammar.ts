/**
 * fast-check generators for event streams, following the grammar of https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream) and
 * deliberately wandering off it: unknown and near-miss field names, bare fields, junk retry values, NUL in
 * ids, extra BOMs, all three line ends, unterminated tails.
 */
import fc from 'fast-check';

/** One UTF-16-safe "character" for values: weighted towards the characters the parser cares about. */
const valueChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(' ', ':', '\0', '\uFEFF', '😀', 'é', '€', '\u2028', '\u0085', '\t'),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** A field value: any text without CR or LF (those would end the line). */
export const fieldValue: fc.Arbitrary<string> = fc
  .array(valueChar, { maxLength: 12 })
  .map((cs) => cs.join('').replace(/[\r\n]/g, ''));

const fieldName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('data', 'event', 'id', 'retry') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('Data', ' data', 'data\0', 'da-ta', 'ID', 'retry ', '\uFEFFdata', 'x'),
  },
);

const retryValue = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  fc.constantFrom('', '02000', '1000x', ' 1000', '-1', '+1', '1e3', '1.5', '\u0661\u0662', '9'.repeat(30)),
);

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

/** One line without its line end. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fieldValue.map((v) => `:${v}`) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fieldName, fc.constantFrom(': ', ':', ''), fieldValue, retryValue)
      .map(([name, sep, value, retry]) => {
        if (sep === '') return name;
        return `${name}${sep}${name === 'retry' ? retry : value}`;
      }),
  },
);

/** A whole stream: optional BOM(s), lines with mixed line ends, maybe an unterminated tail. */
export const eventStream: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '', '', '\uFEFF', '\uFEFF\uFEFF'),
    fc.array(fc.tuple(line, lineEnd), { maxLength: 30 }),
    fc.option(line, { nil: undefined }),
  )
  .map(([bom, lines, tail]) => bom + lines.map(([l, e]) => l + e).join('') + (tail ?? ''));

/** Split points for a stream of `length` units: sorted, unique, strictly inside. */
export function cutsFor(length: number): fc.Arbitrary<number[]> {
  if (length < 2) return fc.constant([]);
  return fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: Math.min(length - 1, 20) });
}
