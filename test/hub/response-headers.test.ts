import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHub, SECRET, startHub, subscribe, subscribeUrl } from './support/harness.js';

/**
 * The subscribe response's caching header: the reference hub's value (https://mercure.rocks/spec#subscription) plus
 * `no-transform`, which keeps `compression` and transforming proxies from holding events back.
 */
const MERCURE_CACHE_CONTROL = 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform';

let h: RunningHub;
beforeEach(async () => {
  h = await startHub({}, { key: { key: SECRET }, anonymous: true });
});
afterEach(() => h.close());

describe('subscribe response headers (https://mercure.rocks/spec#subscription)', () => {
  it("answers Mercure's Cache-Control, not the server library's default, on a fresh and a resumed stream", async () => {
    const fresh = await subscribe(subscribeUrl(h.base, ['t']));
    expect(fresh.response.headers.get('cache-control')).toBe(MERCURE_CACHE_CONTROL);
    expect(fresh.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    fresh.abort();

    const resumed = await subscribe(subscribeUrl(h.base, ['t']), { 'last-event-id': 'earliest' });
    expect(resumed.response.headers.get('cache-control')).toBe(MERCURE_CACHE_CONTROL);
    expect(resumed.response.headers.get('last-event-id')).toBe('earliest');
    resumed.abort();
  });
});
