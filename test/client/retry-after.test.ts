import { describe, expect, it } from 'vitest';
import {
  defaultShouldRetry,
  parseRetryAfter,
  SseHttpError,
  SseStalledError,
} from '../../src/client/index.js';
import { isEventStreamType } from '../../src/client/mime.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T06:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('7', 60_000, now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', 60_000, now)).toBe(0);
  });
  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 06:00:30 GMT', 60_000, now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 05:00:00 GMT', 60_000, now)).toBe(0);
  });
  it('caps long waits and ignores garbage', () => {
    expect(parseRetryAfter('999999999', 300_000, now)).toBe(300_000);
    expect(parseRetryAfter('soon', 60_000, now)).toBeUndefined();
    expect(parseRetryAfter('-5', 60_000, now)).toBeUndefined();
    expect(parseRetryAfter(null, 60_000, now)).toBeUndefined();
  });
});

describe('isEventStreamType', () => {
  it('compares the MIME essence only', () => {
    expect(isEventStreamType('text/event-stream')).toBe(true);
    expect(isEventStreamType('text/event-stream;')).toBe(true);
    expect(isEventStreamType('TEXT/Event-Stream ; charset=utf-8')).toBe(true);
    expect(isEventStreamType('text/event-streamx')).toBe(false);
    expect(isEventStreamType('text/plain')).toBe(false);
    expect(isEventStreamType(null)).toBe(false);
  });
});

describe('defaultShouldRetry', () => {
  const http = (status: number) => new SseHttpError(status, '', 'http://x/', new Headers());
  it('retries transient failures and stops on client errors', () => {
    expect([408, 429, 500, 502, 503, 504].map((s) => defaultShouldRetry(http(s)))).toEqual(
      Array(6).fill(true),
    );
    expect([400, 401, 403, 404, 410, 201, 304].map((s) => defaultShouldRetry(http(s)))).toEqual(
      Array(7).fill(false),
    );
    expect(defaultShouldRetry(new SseStalledError(1000))).toBe(true);
  });
  it('explains what to do in the message', () => {
    expect(http(401).message).toMatch(/refresh them in the `headers` hook/);
  });
});
