import { describe, expect, it } from 'vitest';
import { closestName } from '../../src/cli/did-you-mean.js';
import { readMercureEnvironment } from '../../src/cli/mercure-environment.js';

const known = new Set(['SSEHUB_PORT', 'MERCURE_PUBLISHER_JWT_KEY', 'MERCURE_SUBSCRIBER_JWT_KEY']);

describe('an existing Mercure deployment environment', () => {
  it.each([
    [':80', { SSEHUB_HOST: '0.0.0.0', SSEHUB_PORT: '80' }],
    [':3000', { SSEHUB_HOST: '0.0.0.0', SSEHUB_PORT: '3000' }],
    ['http://localhost:3000', { SSEHUB_HOST: '127.0.0.1', SSEHUB_PORT: '3000' }],
    ['http://example.com', { SSEHUB_HOST: '0.0.0.0', SSEHUB_PORT: '80' }],
    ['localhost', { SSEHUB_HOST: '127.0.0.1', SSEHUB_PORT: '443' }],
  ])('SERVER_NAME=%s listens where Caddy would', (value, expected) => {
    expect(readMercureEnvironment({ SERVER_NAME: value }, known).variables).toEqual(expected);
  });

  it('says that automatic HTTPS is not done, and that only the first of several addresses is used', () => {
    const { warnings } = readMercureEnvironment({ SERVER_NAME: 'example.com, www.example.com' }, known);
    expect(warnings).toEqual([
      'SERVER_NAME lists 2 addresses; ssehub listens on the first only',
      'SERVER_NAME=example.com, www.example.com asks Caddy for automatic HTTPS; ssehub obtains no certificates: give it a certificate (--cert/--key) or terminate TLS in a proxy',
    ]);
  });

  it("reads a site's tls <cert> <key> from CADDY_SERVER_EXTRA_DIRECTIVES, and then serves the HTTPS SERVER_NAME asks for", () => {
    const { variables, warnings } = readMercureEnvironment(
      {
        SERVER_NAME: 'hub.example.com',
        CADDY_SERVER_EXTRA_DIRECTIVES: 'tls /etc/caddy/certs/tls.pem /etc/caddy/certs/tls.key\nencode gzip',
      },
      known,
    );
    expect(variables).toEqual({
      SSEHUB_HOST: '0.0.0.0',
      SSEHUB_PORT: '443',
      SSEHUB_CERT: '/etc/caddy/certs/tls.pem',
      SSEHUB_KEY: '/etc/caddy/certs/tls.key',
    });
    expect(warnings).toEqual([
      'CADDY_SERVER_EXTRA_DIRECTIVES: "encode" configures Caddy, not the hub, and is ignored',
    ]);
  });

  it('names a tls directive that asks Caddy for certificates; no HTTPS warning when --cert or SSEHUB_CERT is given', () => {
    expect(readMercureEnvironment({ CADDY_SERVER_EXTRA_DIRECTIVES: 'tls internal' }, known).warnings).toEqual(
      [
        'CADDY_SERVER_EXTRA_DIRECTIVES: "tls internal" asks Caddy to obtain or configure certificates; ssehub reads only "tls <cert file> <key file>" (or --cert/--key)',
      ],
    );
    expect(readMercureEnvironment({ SERVER_NAME: 'hub.example.com' }, known, true).warnings).toEqual([]);
    expect(
      readMercureEnvironment({ SERVER_NAME: 'hub.example.com', SSEHUB_CERT: 'c.pem' }, known).warnings,
    ).toEqual(['SSEHUB_CERT is not a setting ssehub reads; it is ignored (see ssehub --help)']);
  });

  it('maps every MERCURE_EXTRA_DIRECTIVES directive that has an ssehub equivalent', () => {
    const { variables, warnings } = readMercureEnvironment(
      {
        MERCURE_EXTRA_DIRECTIVES: [
          'anonymous',
          'subscriptions',
          'cors_origins https://a.example https://b.example',
          'publish_origins *',
          'heartbeat 15s # a comment',
          'write_timeout 0s',
          'dispatch_timeout 3s',
          'cookie_name mercureAuthorization',
          'publisher_jwt "!ChangeThisMercureHubJWTSecretKey!" HS256',
          'subscriber_jwt sub-secret',
          'transport_url bolt:///data/mercure.db?size=1000',
        ].join('\n'),
      },
      known,
    );
    expect(variables).toEqual({
      SSEHUB_ANONYMOUS: 'true',
      SSEHUB_SUBSCRIPTIONS: 'true',
      SSEHUB_CORS_ORIGINS: 'https://a.example,https://b.example',
      SSEHUB_PUBLISH_ORIGINS: '*',
      SSEHUB_HEARTBEAT: '15s',
      SSEHUB_WRITE_TIMEOUT: '0s',
      SSEHUB_DISPATCH_TIMEOUT: '3s',
      SSEHUB_COOKIE_NAME: 'mercureAuthorization',
      SSEHUB_PUBLISHER_JWT_KEY: '!ChangeThisMercureHubJWTSecretKey!',
      SSEHUB_PUBLISHER_JWT_ALG: 'HS256',
      SSEHUB_SUBSCRIBER_JWT_KEY: 'sub-secret',
      SSEHUB_STORAGE: 'sqlite:/data/mercure.sqlite',
      SSEHUB_HISTORY_SIZE: '1000',
    });
    expect(warnings).toEqual([
      'transport bolt:///data/mercure.db?size=1000: Bolt is mapped to SQLite at /data/mercure.sqlite (a new file: the Bolt history is not imported)',
    ]);
  });

  it('reads the block form of transport, and redis URLs', () => {
    const block = readMercureEnvironment(
      { MERCURE_EXTRA_DIRECTIVES: 'transport bolt {\n  path /var/lib/mercure.db\n  size 0\n}' },
      known,
    );
    expect(block.variables).toEqual({
      SSEHUB_STORAGE: 'sqlite:/var/lib/mercure.sqlite',
      SSEHUB_HISTORY_SIZE: 'unbounded',
    });
    const redis = readMercureEnvironment(
      { MERCURE_EXTRA_DIRECTIVES: 'transport_url redis://127.0.0.1:6379/0' },
      known,
    );
    expect(redis.variables).toEqual({ SSEHUB_TRANSPORT: 'redis://127.0.0.1:6379/0' });
  });

  it('never overrides an SSEHUB_* variable set explicitly', () => {
    const { variables } = readMercureEnvironment(
      { SERVER_NAME: ':80', SSEHUB_PORT: '9000', MERCURE_EXTRA_DIRECTIVES: 'anonymous' },
      known,
    );
    expect(variables).toEqual({ SSEHUB_HOST: '0.0.0.0', SSEHUB_ANONYMOUS: 'true' });
  });

  it('names every directive and variable it does not understand', () => {
    const { warnings } = readMercureEnvironment(
      {
        MERCURE_EXTRA_DIRECTIVES: 'lru_cache 1000\nprotocol_version_compatibility 7',
        MERCURE_PUBLISHER_JWT_KEY: 'x',
        MERCURE_CORS_ALLOWED_ORIGINS: '*',
        SSEHUB_PROT: '1',
        HOME: '/root',
      },
      known,
    );
    expect(warnings).toEqual([
      'MERCURE_EXTRA_DIRECTIVES: "lru_cache" has no ssehub equivalent and is ignored',
      'MERCURE_EXTRA_DIRECTIVES: "protocol_version_compatibility" has no ssehub equivalent and is ignored',
      'MERCURE_CORS_ALLOWED_ORIGINS is not a setting ssehub reads; it is ignored (see ssehub --help)',
      'SSEHUB_PROT is not a setting ssehub reads; it is ignored (see ssehub --help)',
    ]);
  });
});

describe('did you mean', () => {
  const flags = ['port', 'host', 'history-size', 'history-scan-limit', 'jwt-key', 'publisher-jwt-key'];
  it.each([
    ['prot', 'port'],
    ['histroy-size', 'history-size'],
    ['history', 'history-size'],
    ['jwtkey', 'jwt-key'],
    ['publisher-key', 'publisher-jwt-key'],
  ])('--%s suggests --%s', (typo, expected) => {
    expect(closestName(typo, flags)).toBe(expected);
  });
  it('suggests nothing for an unrelated name', () => {
    expect(closestName('verbose', flags)).toBeUndefined();
  });
});
