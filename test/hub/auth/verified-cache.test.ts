import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthorizer, createToken } from '../../../src/hub/auth/index.js';
import { VERIFIED_TOKEN_TTL_MS, VerifiedTokenCache } from '../../../src/hub/auth/verified-cache.js';

const SECRET = 'a-development-secret-of-at-least-32-bytes!';
const OTHER = 'another-secret-that-is-also-32-bytes-long!!';
const request = (token: string) => ({
  method: 'GET',
  headers: { authorization: `Bearer ${token}` },
  url: new URL('http://hub.test/.well-known/mercure?topic=x'),
});

afterEach(() => {
  vi.useRealTimers();
});

describe('VerifiedTokenCache', () => {
  const now = 1_800_000_000_000;

  it('trusts an entry until the TTL', () => {
    const cache = new VerifiedTokenCache(10, 0);
    cache.set('t', { sub: 'a' }, now);
    expect(cache.get('t', now + VERIFIED_TOKEN_TTL_MS - 1)).toEqual({ sub: 'a' });
    expect(cache.get('t', now + VERIFIED_TOKEN_TTL_MS)).toBeUndefined();
    expect(cache.get('other', now)).toBeUndefined();
  });

  it('never past exp (plus the clock tolerance)', () => {
    const exp = now / 1000 + 5;
    const strict = new VerifiedTokenCache(10, 0);
    strict.set('t', { exp }, now);
    expect(strict.get('t', now + 4_999)).toBeDefined();
    expect(strict.get('t', now + 5_000)).toBeUndefined();
    const lenient = new VerifiedTokenCache(10, 2);
    lenient.set('t', { exp }, now);
    expect(lenient.get('t', now + 6_999)).toBeDefined();
    expect(lenient.get('t', now + 7_000)).toBeUndefined();
  });

  it('is bounded and skips huge tokens', () => {
    const cache = new VerifiedTokenCache(2, 0);
    cache.set('a', {}, now);
    cache.set('b', {}, now);
    cache.set('c', {}, now);
    expect(cache.get('a', now)).toBeUndefined();
    expect(cache.get('c', now)).toBeDefined();
    cache.set('x'.repeat(5000), {}, now);
    expect(cache.get('x'.repeat(5000), now)).toBeUndefined();
  });
});

describe('the authoriser with its verified-token cache', () => {
  it('a cached token is still refused once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const auth = await createAuthorizer({ key: { key: SECRET } });
    const token = await createToken({ subscribe: ['*'], expiresInSeconds: 10 }, SECRET);
    expect((await auth.authorize(request(token), 'subscribe')).topics).toEqual(['*']);
    expect((await auth.authorize(request(token), 'subscribe')).topics).toEqual(['*']);
    vi.setSystemTime(new Date('2030-01-01T00:00:11Z'));
    await expect(auth.authorize(request(token), 'subscribe')).rejects.toThrow(/expired/);
  });

  it('a token verified for one role is not trusted for the other role', async () => {
    const auth = await createAuthorizer({ publisherKey: { key: SECRET }, subscriberKey: { key: OTHER } });
    const token = await createToken({ publish: ['*'], subscribe: ['*'] }, SECRET);
    expect((await auth.authorize(request(token), 'publish')).topics).toEqual(['*']);
    await expect(auth.authorize(request(token), 'subscribe')).rejects.toThrow(/signature/);
  });

  it('the cookie Origin check still runs for a cached token', async () => {
    const auth = await createAuthorizer({ key: { key: SECRET }, publishOrigins: ['https://app.test'] });
    const token = await createToken({ publish: ['*'] }, SECRET);
    const cookie = (origin?: string) => ({
      method: 'POST',
      headers: { cookie: `mercureAuthorization=${token}`, ...(origin ? { origin } : {}) },
      url: new URL('http://hub.test/.well-known/mercure'),
    });
    expect((await auth.authorize(cookie('https://app.test'), 'publish')).viaCookie).toBe(true);
    await expect(auth.authorize(cookie('https://evil.test'), 'publish')).rejects.toThrow(/not allowed/);
    await expect(auth.authorize(cookie(), 'publish')).rejects.toThrow(/Origin or Referer/);
  });

  it('can be disabled, and refuses a bad size', async () => {
    const auth = await createAuthorizer({ key: { key: SECRET }, verifiedTokenCacheSize: 0 });
    const token = await createToken({ subscribe: ['a'] }, SECRET);
    expect((await auth.authorize(request(token), 'subscribe')).topics).toEqual(['a']);
    await expect(createAuthorizer({ key: { key: SECRET }, verifiedTokenCacheSize: -1 })).rejects.toThrow(
      /verifiedTokenCacheSize/,
    );
  });
});
