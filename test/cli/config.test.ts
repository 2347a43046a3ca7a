import { describe, expect, it } from 'vitest';
import {
  CliConfigError,
  type CommandSettings,
  parseCommandLine,
  parseDuration,
  type RunCommand,
} from '../../src/cli/config.js';
import { helpText } from '../../src/cli/help.js';
import { CLI_SETTINGS, OPTION_SPECS } from '../../src/cli/options.js';
import { resolveHubOptions } from '../../src/hub/options.js';
import { HUB_SETTINGS } from '../../src/hub/settings.js';
import { formatSettingValue } from '../../src/protocol/settings.js';
import { isLoopbackAddress } from '../../src/server/index.js';

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

function parsed(argv: string[], env: Record<string, string> = {}): RunCommand {
  const command = parseCommandLine(argv, env);
  if (command.kind !== 'run') throw new Error(`expected run, got ${command.kind}`);
  return command;
}

/** The command's own settings and the resolved hub options side by side, as the old single config object was. */
function run(argv: string[], env: Record<string, string> = {}) {
  const { cli, hub } = parsed(argv, env);
  return { ...cli, ...resolveHubOptions(hub), anonymous: hub.allowAnonymous };
}

function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a CliConfigError');
}

describe('defaults', () => {
  it('starts on 127.0.0.1:8844 in development mode with anonymous subscribers and in-memory storage', () => {
    const { cli, hub } = parsed([]);
    expect(cli).toMatchObject({
      host: '127.0.0.1',
      port: 8844,
      tls: undefined,
      ui: true,
      devMode: true,
      publisherKey: undefined,
      subscriberKey: undefined,
      storage: { kind: 'memory' },
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      publishOrigins: [],
    });
    // The hub options hold only what was given (here: development mode's anonymous access), so the hub's
    // own defaults apply to everything else.
    expect(hub).toEqual({ allowAnonymous: true });
  });

  it('--help and --version', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', '--port', 'nonsense'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'], {})).toEqual({ kind: 'version' });
  });
});

