import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { base64url, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  AuthConfigError,
  type AuthOptions,
  type Authorizer,
  createAuthorizer,
  createToken,
  HubAuthError,
  type Role,
} from '../../../src/hub/auth/index.js';

const SECRET = 'a-development-secret-of-at-least-32-bytes!';
const OTHER_SECRET = 'another-secret-that-is-also-32-bytes-long!!';

interface Presentation {
  method?: string;
  header?: string;
  query?: string | string[];
  cookie?: string;
  headers?: IncomingHttpHeaders;
}

function request({ method = 'GET', header, query, cookie, headers = {} }: Presentation) {
  const url = new URL('http://hub.test/.well-known/mercure?topic=x');
  for (const q of query === undefined ? [] : Array.isArray(query) ? query : [query]) {
    url.searchParams.append('authorization', q);
  }
  const all: IncomingHttpHeaders = { ...headers };
  if (header !== undefined) all.authorization = header;
  if (cookie !== undefined) all.cookie = cookie;
  return { method, headers: all, url };
}

async function refusal(promise: Promise<Access>): Promise<HubAuthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HubAuthError);
    return error as HubAuthError;
  }
  throw new Error('expected the request to be refused');
}

function hmacToken(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256') {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

async function hmacAuthorizer(extra: Partial<AuthOptions> = {}): Promise<Authorizer> {
  return createAuthorizer({ key: { key: SECRET }, ...extra });
}

describe('token presentation precedence (https://mercure.rocks/spec#authorization: header > query > cookie)', () => {
  let auth: Authorizer;
  let a: string;
  let b: string;
  let c: string;
  beforeAll(async () => {
    auth = await hmacAuthorizer({ publishOrigins: ['https://app.test'] });
    a = await hmacToken({ mercure: { subscribe: ['from-header'] } });
    b = await hmacToken({ mercure: { subscribe: ['from-query'] } });
    c = await hmacToken({ mercure: { subscribe: ['from-cookie'] } });
  });

  it('uses the header when header, query and cookie are all present', async () => {
    const access = await auth.authorize(
      request({ header: `Bearer ${a}`, query: b, cookie: `mercureAuthorization=${c}` }),
      'subscribe',
    );
    expect(access.topics).toEqual(['from-header']);
    expect(access.viaCookie).toBe(false);
  });

  it('uses the query parameter over the cookie', async () => {
    const access = await auth.authorize(
      request({ query: b, cookie: `mercureAuthorization=${c}` }),
      'subscribe',
    );
    expect(access.topics).toEqual(['from-query']);
    expect(access.viaCookie).toBe(false);
  });

  it('falls back to the cookie, among other cookies', async () => {
    const access = await auth.authorize(
      request({ cookie: `theme=dark; mercureAuthorization=${c}; lang=fr` }),
      'subscribe',
    );
    expect(access.topics).toEqual(['from-cookie']);
    expect(access.viaCookie).toBe(true);
  });

  it('honours a configured cookie name and ignores the default one', async () => {
    const custom = await hmacAuthorizer({ cookieName: 'hubToken' });
    const access = await custom.authorize(request({ cookie: `hubToken=${c}` }), 'subscribe');
    expect(access.topics).toEqual(['from-cookie']);
    const err = await refusal(
      custom.authorize(request({ cookie: `mercureAuthorization=${c}` }), 'subscribe'),
    );
    expect(err.status).toBe(401);
  });

  it('a present but invalid header wins: the valid cookie is ignored', async () => {
    const forged = await hmacToken({ mercure: { subscribe: ['*'] } }, OTHER_SECRET);
    const err = await refusal(
      auth.authorize(
        request({ header: `Bearer ${forged}`, cookie: `mercureAuthorization=${c}` }),
        'subscribe',
      ),
    );
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/signature/i);
  });

  it('a malformed Authorization header is a 400 that says what is expected, even with a valid cookie', async () => {
    for (const header of [`Basic ${b}`, 'Bearer', 'Bearer  ', a]) {
      const err = await refusal(
        auth.authorize(request({ header, cookie: `mercureAuthorization=${c}` }), 'subscribe'),
      );
      expect(err.status).toBe(400);
      expect(err.message).toContain('Bearer <JWT>');
    }
  });

  it('accepts the scheme name in any case (RFC 6750)', async () => {
    const access = await auth.authorize(request({ header: `bearer ${a}` }), 'subscribe');
    expect(access.topics).toEqual(['from-header']);
  });

  it('a repeated or empty authorization query parameter is a 400', async () => {
    expect((await refusal(auth.authorize(request({ query: [a, b] }), 'subscribe'))).status).toBe(400);
    expect((await refusal(auth.authorize(request({ query: '' }), 'subscribe'))).status).toBe(400);
  });

  it('never echoes the token in an error message', async () => {
    const forged = await hmacToken({ mercure: { publish: ['*'] } }, OTHER_SECRET);
    for (const presentation of [
      { header: `Bearer ${forged}` },
      { query: forged },
      { header: `Basic ${forged}` },
    ]) {
      const err = await refusal(auth.authorize(request(presentation), 'publish'));
      expect(err.message).not.toContain(forged);
      expect(err.message).not.toContain(forged.split('.')[2]!);
    }
  });
});

