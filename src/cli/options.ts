/**
 * The `ssehub` command's options: its own settings (CLI_SETTINGS, below) and every hub setting that has a
 * flag (HUB_SETTINGS in src/hub/settings.ts). Parsing, environment variables, `--help`, the README table
 * and the banner are all derived from these two tables, so they cannot disagree.
 *
 * Adding a setting of the hub: one row in src/hub/settings.ts. Adding a setting of the command itself
 * (listening, keys, storage): one row here, then read it in config.ts. Then `npm run docs:settings`.
 */
import {
  type CommandSetting,
  DEFAULT_COOKIE_NAME,
  HUB_SETTINGS,
  renderHelp,
  SECTIONS,
  type Section,
} from '../hub/index.js';
import { formatSettingValue } from '../protocol/index.js';
import { SHUTDOWN_SETTINGS } from '../server/index.js';

export { SECTIONS, type Section };

/** pino levels the command accepts. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const row = <T>(r: CommandSetting<T>): CommandSetting<T> => r;

/** Why a `--transport` value cannot work: memory, sqlite:<path> or a Redis URL whose path is a database number. */
function transportProblem(value: string): string | undefined {
  if (value === 'memory' || /^sqlite:.+/.test(value)) return undefined;
  if (/^rediss?:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `is not a URL: "${value}"; e.g. redis://127.0.0.1:6379/0`;
    }
    return /^\/?\d*$/.test(url.pathname)
      ? undefined
      : `must have the database number as the path of a Redis URL (redis://host:6379/0), got "${url.pathname}"`;
  }
  return `must be "memory", "sqlite:<path>" (e.g. sqlite:./hub.db) or a Redis URL (redis://host:6379/0, rediss:// for TLS), got "${value}"`;
}
const text = (flag: string, section: Section, valueName: string, help: string, aliases?: string[]) =>
  row<string | undefined>({
    kind: 'text',
    default: undefined,
    help,
    cli: { flag, section, valueName, ...(aliases ? { aliases } : {}) },
  });
const algs = (flag: string, help: string, aliases?: string[], defaultText?: string) =>
  row<readonly string[] | undefined>({
    kind: 'list',
    default: undefined,
    help,
    cli: {
      flag,
      section: 'Authorization',
      valueName: 'algs',
      ...(aliases ? { aliases } : {}),
      ...(defaultText ? { defaultText } : {}),
    },
  });

