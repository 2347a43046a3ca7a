import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { MERCURE_1 } from '../../../src/hub/mercure-1-names.js';

/** Issuer of the test hubs' Mercure 1.0 access tokens (a self-issuing publisher with a shared secret). */
export const ISSUER = 'https://app.example.com';
/** Its HMAC secret (long enough for HS512). */
export const ISSUER_SECRET = 'issuer-secret-that-is-long-enough-for-hs512-0123456789abcdef0123456789abcdef';

/** One Mercure authorization detail. */
export function detail(
  actions: readonly string[],
  topics: readonly { match: string; match_type?: string }[],
  payload?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    type: MERCURE_1.authorizationDetailType,
    actions,
    topics,
    ...(payload ? { payload } : {}),
  };
}

/** Options of {@link accessToken}; every claim RFC 9068 asks issuers for is set unless overridden. */
export interface AccessTokenInit {
  aud: string | string[];
  details?: readonly unknown[];
  iss?: string;
  typ?: string;
  /** Seconds from now; `null` leaves `exp` out. Default 300. */
  expiresIn?: number | null;
  notBeforeIn?: number;
  secret?: string;
  alg?: 'HS256' | 'HS384';
  extra?: JWTPayload;
}

/** Mints a Mercure 1.0 access token (RFC 9068 `at+jwt`) signed with {@link ISSUER_SECRET}. */
export function accessToken(init: AccessTokenInit): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: init.iss ?? ISSUER,
    aud: init.aud,
    sub: `urn:uuid:${randomUUID()}`,
    client_id: ISSUER,
    iat: now,
    jti: `urn:uuid:${randomUUID()}`,
    ...(init.expiresIn === null ? {} : { exp: now + (init.expiresIn ?? 300) }),
    ...(init.notBeforeIn !== undefined ? { nbf: now + init.notBeforeIn } : {}),
    ...(init.details !== undefined ? { authorization_details: init.details } : {}),
    ...init.extra,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: init.alg ?? 'HS256', typ: init.typ ?? 'at+jwt' })
    .sign(new TextEncoder().encode(init.secret ?? ISSUER_SECRET));
}
