import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionDeadlines, type DeadlineHolder } from '../../src/hub/http/connection-deadline.js';

/** A connection that records when its deadline was reached (fake clock ms). */
function holder(name: string, reached: string[]): DeadlineHolder & { name: string } {
  return {
    name,
    deadlineAt: Number.POSITIVE_INFINITY,
    deadlineSlot: -1,
    deadlineReached() {
      reached.push(`${name}@${Date.now()}`);
    },
  };
}

describe('ConnectionDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reaches each deadline once, at its time, in deadline order, on one timer', () => {
    const reached: string[] = [];
    const deadlines = new ConnectionDeadlines();
    deadlines.add(holder('c', reached), 1_000_300);
    deadlines.add(holder('a', reached), 1_000_100);
    deadlines.add(holder('b', reached), 1_000_200);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(150);
    expect(reached).toEqual(['a@1000100']);
    vi.advanceTimersByTime(1_000);
    expect(reached).toEqual(['a@1000100', 'b@1000200', 'c@1000300']);
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the earlier of two deadlines for one connection (token exp before the maximum lifetime)', () => {
    const reached: string[] = [];
    const deadlines = new ConnectionDeadlines();
    const a = holder('a', reached);
    deadlines.add(a, 1_000_500);
    deadlines.add(a, 1_000_200);
    deadlines.add(a, 1_000_900);
    vi.advanceTimersByTime(1_000);
    expect(reached).toEqual(['a@1000200']);
  });

  it('reaches a deadline already past at once, before add returns, and forgets its later one', () => {
    const reached: string[] = [];
    const deadlines = new ConnectionDeadlines();
    const a = holder('a', reached);
    deadlines.add(a, 1_000_500);
    deadlines.add(a, 999_000);
    expect(reached).toEqual(['a@1000000']);
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a removed connection and disarms when none is left', () => {
    const reached: string[] = [];
    const deadlines = new ConnectionDeadlines();
    const a = holder('a', reached);
    const b = holder('b', reached);
    deadlines.add(a, 1_000_100);
    deadlines.add(b, 1_000_200);
    deadlines.remove(a);
    deadlines.remove(a);
    vi.advanceTimersByTime(1_000);
    expect(reached).toEqual(['b@1000200']);
    deadlines.add(a, 1_002_000);
    deadlines.remove(a);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reaches a deadline beyond setTimeout range (about 24.8 days) by re-arming', () => {
    const reached: string[] = [];
    const deadlines = new ConnectionDeadlines();
    const at = 1_000_000 + 40 * 24 * 3_600_000;
    deadlines.add(holder('far', reached), at);
    vi.advanceTimersByTime(30 * 24 * 3_600_000);
    expect(reached).toEqual([]);
    vi.advanceTimersByTime(10 * 24 * 3_600_000);
    expect(reached).toEqual([`far@${at}`]);
  });

  it('whatever the order of adds and removes, reaches exactly the connections left, in deadline order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.boolean()), { maxLength: 60 }),
        (ops) => {
          const start = Date.now();
          const reached: string[] = [];
          const deadlines = new ConnectionDeadlines();
          const holders = ops.map(([delay], i) => {
            const h = holder(`h${i}`, reached);
            deadlines.add(h, start + delay);
            return h;
          });
          ops.forEach(([, removed], i) => {
            if (removed) deadlines.remove(holders[i]!);
          });
          vi.advanceTimersByTime(10_001);
          const expected = ops
            .map(([delay, removed], i) => ({ delay, removed, i }))
            .filter((o) => !o.removed)
            .sort((x, y) => x.delay - y.delay)
            .map((o) => o.delay);
          const got = reached.map((r) => Number(r.split('@')[1]) - start);
          expect(got).toEqual(expected);
          expect(new Set(reached.map((r) => r.split('@')[0])).size).toBe(reached.length);
          expect(deadlines.size).toBe(0);
        },
      ),
    );
  });
});