/** Settings of the command itself (not of the hub library): where to listen, keys, storage, logs. */
export const CLI_SETTINGS = {
  host: row<string>({
    kind: 'text',
    default: '127.0.0.1',
    help: 'Address to listen on. Anything but loopback needs keys (see Authorization).',
    cli: { flag: 'host', section: 'Server', valueName: 'address' },
  }),
  port: row<number>({
    kind: 'integer',
    default: 8844,
    min: 0,
    max: 65_535,
    help: 'TCP port; 0 picks a free one (the chosen port is printed).',
    cli: { flag: 'port', section: 'Server', valueName: 'n' },
  }),
  ui: row<boolean>({
    kind: 'boolean',
    default: true,
    help: 'Do not serve the web UI and demo endpoints at / (only the hub endpoints). With keys configured they are off anyway: the demo publishes without a token, so the command serves it in development mode only ({dashboard} serves the dashboard alone).',
    cli: { flag: 'no-ui', section: 'Server', negated: true },
  }),
  cert: row<string | undefined>({
    kind: 'text',
    default: undefined,
    help: 'Serve HTTPS with HTTP/2 and HTTP/1.1 on the port, with this PEM certificate (or full chain); needs --key. Both files are read again on SIGHUP.',
    cli: { flag: 'cert', section: 'Server', valueName: 'path' },
  }),
  key: row<string | undefined>({
    kind: 'text',
    default: undefined,
    help: 'The unencrypted PEM private key of --cert.',
    cli: { flag: 'key', section: 'Server', valueName: 'path' },
  }),
  dashboard: row<boolean>({
    kind: 'boolean',
    default: false,
    help: "Serve the dashboard at /dashboard where the rest of the web UI is off (keys configured, or {ui}): the hub's topics and subscribers, the same figures as /metrics. Its data needs a subscriber token allowed to read the subscriptions: ssehub token --subscribe '/.well-known/mercure/subscriptions{/topic}{/subscriber}' (401 or 403 otherwise).",
    cli: { flag: 'dashboard', section: 'Server' },
  }),
  workers: row<number | 'auto'>({
    kind: 'integer',
    default: 1,
    min: 1,
    max: 1024,
    words: ['auto'],
    help: 'Hub processes sharing the port (auto: one per core); more than 1 needs --transport redis://.',
    cli: { flag: 'workers', section: 'Server', valueName: 'n|auto' },
  }),
  jwtKey: text(
    'jwt-key',
    'Authorization',
    'secret|PEM',
    'Key for publisher and subscriber tokens: an HMAC secret (>= 32 bytes for HS256) or a PEM public key.',
    ['MERCURE_JWT_KEY'],
  ),
  jwtKeyFile: text(
    'jwt-key-file',
    'Authorization',
    'path',
    'Read that key from a file (one trailing newline ignored).',
  ),
  jwksUrl: text(
    'jwks-url',
    'Authorization',
    'url',
    'Verify both roles with a JWK Set: https://..., http://... or file:///path/jwks.json.',
  ),
  jwtAlg: algs(
    'jwt-alg',
    'Algorithm allowlist (HS256, HS384, HS512, RS256, ES256, EdDSA...). Never none.',
    ['MERCURE_JWT_ALG'],
    'from the key',
  ),
  publisherJwtKey: text(
    'publisher-jwt-key',
    'Authorization',
    'secret|PEM',
    'Key for publisher tokens only (Mercure publisher_jwt).',
    ['MERCURE_PUBLISHER_JWT_KEY'],
  ),
  publisherJwtKeyFile: text(
    'publisher-jwt-key-file',
    'Authorization',
    'path',
    'Read the publisher key from a file.',
  ),
  publisherJwksUrl: text(
    'publisher-jwks-url',
    'Authorization',
    'url',
    'JWK Set for publisher tokens (https:, http: or file:).',
    ['MERCURE_PUBLISHER_JWKS_URL'],
  ),
  publisherJwtAlg: algs('publisher-jwt-alg', 'Algorithm allowlist for publisher tokens.', [
    'MERCURE_PUBLISHER_JWT_ALG',
  ]),
  subscriberJwtKey: text(
    'subscriber-jwt-key',
    'Authorization',
    'secret|PEM',
    'Key for subscriber tokens only (Mercure subscriber_jwt).',
    ['MERCURE_SUBSCRIBER_JWT_KEY'],
  ),
  subscriberJwtKeyFile: text(
    'subscriber-jwt-key-file',
    'Authorization',
    'path',
    'Read the subscriber key from a file.',
  ),
  subscriberJwksUrl: text(
    'subscriber-jwks-url',
    'Authorization',
    'url',
    'JWK Set for subscriber tokens (https:, http: or file:).',
    ['MERCURE_SUBSCRIBER_JWKS_URL'],
  ),
  subscriberJwtAlg: algs('subscriber-jwt-alg', 'Algorithm allowlist for subscriber tokens.', [
    'MERCURE_SUBSCRIBER_JWT_ALG',
  ]),
  requireExpiration: row<boolean>({
    kind: 'boolean',
    default: false,
    help: 'Refuse tokens without an exp claim (Mercure 0.x tokens often have none).',
    cli: { flag: 'require-exp', section: 'Authorization' },
  }),
  cookieName: row<string>({
    kind: 'text',
    default: DEFAULT_COOKIE_NAME,
    help: 'Cookie that carries a Mercure 0.x token for browsers.',
    cli: { flag: 'cookie-name', section: 'Authorization', valueName: 'name' },
  }),
  trustedIssuers: row<readonly string[]>({
    kind: 'list',
    default: [],
    help: 'Mercure 1.0: an issuer of at+jwt access tokens and its key, as ISSUER=key-file:PATH, ISSUER=jwks-file:PATH or ISSUER=jwks-url:URL (repeatable; comma-separated in the variable). Each issuer is verified with its own key only.',
    cli: { flag: 'trusted-issuer', section: 'Authorization', valueName: 'iss=source' },
  }),
  authorizationServers: row<readonly string[]>({
    kind: 'list',
    default: [],
    help: 'Mercure 1.0: like --trusted-issuer, and listed in the protected resource metadata as an OAuth 2.0 authorization server.',
    cli: { flag: 'authorization-server', section: 'Authorization', valueName: 'iss=source' },
  }),
  accessTokenCookieName: row<string | undefined>({
    kind: 'text',
    default: undefined,
    defaultText: '__Secure-mercure_access_token',
    help: 'Mercure 1.0: cookie that carries the access token for browsers.',
    cli: { flag: 'access-token-cookie-name', section: 'Authorization', valueName: 'name' },
  }),
  publishOrigins: row<readonly string[]>({
    kind: 'list',
    default: [],
    help: 'Origins allowed to publish with the cookie (CSRF guard); * allows any.',
    cli: { flag: 'publish-origins', section: 'Authorization', valueName: 'origins' },
  }),
  transport: row<string>({
    kind: 'text',
    default: 'memory',
    check: transportProblem,
    help: 'Where updates live: in memory, a SQLite file that survives restarts and crashes, or Redis (rediss:// for TLS) shared by several hub processes and machines.',
    cli: {
      flag: 'transport',
      section: 'History and storage',
      valueName: 'memory|sqlite:<path>|redis://host:port/db',
    },
  }),
  storage: row<string | undefined>({
    kind: 'text',
    default: undefined,
    check: (value) => (value === undefined ? undefined : transportProblem(value)),
    help: 'Older name of --transport.',
    cli: { flag: 'storage', section: 'History and storage', valueName: 'memory|sqlite:<path>' },
  }),
  redisPassword: row<string | undefined>({
    kind: 'text',
    default: undefined,
    help: 'Redis password, kept out of the URL (and out of process listings when given as the variable).',
    cli: {
      flag: 'redis-password',
      section: 'History and storage',
      valueName: 'password',
      defaultText: "the URL's",
    },
  }),
  redisPrefix: row<string | undefined>({
    kind: 'text',
    default: undefined,
    help: "Prefix of this hub's Redis keys, so several hubs share one Redis; keep a {hash tag} in it for Redis Cluster.",
    cli: {
      flag: 'redis-prefix',
      section: 'History and storage',
      valueName: 'prefix',
      defaultText: '{ssehub}:',
    },
  }),
  sqliteDurability: row<'full' | 'normal'>({
    kind: 'choice',
    default: 'full',
    choices: ['full', 'normal'],
    help: 'full fsyncs every commit (survives power loss); normal survives crashes, not power loss.',
    cli: { flag: 'sqlite-durability', section: 'History and storage', valueName: 'full|normal' },
  }),
  logLevel: row<LogLevel>({
    kind: 'choice',
    default: 'info',
    choices: LOG_LEVELS,
    help: 'trace, debug, info, warn, error, fatal or silent. Logs are JSON lines (pino) on stdout.',
    cli: { flag: 'log-level', section: 'Operations', valueName: 'level' },
  }),
  shutdownTimeoutMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: SHUTDOWN_SETTINGS.deadlineMs.default,
    min: 0,
    help: 'On SIGTERM/SIGINT, time allowed to drain before connections are cut.',
    cli: { flag: 'shutdown-timeout', section: 'Operations', valueName: 'duration' },
  }),
};