describe('flags and environment', () => {
  it('reads every tunable from flags', () => {
    const config = parsed([
      '--host=::1',
      '-p',
      '0',
      '--no-ui',
      '--cors-origins',
      'https://a.test,https://b.test',
      '--cors-origins',
      'https://c.test',
      '--jwt-key',
      SECRET,
      '--anonymous',
      '--require-exp',
      '--cookie-name',
      'hubToken',
      '--publish-origins',
      '*',
      '--heartbeat',
      '15s',
      '--dispatch-timeout',
      '1500ms',
      '--write-timeout',
      '10m',
      '--max-connections',
      '500',
      '--queue-size',
      '64',
      '--max-body',
      '512KiB',
      '--body-timeout',
      '45s',
      '--max-topics',
      '20',
      '--max-buffered',
      '64KiB',
      '--reconnect-retry',
      '1s',
      '--topic-cache-size',
      '500',
      '--history-size',
      '0',
      '--history-ttl',
      '10m',
      '--history-scan-limit',
      '1_000',
      '--storage',
      'sqlite:/tmp/x.db',
      '--sqlite-durability',
      'normal',
      '--subscriptions',
      '--no-metrics',
      '--log-level',
      'DEBUG',
      '--shutdown-timeout',
      '2.5s',
      '--trusted-issuer',
      'https://app.example=key-file:/etc/app.key',
      '--authorization-server',
      'https://as.example=jwks-url:https://as.example/jwks.json',
      '--resource-identifier',
      'https://hub.example/.well-known/mercure',
      '--access-token-cookie-name',
      'hub_at',
      '--no-mercure-0x',
      '--cert',
      '/etc/hub/fullchain.pem',
      '--key',
      '/etc/hub/privkey.pem',
      '--dashboard',
    ]);
    expect(config.cli).toEqual({
      host: '::1',
      port: 0,
      tls: { certPath: '/etc/hub/fullchain.pem', keyPath: '/etc/hub/privkey.pem' },
      ui: false,
      dashboard: true,
      publisherKey: { key: SECRET },
      subscriberKey: { key: SECRET },
      devMode: false,
      requireExpiration: true,
      cookieName: 'hubToken',
      trustedIssuers: [
        { issuer: 'https://app.example', key: { keyFile: '/etc/app.key' } },
        {
          issuer: 'https://as.example',
          key: { jwksUrl: 'https://as.example/jwks.json' },
          authorizationServer: true,
        },
      ],
      accessTokenCookieName: 'hub_at',
      publishOrigins: ['*'],
      storage: { kind: 'sqlite', path: '/tmp/x.db', durability: 'normal' },
      workers: 1,
      logLevel: 'debug',
      shutdownTimeoutMs: 2_500,
    } satisfies CommandSettings);
    expect(config.hub).toEqual({
      allowAnonymous: true,
      resourceIdentifier: 'https://hub.example/.well-known/mercure',
      mercure0x: false,
      corsOrigins: ['https://a.test', 'https://b.test', 'https://c.test'],
      heartbeatMs: 15_000,
      dispatchTimeoutMs: 1_500,
      writeTimeoutMs: 600_000,
      maxConnections: 500,
      subscriberQueueSize: 64,
      maxBodyBytes: 512 * 1024,
      bodyTimeoutMs: 45_000,
      maxTopics: 20,
      subscriberMaxBufferedBytes: 64 * 1024,
      reconnectRetryMs: 1000,
      topicSelectorCacheSize: 500,
      fanOutWindowMs: undefined,
      historySize: 0,
      historyTtlMs: 600_000,
      historyScanLimit: 1000,
      subscriptions: true,
      metrics: false,
    });
  });

  it('reads every option from its SSEHUB_* variable', () => {
    const config = run([], {
      SSEHUB_HOST: '0.0.0.0',
      SSEHUB_PORT: '9000',
      SSEHUB_JWT_KEY: SECRET,
      SSEHUB_JWT_ALG: 'HS256',
      SSEHUB_ANONYMOUS: 'yes',
      SSEHUB_CORS_ORIGINS: 'https://a.test, https://b.test',
      SSEHUB_HEARTBEAT: '0',
      SSEHUB_STORAGE: 'sqlite:hub.db',
      SSEHUB_SUBSCRIPTIONS: '1',
      SSEHUB_NO_METRICS: 'false',
      SSEHUB_MAX_BODY: '2MB',
      SSEHUB_CERT: '/etc/hub/fullchain.pem',
      SSEHUB_KEY: '/etc/hub/privkey.pem',
      SSEHUB_HISTORY_TTL: '24h',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      tls: { certPath: '/etc/hub/fullchain.pem', keyPath: '/etc/hub/privkey.pem' },
      publisherKey: { key: SECRET, algorithms: ['HS256'] },
      anonymous: true,
      corsOrigins: ['https://a.test', 'https://b.test'],
      heartbeatMs: 0,
      storage: { kind: 'sqlite', path: 'hub.db', durability: 'full' },
      subscriptions: true,
      metrics: true,
      maxBodyBytes: 2_000_000,
      historyTtlMs: 86_400_000,
    });
  });

  it('refuses a trusted issuer without a usable key source, and counts issuers as keys (no dev mode)', () => {
    expect(() => run(['--trusted-issuer', 'https://app.example'], {})).toThrow(/ISSUER=key-file:PATH/);
    expect(() => run(['--trusted-issuer', 'https://app.example=secret:x'], {})).toThrow(
      /ISSUER=key-file:PATH/,
    );
    const config = run(['--trusted-issuer', 'https://app.example=jwks-file:/etc/jwks.json'], {});
    expect(config).toMatchObject({ devMode: false, anonymous: false, mercure0x: true });
  });

  it('every option in the table has a SSEHUB_* variable', () => {
    for (const spec of OPTION_SPECS)
      expect(spec.env).toBe(`SSEHUB_${spec.flag.toUpperCase().replace(/-/g, '_')}`);
  });

  it('a flag beats its SSEHUB_* variable, which beats the Mercure variable', () => {
    expect(run(['--port', '1'], { SSEHUB_PORT: '2' }).port).toBe(1);
    const other = 'b'.repeat(40);
    const third = 'c'.repeat(40);
    expect(
      run([], { SSEHUB_PUBLISHER_JWT_KEY: other, MERCURE_PUBLISHER_JWT_KEY: third }).publisherKey,
    ).toEqual({ key: other });
    expect(run(['--publisher-jwt-key', SECRET], { SSEHUB_PUBLISHER_JWT_KEY: other }).publisherKey).toEqual({
      key: SECRET,
    });
    // A key file on the command line replaces a key from the environment instead of conflicting with it.
    expect(run(['--jwt-key-file', '/k'], { SSEHUB_JWT_KEY: SECRET }).publisherKey).toEqual({ keyFile: '/k' });
  });
});

