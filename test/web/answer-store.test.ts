import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerStore, parseAnswerEventId } from '../../src/web-ui/answer-store.js';
import { DemoHttpError } from '../../src/web-ui/http-error.js';
import { generateAnswer } from '../../src/web-ui/index.js';
import { RateLimiter } from '../../src/web-ui/rate-limiter.js';

describe('AnswerStore: bounded, resumable answers (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('generates every token on its timer and replays from any sequence number', () => {
    const store = new AnswerStore({ tokenIntervalMs: 10 });
    const answer = store.start('hello');
    const tokens = generateAnswer('hello');
    vi.advanceTimersByTime(10 * 3);
    expect(answer.events.map((e) => e.id)).toEqual([0, 1, 2, 3].map((n) => `${answer.id}:${n}`));
    const seen: string[] = [];
    const stop = answer.follow(1, (event) => seen.push(event.id!));
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([`${answer.id}:2`, `${answer.id}:3`, `${answer.id}:4`]);
    stop();
    vi.advanceTimersByTime(10 * (tokens.length + 1));
    expect(answer.finished).toBe(true);
    expect(seen).toHaveLength(3);
    const last = answer.events.at(-1)!;
    expect(last.event).toBe('done');
    expect(answer.events.filter((e) => e.event === 'token').map((e) => JSON.parse(e.data!))).toEqual(tokens);
    store.close();
  });

  it('refuses more concurrent generations than allowed with 503, and forgets the oldest finished answer', () => {
    const store = new AnswerStore({ tokenIntervalMs: 1, maxGenerating: 2, maxAnswers: 2 });
    const first = store.start('one');
    store.start('two');
    expect(() => store.start('three')).toThrow(DemoHttpError);
    try {
      store.start('three');
    } catch (error) {
      expect((error as DemoHttpError).status).toBe(503);
      expect((error as DemoHttpError).retryAfterSeconds).toBeGreaterThan(0);
    }
    vi.advanceTimersByTime(1000);
    const third = store.start('three');
    expect(store.get(first.id)).toBeUndefined();
    expect(store.get(third.id)).toBe(third);
    expect(store.started).toBe(3);
    store.close();
  });

  it('expires finished answers after the retention time', () => {
    const store = new AnswerStore({ tokenIntervalMs: 1, retainMs: 60_000 });
    const answer = store.start('short');
    vi.advanceTimersByTime(1000);
    expect(store.get(answer.id)).toBe(answer);
    vi.advanceTimersByTime(60_001);
    expect(store.get(answer.id)).toBeUndefined();
    store.close();
  });

  it('parses only its own event ids', () => {
    expect(parseAnswerEventId('0190-abc:12')).toEqual({ answer: '0190-abc', seq: 12 });
    for (const bad of [undefined, '', 'abc', 'a:b', 'a:-1', 'a b:1', `${'x'.repeat(65)}:1`, 'a:1234567']) {
      expect(parseAnswerEventId(bad)).toBeUndefined();
    }
  });
});

describe('RateLimiter', () => {
  it('allows `limit` hits per window and key, answers 429 with the wait, and resets after the window', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 10_000, 'messages', 3, () => now);
    limiter.hit('a');
    limiter.hit('a');
    limiter.hit('b');
    now = 4_000;
    let refused: DemoHttpError | undefined;
    try {
      limiter.hit('a');
    } catch (error) {
      refused = error as DemoHttpError;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.retryAfterSeconds).toBe(6);
    expect(refused?.message).toContain('at most 2 per 10 s');
    now = 10_000;
    limiter.hit('a');
  });

  it('tracks a bounded number of keys', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 10_000, 'messages', 2, () => now);
    limiter.hit('a');
    limiter.hit('b');
    // A third key forgets the oldest one, so memory stays bounded; 'a' starts a fresh window.
    limiter.hit('c');
    now = 1;
    limiter.hit('a');
    expect(() => limiter.hit('c')).toThrow(DemoHttpError);
  });
});
