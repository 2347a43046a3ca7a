import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wholeMax } from '../../web/src/lib/chart.js';

describe('the dashboard chart scale for whole counts (connections)', () => {
  it('has whole-number ticks at every one of its four grid lines, and fits the value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (value) => {
        const top = wholeMax(value);
        expect(top).toBeGreaterThanOrEqual(value);
        for (let i = 0; i <= 4; i++) expect(Number.isInteger((top * i) / 4)).toBe(true);
      }),
    );
  });

  it.each([
    [0, 4],
    [1, 4],
    [5, 8],
    [9, 12],
    [37, 40],
    [99, 100],
    [1001, 1200],
  ])('%i connections: scale up to %i', (value, top) => {
    expect(wholeMax(value)).toBe(top);
  });
});