describe('Redis transport and workers', () => {
  it('reads the Redis URL, password and key prefix from flags or variables', () => {
    expect(
      run(['--transport', 'rediss://redis.internal:6380/2', '--redis-prefix', '{hub-a}:']).storage,
    ).toEqual({
      kind: 'redis',
      url: 'rediss://redis.internal:6380/2',
      password: undefined,
      keyPrefix: '{hub-a}:',
    });
    const fromEnv = run([], {
      SSEHUB_TRANSPORT: 'redis://127.0.0.1:6379',
      SSEHUB_REDIS_PASSWORD: 's3cret',
      SSEHUB_WORKERS: 'auto',
    });
    expect(fromEnv.storage).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      password: 's3cret',
      keyPrefix: undefined,
    });
    expect(fromEnv.workers).toBe('auto');
    expect(run(['--storage', 'redis://127.0.0.1:6379/0', '--workers', '4']).workers).toBe(4);
    expect(run([]).workers).toBe(1);
  });
});

describe('keys', () => {
  it('accepts the Mercure variable names, with separate publisher and subscriber keys and algorithms', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----';
    const config = run([], {
      MERCURE_PUBLISHER_JWT_KEY: SECRET,
      MERCURE_PUBLISHER_JWT_ALG: 'HS512',
      MERCURE_SUBSCRIBER_JWT_KEY: pem,
      MERCURE_SUBSCRIBER_JWT_ALG: 'ES256',
    });
    expect(config.publisherKey).toEqual({ key: SECRET, algorithms: ['HS512'] });
    // Escaped newlines of a PEM in a variable are restored; a secret is taken byte for byte.
    expect(config.subscriberKey).toEqual({
      key: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
      algorithms: ['ES256'],
    });
    expect(config.devMode).toBe(false);
    expect(config.anonymous).toBe(false);
    expect(run([], { MERCURE_JWT_KEY: 'x\\ny'.padEnd(40, 'z') }).publisherKey).toEqual({
      key: 'x\\ny'.padEnd(40, 'z'),
    });
  });

  it('a role key overrides the shared key for that role only; the shared alg list applies to both', () => {
    const config = run([
      '--jwt-key',
      SECRET,
      '--jwt-alg',
      'HS256',
      '--subscriber-jwks-url',
      'https://id.test/jwks',
    ]);
    expect(config.publisherKey).toEqual({ key: SECRET, algorithms: ['HS256'] });
    expect(config.subscriberKey).toEqual({ jwksUrl: 'https://id.test/jwks', algorithms: ['HS256'] });
  });

  it('a JWKS location without a scheme is a file', () => {
    expect(run(['--jwks-url', './jwks.json']).publisherKey).toEqual({ jwksFile: './jwks.json' });
    expect(run(['--jwks-url', 'file:///etc/jwks.json']).publisherKey).toEqual({
      jwksUrl: 'file:///etc/jwks.json',
    });
  });

  it('refuses two key sources for one role', () => {
    expect(refusal(['--jwt-key', SECRET, '--jwks-url', 'https://x.test/j'])).toMatch(
      /one key source, not --jwt-key and --jwks-url/,
    );
    expect(refusal([], { SSEHUB_PUBLISHER_JWT_KEY: SECRET, SSEHUB_PUBLISHER_JWT_KEY_FILE: '/k' })).toMatch(
      /publisher key source/,
    );
  });

  it('only a subscriber key: not development mode, publishing stays closed', () => {
    const config = run(['--subscriber-jwt-key', SECRET]);
    expect(config.devMode).toBe(false);
    expect(config.publisherKey).toBeUndefined();
  });

  it('an explicit --anonymous=false style variable turns anonymous off even in development mode', () => {
    expect(run([], { SSEHUB_ANONYMOUS: 'off' }).anonymous).toBe(false);
  });
});

