import { describe, expect, it } from 'vitest';
import type { Update } from '../../src/hub/storage/update.js';
import { FrameCache } from '../../src/hub/subscribers/frame-cache.js';

const update = (id: string, data: string, extra: Partial<Update> = {}): Update => ({
  id,
  topics: ['t'],
  data,
  private: false,
  ...extra,
});

describe('FrameCache', () => {
  it('encodes an update once and shares the frame, also for an equal copy (replay from storage)', () => {
    const cache = new FrameCache();
    const u = update('a', 'x\ny', { type: 'note', retry: 5 });
    const frame = cache.get(u);
    expect(frame.text).toBe('event: note\nid: a\nretry: 5\ndata: x\ndata: y\n\n');
    expect(cache.get(u)).toBe(frame);
    expect(cache.get({ ...u })).toBe(frame);
  });

  it('never answers a reused id with the old frame', () => {
    const cache = new FrameCache();
    cache.get(update('a', 'old'));
    expect(cache.get(update('a', 'new')).text).toBe('id: a\ndata: new\n\n');
    expect(cache.get(update('a', 'new', { type: 'x' })).text).toBe('event: x\nid: a\ndata: new\n\n');
  });

  it('stays within its byte budget, evicting the least recently used', () => {
    const cache = new FrameCache(100);
    const a = update('a', 'x'.repeat(30));
    const frameA = cache.get(a);
    cache.get(update('b', 'y'.repeat(30)));
    cache.get(a); // a is now the most recent
    cache.get(update('c', 'z'.repeat(30)));
    expect(cache.bytes).toBeLessThanOrEqual(100);
    expect(cache.get(a)).toBe(frameA);
    expect(cache.get(update('huge', 'h'.repeat(500))).text.length).toBeGreaterThan(500);
    expect(cache.bytes).toBeLessThanOrEqual(100);
  });
});