describe('anonymous subscribers', () => {
  it('get in with no token and no selectors, only when enabled', async () => {
    const open = await hmacAuthorizer({ anonymous: true });
    expect(await open.authorize(request({}), 'subscribe')).toEqual({
      anonymous: true,
      topics: [],
      payload: undefined,
      expiresAt: undefined,
      viaCookie: false,
    });
    const closed = await hmacAuthorizer();
    const err = await refusal(closed.authorize(request({}), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/No token/);
  });

  it('an invalid token is still refused when anonymous access is on (reference hub behaviour)', async () => {
    const open = await hmacAuthorizer({ anonymous: true });
    const forged = await hmacToken({ mercure: { subscribe: ['*'] } }, OTHER_SECRET);
    expect((await refusal(open.authorize(request({ query: forged }), 'subscribe'))).status).toBe(401);
  });

  it('anonymous access never extends to publishing', async () => {
    const open = await hmacAuthorizer({ anonymous: true });
    expect((await refusal(open.authorize(request({ method: 'POST' }), 'publish'))).status).toBe(401);
  });

  it('with no subscriber key at all, only anonymous subscribers exist', async () => {
    const auth = await createAuthorizer({ publisherKey: { key: SECRET }, anonymous: true });
    expect(auth.canPublish).toBe(true);
    expect(auth.canSubscribe).toBe(true);
    expect((await auth.authorize(request({}), 'subscribe')).anonymous).toBe(true);
    const token = await hmacToken({ mercure: { subscribe: ['*'] } });
    expect((await refusal(auth.authorize(request({ query: token }), 'subscribe'))).status).toBe(401);
  });

  it('without a publisher key, publishing is refused with a 403 naming the missing key', async () => {
    const auth = await createAuthorizer({ subscriberKey: { key: SECRET } });
    expect(auth.canPublish).toBe(false);
    const token = await hmacToken({ mercure: { publish: ['*'] } });
    const err = await refusal(
      auth.authorize(request({ method: 'POST', header: `Bearer ${token}` }), 'publish'),
    );
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/publisher key/);
  });
});

describe('separate publisher and subscriber keys', () => {
  it('verifies each role with its own key only', async () => {
    const auth = await createAuthorizer({
      publisherKey: { key: SECRET },
      subscriberKey: { key: OTHER_SECRET },
    });
    const pub = await hmacToken({ mercure: { publish: ['*'], subscribe: ['*'] } }, SECRET);
    const sub = await hmacToken({ mercure: { publish: ['*'], subscribe: ['*'] } }, OTHER_SECRET);
    expect((await auth.authorize(request({ header: `Bearer ${pub}` }), 'publish')).topics).toEqual(['*']);
    expect((await auth.authorize(request({ header: `Bearer ${sub}` }), 'subscribe')).topics).toEqual(['*']);
    expect((await refusal(auth.authorize(request({ header: `Bearer ${sub}` }), 'publish'))).status).toBe(401);
    expect((await refusal(auth.authorize(request({ header: `Bearer ${pub}` }), 'subscribe'))).status).toBe(
      401,
    );
  });
});

