import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantsOf } from '../../../src/hub/auth/access.js';
import {
  type AuthOptions,
  createAuthorizer,
  createToken,
  HubAuthError,
  type Role,
} from '../../../src/hub/auth/index.js';
import { accessToken, detail, ISSUER, ISSUER_SECRET } from './tokens.js';

/**
 * Mercure 1.0 §Token Validation (https://mercure.rocks/spec#token-validation) and §Presenting the Access
 * Token: every rejection reason, one row each, against the real authoriser.
 */

const HUB = 'https://hub.example.com/.well-known/mercure';
const OTHER_ISSUER = 'https://other.example.com';
const OTHER_SECRET = 'other-issuer-secret-long-enough-for-hs256-0123456789abcdef';
const LEGACY_SECRET = 'legacy-0x-secret-that-is-long-enough-for-hs256-0123456789';
const SUBSCRIBE_ALL = [detail(['subscribe'], [{ match: '*' }])];

const OPTIONS: AuthOptions = {
  trustedIssuers: [
    { issuer: ISSUER, key: { key: ISSUER_SECRET, algorithms: ['HS256'] } },
    { issuer: OTHER_ISSUER, key: { key: OTHER_SECRET } },
  ],
};

async function authorize(
  headers: Record<string, string>,
  options: AuthOptions = OPTIONS,
  role: Role = 'subscribe',
  query = '',
) {
  const authorizer = await createAuthorizer(options);
  return authorizer.authorize(
    { method: 'GET', headers, url: new URL(`${HUB}${query}`), resource: HUB },
    role,
  );
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HubAuthError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('§Token Validation: accepted access tokens', () => {
  it.each([
    ['typ at+jwt', {}],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }],
    ['typ AT+JWT (case-insensitive)', { typ: 'AT+JWT' }],
    ['aud as an array containing the resource identifier', { aud: ['https://x.example', HUB] }],
  ])('%s', async (_, init) => {
    const token = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL, ...init });
    const access = await authorize(bearer(token));
    expect(access.generation).toBe('1.0');
    expect(grantsOf(access)).toEqual([{ type: 'exact', pattern: '*' }]);
    expect(access.expiresAt).toBeGreaterThan(Date.now());
  });

  it('each issuer is verified with its own key', async () => {
    const token = await accessToken({
      aud: HUB,
      iss: OTHER_ISSUER,
      secret: OTHER_SECRET,
      details: SUBSCRIBE_ALL,
    });
    expect((await authorize(bearer(token))).generation).toBe('1.0');
  });
});

