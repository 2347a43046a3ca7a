import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Algorithm } from './algorithms.js';

/** The Mercure claim and lifetime of a token to mint. */
export interface TokenClaims {
  /** Selectors the bearer may publish to (`mercure.publish`). */
  readonly publish?: readonly string[];
  /** Selectors the bearer may receive private updates for (`mercure.subscribe`). */
  readonly subscribe?: readonly string[];
  /** Arbitrary JSON echoed in subscription events (`mercure.payload`). */
  readonly payload?: unknown;
  /** Lifetime in seconds from now; omitted = no `exp` (accepted by Mercure 0.x hubs). */
  readonly expiresInSeconds?: number;
}

/**
 * Mints a Mercure token (the `ssehub` command prints them in development mode; tests use it).
 * `key` is an HMAC secret (string or bytes) or a PEM private key / KeyObject for asymmetric algorithms.
 */
export async function createToken(
  claims: TokenClaims,
  key: string | Uint8Array | KeyObject,
  alg: Algorithm = 'HS256',
): Promise<string> {
  const mercure: Record<string, unknown> = {};
  if (claims.publish) mercure.publish = [...claims.publish];
  if (claims.subscribe) mercure.subscribe = [...claims.subscribe];
  if (claims.payload !== undefined) mercure.payload = claims.payload;
  let signingKey: Uint8Array | KeyObject;
  if (typeof key === 'string') {
    signingKey = key.trimStart().startsWith('-----BEGIN')
      ? createPrivateKey(key)
      : new TextEncoder().encode(key);
  } else {
    signingKey = key;
  }
  const jwt = new SignJWT({ mercure }).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt();
  if (claims.expiresInSeconds !== undefined) {
    jwt.setExpirationTime(Math.floor(Date.now() / 1000) + claims.expiresInSeconds);
  }
  return jwt.sign(signingKey);
}