describe('claims extraction', () => {
  let auth: Authorizer;
  beforeAll(async () => {
    auth = await hmacAuthorizer();
  });
  const get = async (claims: Record<string, unknown>, role: Role) =>
    auth.authorize(request({ header: `Bearer ${await hmacToken(claims)}` }), role);

  it('reads publish, subscribe, payload and exp from the mercure claim', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const claims = {
      exp,
      mercure: {
        publish: ['https://ex.com/books/{id}'],
        subscribe: ['https://ex.com/users/kevin'],
        payload: { u: 1 },
      },
    };
    const pub = await get(claims, 'publish');
    expect(pub).toEqual({
      anonymous: false,
      topics: ['https://ex.com/books/{id}'],
      payload: { u: 1 },
      expiresAt: exp * 1000,
      viaCookie: false,
    });
    expect((await get(claims, 'subscribe')).topics).toEqual(['https://ex.com/users/kevin']);
  });

  it('accepts the namespaced claim https://mercure.rocks/', async () => {
    const access = await get({ 'https://mercure.rocks/': { publish: ['a'], payload: 'p' } }, 'publish');
    expect(access.topics).toEqual(['a']);
    expect(access.payload).toBe('p');
  });

  it('a subscriber token without a subscribe claim gets public updates only', async () => {
    expect((await get({ mercure: { publish: ['a'] } }, 'subscribe')).topics).toEqual([]);
    expect((await get({ sub: 'someone' }, 'subscribe')).topics).toEqual([]);
  });

  it('a publisher token without mercure.publish is a 403 saying which claim is missing', async () => {
    for (const claims of [{ sub: 'x' }, { mercure: { subscribe: ['*'] } }, { mercure: { publish: null } }]) {
      const err = await refusal(get(claims, 'publish'));
      expect(err.status).toBe(403);
      expect(err.message).toContain('mercure.publish');
    }
  });

  it('an empty publish claim is kept as [] (the core refuses every topic)', async () => {
    expect((await get({ mercure: { publish: [] } }, 'publish')).topics).toEqual([]);
  });

  it('a claim with the wrong shape is a 401 naming the field', async () => {
    let err = await refusal(get({ mercure: { publish: 'https://ex.com/x' } }, 'publish'));
    expect(err.status).toBe(401);
    expect(err.message).toContain('mercure.publish');
    err = await refusal(get({ mercure: ['publish'] }, 'subscribe'));
    expect(err.message).toContain('"mercure" claim must be an object');
    err = await refusal(
      get({ mercure: { subscribe: Array.from({ length: 1001 }, (_, i) => `t${i}`) } }, 'subscribe'),
    );
    expect(err.message).toMatch(/at most 1000/);
  });
});

describe('token validity', () => {
  let auth: Authorizer;
  beforeAll(async () => {
    auth = await hmacAuthorizer();
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses an expired token, saying when it expired', async () => {
    const token = await hmacToken({ exp: now() - 60, mercure: { subscribe: ['*'] } });
    const err = await refusal(auth.authorize(request({ header: `Bearer ${token}` }), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/expired at \d{4}-/);
  });

  it('refuses a token used before its nbf', async () => {
    const token = await hmacToken({ nbf: now() + 3600, mercure: { subscribe: ['*'] } });
    const err = await refusal(auth.authorize(request({ header: `Bearer ${token}` }), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/not valid before/);
  });

  it('honours the clock tolerance', async () => {
    const lenient = await hmacAuthorizer({ clockToleranceSeconds: 120 });
    const token = await hmacToken({ exp: now() - 30, mercure: { subscribe: ['*'] } });
    expect((await lenient.authorize(request({ query: token }), 'subscribe')).topics).toEqual(['*']);
  });

  it('accepts a token without exp by default (Mercure 0.x), refuses it when exp is required', async () => {
    const token = await hmacToken({ mercure: { subscribe: ['*'] } });
    expect((await auth.authorize(request({ query: token }), 'subscribe')).expiresAt).toBeUndefined();
    const strict = await hmacAuthorizer({ requireExpiration: true });
    const err = await refusal(strict.authorize(request({ query: token }), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/no "exp"/);
  });

  it('refuses a token signed with another key', async () => {
    const token = await hmacToken({ mercure: { subscribe: ['*'] } }, OTHER_SECRET);
    const err = await refusal(auth.authorize(request({ query: token }), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/Bad token signature/);
  });

  it('refuses an unsigned alg:none token', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ mercure: { publish: ['*'], subscribe: ['*'] } }));
    for (const token of [`${header}.${payload}.`, `${header}.${payload}`]) {
      const err = await refusal(auth.authorize(request({ header: `Bearer ${token}` }), 'publish'));
      expect(err.status).toBe(401);
    }
    const err = await refusal(auth.authorize(request({ header: `Bearer ${header}.${payload}.` }), 'publish'));
    expect(err.message).toMatch(/alg: none/);
  });

  it('refuses garbage with a message about the JWT format', async () => {
    const err = await refusal(auth.authorize(request({ header: 'Bearer not-a-jwt' }), 'subscribe'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/compact form/);
  });

  it('names the part of a three-part token that does not decode, instead of calling it not compact', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const cases: [string, RegExp][] = [
      ['abc.def.ghi', /header \(the first part\) is not base64url-encoded JSON/],
      [`${header}.def.ghi`, /payload \(the second part\) is not base64url-encoded JSON/],
      [`${base64url.encode('"text"')}.def.ghi`, /header \(the first part\) is not a JSON object/],
      [`${header}.${base64url.encode('[1]')}.ghi`, /payload \(the second part\) is not a JSON object/],
      ['ab$c.def.ghi', /header \(the first part\) has characters outside base64url/],
      [`${header}.${base64url.encode('{}')}`, /compact form.*2 parts/],
      ['a.b.c.d.e', /encrypted JWT \(JWE, 5 parts\)/],
    ];
    for (const [token, reason] of cases) {
      const err = await refusal(auth.authorize(request({ header: `Bearer ${token}` }), 'subscribe'));
      expect(err.status, token).toBe(401);
      expect(err.message, token).toMatch(reason);
    }
  });

  it('refuses an HS384 token when the secret only allows HS256, listing what is accepted', async () => {
    const token = await hmacToken({ mercure: { subscribe: ['*'] } }, SECRET, 'HS384');
    const err = await refusal(auth.authorize(request({ query: token }), 'subscribe'));
    expect(err.message).toMatch(/HS384 is not accepted.*HS256/);
  });
});

