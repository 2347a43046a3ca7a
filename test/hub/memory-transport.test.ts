import { describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../src/hub/storage/memory-transport.js';
import { DuplicateUpdateIdError } from '../../src/hub/storage/transport.js';
import type { Update } from '../../src/hub/storage/update.js';

const update = (id: string): Update => ({ id, topics: ['t'], data: id, private: false });

describe('MemoryTransport', () => {
  it('delivers live in dispatch order and replays the same order after an id', async () => {
    const t = new MemoryTransport({ historySize: 100 });
    const seen: string[] = [];
    const stop = t.listen((u) => seen.push(u.id));
    for (const id of ['a', 'b', 'c', 'd']) await t.dispatch(update(id));
    stop();
    await t.dispatch(update('e'));
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect((await t.replay('b', 100)).updates.map((u) => u.id)).toEqual(['c', 'd', 'e']);
    expect((await t.replay('earliest', 100)).updates.map((u) => u.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await t.replay('e', 100)).updates).toEqual([]);
    expect(await t.replay('zzz', 100)).toEqual({ found: false, updates: [] });
    expect(await t.lastEventId()).toBe('e');
  });

  it('bounds history by count, forgetting evicted ids', async () => {
    const t = new MemoryTransport({ historySize: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await t.dispatch(update(id));
    expect(await t.historySize()).toBe(3);
    expect((await t.replay('earliest', 10)).updates.map((u) => u.id)).toEqual(['c', 'd', 'e']);
    expect((await t.replay('b', 10)).found).toBe(false);
    expect((await t.replay('c', 10)).updates.map((u) => u.id)).toEqual(['d', 'e']);
  });

  it('honours the scan bound', async () => {
    const t = new MemoryTransport({ historySize: 100 });
    for (let i = 0; i < 50; i++) await t.dispatch(update(`u${i}`));
    expect((await t.replay('u10', 10)).found).toBe(false);
    expect((await t.replay('u40', 10)).updates).toHaveLength(9);
  });

  it('refuses duplicate ids', async () => {
    const t = new MemoryTransport();
    await t.dispatch(update('x'));
    await expect(t.dispatch(update('x'))).rejects.toBeInstanceOf(DuplicateUpdateIdError);
  });

  it('with no history still delivers live and answers not found for any id', async () => {
    const t = new MemoryTransport({ historySize: 0 });
    const seen: string[] = [];
    t.listen((u) => seen.push(u.id));
    await t.dispatch(update('a'));
    expect(seen).toEqual(['a']);
    expect((await t.replay('a', 10)).found).toBe(false);
    expect(await t.replay('earliest', 10)).toEqual({ found: true, updates: [] });
  });

  it('keeps replaying the right window after dropping far more updates than it holds', async () => {
    // Dropped entries are spliced off the front in chunks: cross that many times, by count and by age.
    let clock = 0;
    const t = new MemoryTransport({ historySize: 700, historyTtlMs: 1000, now: () => clock });
    for (let i = 0; i < 5000; i++) {
      await t.dispatch(update(`u${i}`));
      if (i % 2 === 1) clock += 1;
    }
    // u<i> was accepted at floor(i/2) ms and the clock is at 2500: age keeps u3002.., count keeps 700.
    const held = (await t.replay('earliest', 10_000)).updates.map((u) => u.id);
    expect(held).toEqual(Array.from({ length: 700 }, (_, i) => `u${4300 + i}`));
    expect((await t.replay('u4299', 10_000)).found).toBe(false);
    expect((await t.replay('u4300', 10_000)).updates).toHaveLength(699);
    clock += 849; // 3349: accepted at 2349 ms or before is expired, so u4700 (2350 ms) is the oldest kept.
    expect((await t.replay('earliest', 10_000)).updates.map((u) => u.id)[0]).toBe('u4700');
    expect(await t.historySize()).toBe(300);
  });
});
