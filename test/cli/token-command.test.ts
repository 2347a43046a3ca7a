import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken, parseTokenArguments, TokenCommandError } from '../../src/cli/token-command.js';
import { createAuthorizer } from '../../src/hub/index.js';

const secret = 'a-publisher-secret-of-at-least-32-bytes!';

describe('ssehub token', () => {
  it('separates its own flags from the hub key flags, in both spellings', () => {
    const { request, rest } = parseTokenArguments([
      '--publish',
      'https://example.com/books/{id}',
      '--publish=*',
      '--jwt-key=abc',
      '--subscribe',
      'x',
      '--expires=30m',
      '--jwt-alg',
      'HS512',
    ]);
    expect(request).toEqual({
      publish: ['https://example.com/books/{id}', '*'],
      subscribe: ['x'],
      expiresInSeconds: 1800,
    });
    expect(rest).toEqual(['--jwt-key=abc', '--jwt-alg', 'HS512']);
  });

  it.each([
    [[], 'Say what the token grants'],
    [['--publish'], '--publish needs a value'],
    [['--publish', '*', '--expires', 'soon'], '--expires must be a duration'],
    [['--publish', '*', '--expires', '0h'], '--expires must be a duration'],
    [['--publish', '*', '--payload', '{nope'], '--payload must be JSON'],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    expect(() => parseTokenArguments(argv)).toThrow(TokenCommandError);
    expect(() => parseTokenArguments(argv)).toThrow(message);
  });

  it('mints a token the hub itself accepts, with the claims asked for and an expiry', async () => {
    const { request } = parseTokenArguments(['--publish', '*', '--subscribe', 'https://example.com/{x}']);
    const token = await mintToken(request, { publisherKey: { key: secret }, subscriberKey: undefined });
    const claims = decodeJwt(token) as { mercure: unknown; exp: number; iat: number };
    expect(claims.mercure).toEqual({ publish: ['*'], subscribe: ['https://example.com/{x}'] });
    expect(claims.exp - claims.iat).toBe(3600);
    const authorizer = await createAuthorizer({
      publisherKey: { key: secret },
      subscriberKey: { key: secret },
    });
    const access = await authorizer.authorize(
      {
        headers: { authorization: `Bearer ${token}` },
        url: new URL('http://127.0.0.1/.well-known/mercure'),
        method: 'POST',
      },
      'publish',
    );
    expect(access).toMatchObject({ anonymous: false, topics: ['*'] });
  });

  it('signs a subscriber-only token with the subscriber key, and "never" leaves exp out', async () => {
    const { request } = parseTokenArguments(['--subscribe', '*', '--expires', 'never']);
    const token = await mintToken(request, {
      publisherKey: undefined,
      subscriberKey: { key: secret, algorithms: ['HS384'] },
    });
    expect(decodeProtectedHeader(token).alg).toBe('HS384');
    expect(decodeJwt(token).exp).toBeUndefined();
  });

  it('names an unreadable key file instead of failing with a bare ENOENT', async () => {
    const { request } = parseTokenArguments(['--publish', '*']);
    const missing = join(tmpdir(), 'ssehub-no-such-key.pem');
    await expect(
      mintToken(request, { publisherKey: { keyFile: missing }, subscriberKey: undefined }),
    ).rejects.toThrow(
      new TokenCommandError(
        `Cannot read the publisher key file ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      ),
    );
    const signed = parseTokenArguments(['--publish', '*', '--signing-key-file', missing]).request;
    await expect(
      mintToken(signed, { publisherKey: undefined, subscriberKey: undefined }),
    ).rejects.toBeInstanceOf(TokenCommandError);
  });

  it('explains what to do without a key, with a public key, or with a JWK Set', async () => {
    const { request } = parseTokenArguments(['--publish', '*']);
    await expect(mintToken(request, { publisherKey: undefined, subscriberKey: undefined })).rejects.toThrow(
      /pin one with SSEHUB_JWT_KEY/,
    );
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(
      mintToken(request, { publisherKey: { key: publicPem }, subscriberKey: undefined }),
    ).rejects.toThrow(/--signing-key-file/);
    await expect(
      mintToken(request, {
        publisherKey: { jwksUrl: 'https://id.example/jwks.json' },
        subscriberKey: undefined,
      }),
    ).rejects.toThrow(/identity provider/);
    // With the private key in a file, the token verifies against the public key the hub holds.
    const dir = await mkdtemp(join(tmpdir(), 'ssehub-token-'));
    const file = join(dir, 'private.pem');
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const signed = parseTokenArguments(['--publish', '*', '--signing-key-file', file]).request;
    const token = await mintToken(signed, {
      publisherKey: { key: publicPem, algorithms: ['ES256'] },
      subscriberKey: undefined,
    });
    const authorizer = await createAuthorizer({ publisherKey: { key: publicPem, algorithms: ['ES256'] } });
    const access = await authorizer.authorize(
      {
        headers: { authorization: `Bearer ${token}` },
        url: new URL('http://127.0.0.1/.well-known/mercure'),
        method: 'POST',
      },
      'publish',
    );
    expect(access).toMatchObject({ anonymous: false, topics: ['*'] });
  });
});