describe('algorithms', () => {
  const claims = { mercure: { publish: ['*'], subscribe: ['*'] } };

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('%s with a %i-byte secret', async (alg, length) => {
    const secret = randomBytes(length);
    const auth = await createAuthorizer({ key: { key: secret, algorithms: [alg] } });
    const token = await new SignJWT(claims).setProtectedHeader({ alg }).sign(secret);
    expect((await auth.authorize(request({ header: `Bearer ${token}` }), 'publish')).topics).toEqual(['*']);
    // One byte short is refused at startup with the rule and a way out.
    await expect(createAuthorizer({ key: { key: secret.subarray(1), algorithms: [alg] } })).rejects.toThrow(
      new RegExp(`${alg} needs at least ${length}`),
    );
  });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('%s with a PEM public key, also from a file', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const pem = await exportSPKI(publicKey);
    const token = await new SignJWT(claims).setProtectedHeader({ alg }).sign(privateKey);
    const auth = await createAuthorizer({ key: { key: pem } });
    expect((await auth.authorize(request({ header: `Bearer ${token}` }), 'publish')).topics).toEqual(['*']);

    const dir = await mkdtemp(join(tmpdir(), 'ssehub-auth-'));
    try {
      await writeFile(join(dir, 'key.pem'), pem);
      const fromFile = await createAuthorizer({
        publisherKey: { keyFile: join(dir, 'key.pem'), algorithms: [alg] },
      });
      expect((await fromFile.authorize(request({ query: token }), 'publish')).topics).toEqual(['*']);
    } finally {
      await rm(dir, { recursive: true });
    }

    // A token from another key pair of the same type is refused.
    const other = await generateKeyPair(alg);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg }).sign(other.privateKey);
    expect((await refusal(auth.authorize(request({ query: forged }), 'publish'))).message).toMatch(
      /signature/,
    );
  });

  it('refuses HS256 signed with the RSA public key as secret (algorithm confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const auth = await createAuthorizer({ key: { key: pem } });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem));
    const err = await refusal(auth.authorize(request({ header: `Bearer ${forged}` }), 'publish'));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/HS256 is not accepted/);
    // And no configuration can bind an HMAC algorithm to a public key.
    await expect(createAuthorizer({ key: { key: pem, algorithms: ['HS256'] } })).rejects.toThrow(
      AuthConfigError,
    );
  });

  it('refuses an ES256 token against an RSA key (algorithm bound to the key type)', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256');
    const auth = await createAuthorizer({ key: { key: await exportSPKI(rsa.publicKey) } });
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    expect((await refusal(auth.authorize(request({ query: token }), 'publish'))).message).toMatch(
      /ES256 is not accepted/,
    );
  });
});

