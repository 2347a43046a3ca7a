import type { JWTPayload } from 'jose';
import { LruCache } from '../topics/lru-cache.js';

/** How long a verified token is trusted without re-checking its signature (key rotation, JWKS refresh). */
export const VERIFIED_TOKEN_TTL_MS = 60_000;

/** Tokens longer than this are never cached, so the cache's memory stays bounded (1,000 x 4 KiB). */
const MAX_CACHED_TOKEN_LENGTH = 4096;

interface Entry {
  readonly payload: JWTPayload;
  readonly until: number;
}

/**
 * Remembers tokens whose signature and claims were verified for one role, so a publisher posting many
 * updates with the same token pays for one signature check instead of one per request (a JWS verification
 * costs tens of microseconds, a large share of a publish). The key is the exact token string, so nothing
 * but a byte-identical, already verified token can hit. An entry is trusted until the earliest of its `exp`
 * (minus the clock tolerance) and {@link VERIFIED_TOKEN_TTL_MS}; failures are never cached.
 */
export class VerifiedTokenCache {
  readonly #entries: LruCache<string, Entry>;
  readonly #toleranceMs: number;

  constructor(size: number, clockToleranceSeconds: number) {
    this.#entries = new LruCache(size);
    this.#toleranceMs = clockToleranceSeconds * 1000;
  }

  /** The payload of a token verified recently and still valid now, else undefined. */
  get(token: string, now = Date.now()): JWTPayload | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined || now >= entry.until) return undefined;
    return entry.payload;
  }

  /** Records a token that just passed verification. */
  set(token: string, payload: JWTPayload, now = Date.now()): void {
    if (token.length > MAX_CACHED_TOKEN_LENGTH) return;
    const expiry =
      typeof payload.exp === 'number' ? payload.exp * 1000 + this.#toleranceMs : Number.POSITIVE_INFINITY;
    this.#entries.set(token, { payload, until: Math.min(expiry, now + VERIFIED_TOKEN_TTL_MS) });
  }
}
