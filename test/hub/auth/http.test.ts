import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/hub/auth/index.js';
import { type RunningHub, SECRET, startHub, subscribe, subscribeUrl } from '../support/harness.js';

/**
 * The authoriser wired into a real hub, over real HTTP (node:http requests, so every header, Origin
 * included, is exactly what the test sends): statuses and reasons reach the client unchanged.
 */

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request; for event streams, resolves with the head and the first chunk, then hangs up. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode!, headers: res.headers, body: text });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const TOPIC = 'https://example.com/books/1';
const FORM = `topic=${encodeURIComponent(TOPIC)}&data=hello`;
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const SUBSCRIBE_PATH = `/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`;

describe('authorisation over HTTP (HMAC key, cookie publish allowed from one origin)', () => {
  let h: RunningHub;
  let publisher: string;
  let subscriber: string;
  beforeAll(async () => {
    h = await startHub(
      {},
      { key: { key: SECRET }, publishOrigins: ['https://app.example'], anonymous: false },
    );
    publisher = await createToken({ publish: ['*'], subscribe: ['*'] }, SECRET);
    subscriber = await createToken({ subscribe: ['*'] }, SECRET);
  });
  afterAll(() => h.close());

  it('subscribes with the token from the header, the query or the cookie', async () => {
    for (const [path, headers] of [
      [SUBSCRIBE_PATH, { authorization: `Bearer ${subscriber}` }],
      [`${SUBSCRIBE_PATH}&authorization=${subscriber}`, {}],
      [SUBSCRIBE_PATH, { cookie: `mercureAuthorization=${subscriber}` }],
    ] as const) {
      const answer = await send(h.base, 'GET', path, headers);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    }
  });

  it('a present but invalid header is not rescued by a valid cookie or query token', async () => {
    const forged = await createToken({ subscribe: ['*'] }, 'another-secret-that-is-32-bytes-long!!');
    let answer = await send(h.base, 'GET', `${SUBSCRIBE_PATH}&authorization=${subscriber}`, {
      authorization: `Bearer ${forged}`,
      cookie: `mercureAuthorization=${subscriber}`,
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatch(/Bad token signature/);
    answer = await send(h.base, 'GET', SUBSCRIBE_PATH, {
      authorization: `Basic ${subscriber}`,
      cookie: `mercureAuthorization=${subscriber}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Bearer <JWT>');
  });

  it('expired, wrong-key and alg:none tokens get 401 with the reason, never the token', async () => {
    const expired = await createToken({ publish: ['*'], expiresInSeconds: -60 }, SECRET);
    const wrongKey = await createToken({ publish: ['*'] }, 'another-secret-that-is-32-bytes-long!!');
    const none = `${base64url.encode('{"alg":"none"}')}.${base64url.encode('{"mercure":{"publish":["*"]}}')}.`;
    for (const [token, reason] of [
      [expired, /expired at/],
      [wrongKey, /Bad token signature/],
      [none, /alg: none/],
    ] as const) {
      const answer = await send(
        h.base,
        'POST',
        '/.well-known/mercure',
        { ...FORM_TYPE, authorization: `Bearer ${token}` },
        FORM,
      );
      expect(answer.status).toBe(401);
      expect(answer.body).toMatch(reason);
      expect(answer.body).not.toContain(token);
    }
  });

  it('a subscriber token cannot publish: 403 naming the missing claim', async () => {
    const answer = await send(
      h.base,
      'POST',
      '/.well-known/mercure',
      { ...FORM_TYPE, authorization: `Bearer ${subscriber}` },
      FORM,
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('mercure.publish');
  });

  it('cookie publish: refused without Origin/Referer and from a foreign origin, accepted from the allowed one', async () => {
    const cookie = `mercureAuthorization=${publisher}`;
    const post = (headers: Record<string, string>) =>
      send(h.base, 'POST', '/.well-known/mercure', { ...FORM_TYPE, cookie, ...headers }, FORM);

    let answer = await post({});
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/Origin or Referer/);
    answer = await post({ origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('https://evil.example');
    answer = await post({ referer: 'https://evil.example/form' });
    expect(answer.status).toBe(403);

    const listener = await subscribe(subscribeUrl(h.base, [TOPIC]), {
      authorization: `Bearer ${subscriber}`,
    });
    answer = await post({ origin: 'https://app.example' });
    expect(answer.status).toBe(200);
    answer = await post({ referer: 'https://app.example/admin' });
    expect(answer.status).toBe(200);
    const events = await listener.waitFor(2);
    expect(events.map((e) => e.data)).toEqual(['hello', 'hello']);
    listener.abort();
  });

  it('the same token in the Authorization header needs no Origin', async () => {
    const answer = await send(
      h.base,
      'POST',
      '/.well-known/mercure',
      { ...FORM_TYPE, authorization: `Bearer ${publisher}` },
      FORM,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^urn:uuid:/);
  });
});

describe('authorisation over HTTP with keys from a JWKS endpoint', () => {
  let jwks: Server;
  let h: RunningHub;
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    const set = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256' },
      ],
    };
    jwks = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(set)),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    h = await startHub({}, { publisherKey: { jwksUrl }, subscriberKey: { jwksUrl } });
  });
  afterAll(async () => {
    await h.close();
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('publishes with RS256 and subscribes with ES256 tokens from the identity provider', async () => {
    const pub = await new SignJWT({ mercure: { publish: [TOPIC] } })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa' })
      .sign(rsa.privateKey);
    const sub = await new SignJWT({ mercure: { subscribe: [TOPIC] } })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec' })
      .sign(ec.privateKey);
    const listener = await subscribe(subscribeUrl(h.base, [TOPIC]), { authorization: `Bearer ${sub}` });
    expect(listener.response.status).toBe(200);
    const answer = await send(
      h.base,
      'POST',
      '/.well-known/mercure',
      { ...FORM_TYPE, authorization: `Bearer ${pub}` },
      `${FORM}&private=on`,
    );
    expect(answer.status).toBe(200);
    expect((await listener.waitFor(1))[0]!.data).toBe('hello');
    listener.abort();
  });

  it('refuses an HS256 token forged with the public key (algorithm confusion)', async () => {
    const jwk = JSON.stringify(await exportJWK(rsa.publicKey));
    const forged = await new SignJWT({ mercure: { publish: ['*'] } })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa' })
      .sign(new TextEncoder().encode(jwk));
    const answer = await send(
      h.base,
      'POST',
      '/.well-known/mercure',
      { ...FORM_TYPE, authorization: `Bearer ${forged}` },
      FORM,
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatch(/HS256 is not accepted/);
  });
});