describe('JWKS', () => {
  let dir: string;
  let server: Server;
  let jwksUrl: string;
  let rsa: CryptoKeyPair;
  let ed: CryptoKeyPair;
  let fetches = 0;
  let jwks: { keys: JWK[] };
  const claims = { mercure: { publish: ['*'], subscribe: ['*'] } };

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ed = await generateKeyPair('EdDSA', { extractable: true });
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      ],
    };
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    dir = await mkdtemp(join(tmpdir(), 'ssehub-jwks-'));
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwks));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true });
  });

  const sources = (): [string, AuthOptions['key']][] => [
    ['URL served over HTTP', { jwksUrl }],
    ['file', { jwksFile: join(dir, 'jwks.json') }],
    ['file: URL', { jwksUrl: pathToFileURL(join(dir, 'jwks.json')).href }],
  ];

  it('verifies RS256 and EdDSA tokens by kid from a JWKS (HTTP, file, file: URL)', async () => {
    for (const [, key] of sources()) {
      const auth = await createAuthorizer({ key });
      const rsToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
        .sign(rsa.privateKey);
      const edToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'ed-1' })
        .sign(ed.privateKey);
      expect((await auth.authorize(request({ header: `Bearer ${rsToken}` }), 'publish')).topics).toEqual([
        '*',
      ]);
      expect((await auth.authorize(request({ header: `Bearer ${edToken}` }), 'subscribe')).topics).toEqual([
        '*',
      ]);
    }
    expect(fetches).toBeGreaterThan(0);
  });

  it('refuses a token whose kid is not in the set, and a token signed by an outsider', async () => {
    const outsider = await generateKeyPair('RS256');
    for (const [, key] of sources()) {
      const auth = await createAuthorizer({ key });
      const unknownKid = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'nope' })
        .sign(rsa.privateKey);
      expect((await refusal(auth.authorize(request({ query: unknownKid }), 'publish'))).message).toMatch(
        /No single key/,
      );
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
        .sign(outsider.privateKey);
      expect((await refusal(auth.authorize(request({ query: forged }), 'publish'))).message).toMatch(
        /signature/,
      );
    }
  });

  it('refuses HS256 tokens "signed" with a JWKS public key (Mercure e944c0b)', async () => {
    const auth = await createAuthorizer({ key: { jwksUrl } });
    const pem = await exportSPKI(rsa.publicKey);
    const jwk = JSON.stringify(jwks.keys[0]);
    for (const secret of [pem, jwk]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
        .sign(new TextEncoder().encode(secret));
      expect((await refusal(auth.authorize(request({ query: forged }), 'publish'))).message).toMatch(
        /HS256 is not accepted/,
      );
    }
  });

  it('honours an explicit JWKS allowlist', async () => {
    const auth = await createAuthorizer({ key: { jwksUrl, algorithms: ['EdDSA'] } });
    const rsToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .sign(rsa.privateKey);
    expect((await refusal(auth.authorize(request({ query: rsToken }), 'publish'))).status).toBe(401);
  });

  it('refuses an invalid JWKS file at startup', async () => {
    await writeFile(join(dir, 'bad.json'), '{"nokeys":true}');
    await expect(createAuthorizer({ key: { jwksFile: join(dir, 'bad.json') } })).rejects.toThrow(
      /not a JWK Set/,
    );
    await expect(createAuthorizer({ key: { jwksFile: join(dir, 'missing.json') } })).rejects.toThrow(
      /cannot read/,
    );
  });
});