/** One command-line option, as `--help` and the README show it. */
export interface OptionSpec {
  /** Whose setting it is: the hub library's (`createHub` option `key`) or the command's own. */
  readonly owner: 'hub' | 'command';
  readonly key: string;
  readonly setting: CommandSetting<unknown>;
  /** Long flag name, without `--`. */
  readonly flag: string;
  /** Environment variable: `SSEHUB_` and the flag in capitals. */
  readonly env: string;
  /** Also read from these (Mercure's names), after the `SSEHUB_*` one. */
  readonly aliases: readonly string[];
  readonly valueName: string | undefined;
  readonly section: Section;
  /** Help text, other settings named by their flags. */
  readonly help: string;
  /** Default as people write it; empty when there is none to show. */
  readonly defaultText: string;
}

/** `--heartbeat` for a hub setting or command setting key, the key itself when it has no flag. */
export function flagName(key: string): string {
  const row =
    (HUB_SETTINGS as Record<string, CommandSetting<unknown>>)[key] ??
    (CLI_SETTINGS as Record<string, CommandSetting<unknown>>)[key];
  return row?.cli ? `--${row.cli.flag}` : key;
}

function spec(owner: OptionSpec['owner'], key: string, setting: CommandSetting<unknown>): OptionSpec {
  const cli = setting.cli!;
  const shownDefault =
    cli.defaultText ??
    (setting.defaultText !== undefined
      ? renderHelp(setting.defaultText, flagName)
      : cli.negated || setting.default === undefined
        ? ''
        : formatSettingValue(setting, setting.default));
  return {
    owner,
    key,
    setting,
    flag: cli.flag,
    env: `SSEHUB_${cli.flag.toUpperCase().replace(/-/g, '_')}`,
    aliases: cli.aliases ?? [],
    valueName: cli.valueName,
    section: cli.section,
    help: renderHelp(cli.help ?? setting.help, flagName),
    defaultText: shownDefault,
  };
}

/** Every option of the command (besides `--help` and `--version`): per section, the command's, then the hub's. */
export const OPTION_SPECS: readonly OptionSpec[] = SECTIONS.flatMap((section) => [
  ...Object.entries(CLI_SETTINGS as Record<string, CommandSetting<unknown>>)
    .filter(([, s]) => s.cli?.section === section)
    .map(([key, s]) => spec('command', key, s)),
  ...Object.entries(HUB_SETTINGS as Record<string, CommandSetting<unknown>>)
    .filter(([, s]) => s.cli?.section === section)
    .map(([key, s]) => spec('hub', key, s)),
]);