describe('safe defaults', () => {
  it('refuses a non-loopback host without keys, explaining why and what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'hub.example.com']) {
      const message = refusal(['--host', host]);
      expect(message).toContain(`Refusing to listen on ${host} without keys`);
      expect(message).toContain('MERCURE_PUBLISHER_JWT_KEY');
      expect(message).toContain('127.0.0.1');
    }
    expect(run(['--host', '0.0.0.0', '--jwt-key', SECRET]).host).toBe('0.0.0.0');
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(host)).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'])
      expect(isLoopbackAddress(host)).toBe(false);
  });
});

describe('invalid values get a message naming the option and the fix', () => {
  it.each<[string[], Record<string, string>, RegExp]>([
    [['--port', 'abc'], {}, /--port must be a whole number/],
    [['--port', '70000'], {}, /--port must be an integer 0\.\.65535, got 70000/],
    [[], { SSEHUB_PORT: '-1' }, /SSEHUB_PORT must be a whole number/],
    [['--heartbeat', '40'], {}, /add a unit: 40s or 40ms/],
    [['--heartbeat', 'soon'], {}, /--heartbeat must be a duration/],
    [['--max-body', '1 parsec'], {}, /--max-body must be a size/],
    [['--storage', 'postgres://x'], {}, /"memory", "sqlite:<path>" .* or a Redis URL/],
    [['--storage', 'sqlite:'], {}, /"memory", "sqlite:<path>"/],
    [['--transport', 'redis://h:6379/zero'], {}, /the database number as the path of a Redis URL/],
    [['--transport', 'memory'], { SSEHUB_STORAGE: 'memory' }, /Give one of --transport and SSEHUB_STORAGE/],
    [['--workers', '0'], {}, /--workers must be an integer 1\.\.1024 or 'auto', got 0/],
    [['--workers', '2'], {}, /needs --transport redis:\/\/.*Start one with "redis-server"/],
    [['--workers', 'auto', '--transport', 'sqlite:x.db'], {}, /needs --transport redis:\/\//],
    [['--sqlite-durability', 'extra'], {}, /'full', 'normal'/],
    [['--log-level', 'loud'], {}, /--log-level must be one of/],
    [[], { SSEHUB_ANONYMOUS: 'maybe' }, /SSEHUB_ANONYMOUS must be true or false/],
    [['--frobnicate'], {}, /Unknown option '--frobnicate'.*ssehub --help/],
    [['serve'], {}, /ssehub --help/],
    [['--history-size', 'all'], {}, /--history-size must be a whole number >= 0 or unbounded/],
    [['--history-ttl', '10'], {}, /--history-ttl must be a duration .*\(add a unit: 10s or 10ms\)/],
    [[], { SSEHUB_HISTORY_TTL: 'a day' }, /SSEHUB_HISTORY_TTL must be a duration/],
    [['--max-topics', '0'], {}, /--max-topics must be an integer >= 1, got 0/],
    [['--cors-origins', 'null'], {}, /--cors-origins must not contain "null"/],
    // Related settings are checked together, before anything starts (issue: streams closed at once).
    [
      ['--write-timeout', '5s'],
      {},
      /writeTimeoutMs \(--write-timeout\) \(5000 ms\) must be 0 or at least twice dispatchTimeoutMs \(--dispatch-timeout\)/,
    ],
    [[], { SSEHUB_WRITE_TIMEOUT: '7000ms' }, /--write-timeout.*--dispatch-timeout/],
    [['--dispatch-timeout', '400s'], {}, /at least twice dispatchTimeoutMs \(--dispatch-timeout\)/],
    [['--cert', 'hub.pem'], {}, /--cert needs its private key: give --key <path>/],
    [
      [],
      { SSEHUB_KEY: 'key.pem' },
      /SSEHUB_KEY is the private key of a certificate: give the certificate too \(--cert/,
    ],
  ])('%j %j', (argv, env, message) => {
    expect(refusal(argv, env)).toMatch(message);
  });
});

describe('--help', () => {
  const text = helpText('9.9.9');
  const flat = text.replace(/\s+/g, ' ');
  it('documents every option with its variable and default', () => {
    for (const spec of OPTION_SPECS) {
      expect(text).toContain(`--${spec.flag}`);
      expect(text).toContain(spec.env);
      if (spec.defaultText) expect(flat).toContain(`Default: ${spec.defaultText}`);
    }
    expect(text).toContain('MERCURE_PUBLISHER_JWT_KEY');
    expect(text).toContain('MERCURE_SUBSCRIBER_JWT_KEY');
  });

  it('lists exactly the options of the settings tables, each with the default its row holds', () => {
    const listed = [...text.matchAll(/^ {2}--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]);
    const rows = [...Object.values(HUB_SETTINGS), ...Object.values(CLI_SETTINGS)].filter((r) => r.cli);
    expect(new Set(listed)).toEqual(new Set([...rows.map((r) => r.cli!.flag), 'version']));
    for (const row of Object.values(HUB_SETTINGS)) {
      const cli = row.cli;
      if (cli === undefined) continue;
      if (cli.defaultText !== undefined || row.defaultText !== undefined || cli.negated) continue;
      const shown = formatSettingValue(row as never, row.default as never);
      expect(flat, cli.flag).toMatch(new RegExp(`--${cli.flag}\\b[^]*?Default: ${shown}\\.`));
    }
  });

  it('refuses a duration that rounds to 0 ms and one longer than a timer can wait, naming the flag', () => {
    expect(() => parseDuration({ value: '0.0001ms', from: '--history-ttl' })).toThrow(
      /--history-ttl must be 0 or at least 1ms/,
    );
    expect(() => parseCommandLine(['--dispatch-timeout', '1000h'], {})).toThrow(
      /--dispatch-timeout must be an integer 1\.\.2147483647/,
    );
    expect(() => parseCommandLine(['--heartbeat', '600h'], {})).toThrow(
      /--heartbeat must be an integer 0\.\.2147483647/,
    );
    // History by age is not a timer's delay: a month is fine.
    expect(() => parseCommandLine(['--history-ttl', '720h'], {})).not.toThrow();
  });

  it('shows durations in the largest whole unit, which reads back as the same value', () => {
    expect(formatSettingValue(HUB_SETTINGS.writeTimeoutMs, 600_000)).toBe('10m');
    expect(formatSettingValue(HUB_SETTINGS.writeTimeoutMs, 90_000)).toBe('90s');
    expect(formatSettingValue(HUB_SETTINGS.writeTimeoutMs, 7_200_000)).toBe('2h');
    expect(formatSettingValue(HUB_SETTINGS.writeTimeoutMs, 1500)).toBe('1500ms');
    for (const value of [600_000, 90_000, 7_200_000, 1500, 40_000]) {
      const shown = formatSettingValue(HUB_SETTINGS.writeTimeoutMs, value);
      expect(parseDuration({ value: shown, from: '--write-timeout' })).toBe(value);
    }
  });

  it('--write-timeout says the dispatch timeout is subtracted and what the bound is', () => {
    expect(flat).toContain('minus --dispatch-timeout');
    expect(flat).toContain('at least twice --dispatch-timeout');
  });

  it('reads like documentation: sections, development mode, examples, exit status', () => {
    for (const heading of [
      'USAGE',
      'DEVELOPMENT MODE',
      'SERVER',
      'AUTHORIZATION',
      'CONNECTIONS',
      'EXAMPLES',
      'EXIT STATUS',
    ]) {
      expect(text).toContain(`\n${heading}\n`);
    }
    expect(text).toContain('ssehub 9.9.9');
    expect(text).toContain('npx ssehub');
    expect(text.split('\n').every((line) => line.length <= 110)).toBe(true);
  });
});