describe('cookie-authenticated publish (CSRF, Mercure publish_origins)', () => {
  let auth: Authorizer;
  let cookie: string;
  beforeAll(async () => {
    auth = await hmacAuthorizer({ publishOrigins: ['https://app.test'] });
    cookie = `mercureAuthorization=${await hmacToken({ mercure: { publish: ['*'] } })}`;
  });
  const post = (headers: IncomingHttpHeaders) =>
    auth.authorize(request({ method: 'POST', cookie, headers }), 'publish');

  it('refuses a cookie publish with neither Origin nor Referer', async () => {
    const err = await refusal(post({}));
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/Origin or Referer/);
  });

  it('refuses a cookie publish from a foreign Origin, naming it', async () => {
    const err = await refusal(post({ origin: 'https://evil.test' }));
    expect(err.status).toBe(403);
    expect(err.message).toContain('https://evil.test');
  });

  it('refuses a foreign Referer and an unparsable one', async () => {
    expect((await refusal(post({ referer: 'https://evil.test/page' }))).status).toBe(403);
    expect((await refusal(post({ referer: 'not a url' }))).status).toBe(403);
  });

  it('accepts the allowed Origin, or a Referer on the allowed origin', async () => {
    expect((await post({ origin: 'https://app.test' })).viaCookie).toBe(true);
    expect((await post({ referer: 'https://app.test/admin?x=1' })).topics).toEqual(['*']);
  });

  it('the Origin header wins over the Referer', async () => {
    expect((await refusal(post({ origin: 'https://evil.test', referer: 'https://app.test/' }))).status).toBe(
      403,
    );
  });

  it('with no publish origins configured, cookie publishing is refused with that explanation', async () => {
    const strict = await hmacAuthorizer();
    const err = await refusal(
      strict.authorize(
        request({ method: 'POST', cookie, headers: { origin: 'https://app.test' } }),
        'publish',
      ),
    );
    expect(err.message).toMatch(/no publish origins configured/);
  });

  it('`*` allows any origin', async () => {
    const any = await hmacAuthorizer({ publishOrigins: ['*'] });
    const access = await any.authorize(
      request({ method: 'POST', cookie, headers: { origin: 'https://x.test' } }),
      'publish',
    );
    expect(access.viaCookie).toBe(true);
  });

  it('header-authenticated publishes need no Origin', async () => {
    const token = cookie.split('=')[1]!;
    expect(
      (await auth.authorize(request({ method: 'POST', header: `Bearer ${token}` }), 'publish')).topics,
    ).toEqual(['*']);
  });

  it('cookie subscriptions (safe method) need no Origin', async () => {
    const sub = `mercureAuthorization=${await hmacToken({ mercure: { subscribe: ['s'] } })}`;
    expect((await auth.authorize(request({ cookie: sub }), 'subscribe')).topics).toEqual(['s']);
  });
});

describe('configuration errors at startup', () => {
  it.each<[string, AuthOptions, RegExp]>([
    ['short secret', { key: { key: 'too-short' } }, /9 bytes; HS256 needs at least 32/],
    ['empty secret', { key: { key: '' } }, /empty/],
    ['alg none', { key: { key: SECRET, algorithms: ['none'] } }, /"none".*never allowed/],
    ['unknown alg', { key: { key: SECRET, algorithms: ['HS1024'] } }, /unknown algorithm "HS1024"/],
    ['RS256 with a secret', { key: { key: SECRET, algorithms: ['RS256'] } }, /needs a PEM public key/],
    ['two sources', { key: { key: SECRET, jwksUrl: 'https://x.test/jwks' } }, /exactly one of/],
    ['bad JWKS URL', { key: { jwksUrl: 'ftp://x.test/jwks' } }, /invalid JWKS URL/],
    ['missing key file', { key: { keyFile: '/nonexistent/ssehub.key' } }, /cannot read key file/],
    [
      'bad PEM',
      { key: { key: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' } },
      /unreadable PEM/,
    ],
    ['bad cookie name', { key: { key: SECRET }, cookieName: 'a b' }, /not a valid cookie name/],
  ])('%s', async (_name, options, message) => {
    const attempt = createAuthorizer(options);
    await expect(attempt).rejects.toThrow(AuthConfigError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('ES256 on an RSA key is refused with the algorithms that fit', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    await expect(
      createAuthorizer({ key: { key: await exportSPKI(publicKey), algorithms: ['ES256'] } }),
    ).rejects.toThrow(/ES256 does not fit a rsa key; use RS256/);
  });

  it('a key file with a trailing newline holds the secret without it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssehub-key-'));
    try {
      await writeFile(join(dir, 'secret'), `${SECRET}\n`);
      const auth = await createAuthorizer({ key: { keyFile: join(dir, 'secret') } });
      const token = await hmacToken({ mercure: { subscribe: ['*'] } });
      expect((await auth.authorize(request({ query: token }), 'subscribe')).topics).toEqual(['*']);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('createToken', () => {
  it('mints tokens the authoriser accepts (HMAC and PEM private key)', async () => {
    const auth = await hmacAuthorizer();
    const token = await createToken(
      { publish: ['a'], subscribe: ['b'], payload: { n: 1 }, expiresInSeconds: 60 },
      SECRET,
    );
    const access = await auth.authorize(request({ query: token }), 'publish');
    expect(access.topics).toEqual(['a']);
    expect(access.payload).toEqual({ n: 1 });
    expect(access.expiresAt).toBeGreaterThan(Date.now());

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { exportPKCS8 } = await import('jose');
    const es = await createAuthorizer({ key: { key: await exportSPKI(publicKey) } });
    const esToken = await createToken({ subscribe: ['*'] }, await exportPKCS8(privateKey), 'ES256');
    expect((await es.authorize(request({ query: esToken }), 'subscribe')).topics).toEqual(['*']);
  });
});