describe('§Token Validation: every rejection reason is a 401 saying what is wrong', () => {
  const rows: [string, () => Promise<string>, RegExp][] = [
    [
      'typ is JWT (an ID token or a 0.x token, on a 1.0-only hub)',
      () => accessToken({ aud: HUB, typ: 'JWT' }),
      /at\+jwt/,
    ],
    [
      'alg none',
      async () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc({ iss: ISSUER, aud: HUB, exp: 2e9 })}.`;
      },
      /none|Unsigned/,
    ],
    [
      'alg outside the issuer allowlist (HS384 where HS256 is listed)',
      () => accessToken({ aud: HUB, alg: 'HS384' }),
      /algorithm HS384/,
    ],
    ['no iss', () => accessToken({ aud: HUB, extra: { iss: undefined } }), /iss/],
    [
      'iss not a trusted issuer',
      () => accessToken({ aud: HUB, iss: 'https://evil.example' }),
      /not a trusted issuer/,
    ],
    [
      'signed by another trusted issuer under this iss',
      () => accessToken({ aud: HUB, secret: OTHER_SECRET }),
      /signature/,
    ],
    ['no aud', () => accessToken({ aud: HUB, extra: { aud: undefined } }), /aud/],
    [
      'aud for another hub',
      () => accessToken({ aud: 'https://other-hub.example/.well-known/mercure' }),
      /audience/,
    ],
    ['no exp', () => accessToken({ aud: HUB, expiresIn: null }), /exp/],
    ['expired', () => accessToken({ aud: HUB, expiresIn: -60 }), /expired/],
    ['nbf in the future', () => accessToken({ aud: HUB, notBeforeIn: 600 }), /nbf/],
    ['not a JWT at all', async () => 'not-a-jwt', /Malformed|at\+jwt/],
  ];
  it.each(rows)('%s', async (_, make, reason) => {
    const { status, message } = await refusal(authorize(bearer(await make())));
    expect(status).toBe(401);
    expect(message).toMatch(reason);
  });

  it('key material carried by the token itself (a jwk header) is never used', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      iss: ISSUER,
      aud: HUB,
      exp: now + 60,
      authorization_details: SUBSCRIBE_ALL,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const { status } = await refusal(authorize(bearer(forged)));
    expect(status).toBe(401);
  });

  it('an at+jwt token is refused by a hub that trusts no issuer', async () => {
    const token = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const { status, message } = await refusal(authorize(bearer(token), { key: { key: LEGACY_SECRET } }));
    expect(status).toBe(401);
    expect(message).toMatch(/trusts no issuer/);
  });

  it('the resource identifier defaults to the request origin followed by /.well-known/mercure', async () => {
    const authorizer = await createAuthorizer(OPTIONS);
    const token = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const request = (url: string) => ({ method: 'GET', headers: bearer(token), url: new URL(url) });
    expect((await authorizer.authorize(request(`${HUB}?match=x`), 'subscribe')).generation).toBe('1.0');
    const { status } = await refusal(
      authorizer.authorize(request('https://elsewhere.example/.well-known/mercure'), 'subscribe'),
    );
    expect(status).toBe(401);
  });
});

describe('§Presenting the Access Token', () => {
  it.each([
    ['the 0.x authorization query parameter carrying an access token', '?authorization='],
    ['the RFC 6750 access_token query parameter', '?access_token='],
  ])('%s is refused with 400 (invalid_request: no token in URLs)', async (_, query) => {
    const token = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const { status } = await refusal(authorize({}, OPTIONS, 'subscribe', `${query}${token}`));
    expect(status).toBe(400);
  });

  it('the __Secure-mercure_access_token cookie carries the token', async () => {
    const token = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const access = await authorize({ cookie: `__Secure-mercure_access_token=${token}` });
    expect(access).toMatchObject({ generation: '1.0', viaCookie: true });
  });

  it('with an Authorization header the cookie is ignored, even a valid one', async () => {
    const good = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const bad = await accessToken({ aud: HUB, expiresIn: -60 });
    const { status } = await refusal(
      authorize({ ...bearer(bad), cookie: `__Secure-mercure_access_token=${good}` }),
    );
    expect(status).toBe(401);
    const access = await authorize({ ...bearer(good), cookie: `__Secure-mercure_access_token=${bad}` });
    expect(access.viaCookie).toBe(false);
  });

  it('the 1.0 cookie wins over the 0.x cookie when a browser carries both', async () => {
    const modern = await accessToken({ aud: HUB, details: SUBSCRIBE_ALL });
    const legacy = await createToken({ subscribe: ['*'] }, LEGACY_SECRET);
    const access = await authorize(
      { cookie: `mercureAuthorization=${legacy}; __Secure-mercure_access_token=${modern}` },
      { ...OPTIONS, key: { key: LEGACY_SECRET } },
    );
    expect(access.generation).toBe('1.0');
  });

  it('0.x tokens keep working next to 1.0 ones on the same authoriser', async () => {
    const legacy = await createToken({ subscribe: ['https://example.com/{id}'] }, LEGACY_SECRET);
    const access = await authorize(bearer(legacy), { ...OPTIONS, key: { key: LEGACY_SECRET } });
    expect(access.generation).toBeUndefined();
    expect(grantsOf(access)).toEqual([{ type: 'topic', pattern: 'https://example.com/{id}' }]);
  });

  it("a missing token is a 401 naming both generations' ways to send one", async () => {
    const { status, message } = await refusal(authorize({}));
    expect(status).toBe(401);
    expect(message).toMatch(/__Secure-mercure_access_token/);
  });
});

describe('trusted issuers configuration', () => {
  it('refuses a repeated or empty issuer at startup', async () => {
    await expect(
      createAuthorizer({ trustedIssuers: [OPTIONS.trustedIssuers![0]!, OPTIONS.trustedIssuers![0]!] }),
    ).rejects.toThrow(/twice/);
    await expect(
      createAuthorizer({ trustedIssuers: [{ issuer: '', key: { key: ISSUER_SECRET } }] }),
    ).rejects.toThrow(/non-empty/);
  });

  it('an issuer may be an authorization server known by its JWK Set (ES256 here)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const dir = await mkdtemp(join(tmpdir(), 'ssehub-jwks-'));
    const jwksFile = join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    const as = 'https://as.example.com';
    const authorizer = await createAuthorizer({
      trustedIssuers: [{ issuer: as, key: { jwksFile }, authorizationServer: true }],
    });
    expect(authorizer.protectedResource?.authorizationServers).toEqual([as]);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      iss: as,
      aud: HUB,
      exp: now + 60,
      sub: 's',
      authorization_details: SUBSCRIBE_ALL,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
      .sign(privateKey);
    const access = await authorizer.authorize(
      { method: 'GET', headers: bearer(token), url: new URL(HUB) },
      'subscribe',
    );
    expect(access.generation).toBe('1.0');
    await rm(dir, { recursive: true });
  });
});
