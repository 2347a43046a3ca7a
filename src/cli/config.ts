import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { KeyConfig, TrustedIssuer } from '../hub/auth/index.js';
import { SsehubError } from '../protocol/index.js';
import { isLoopbackAddress } from '../server/index.js';
import { OPTION_SPECS, type OptionSpec } from './options.js';

/** Where the hub keeps updates. */
export type StorageConfig =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string; readonly durability: 'full' | 'normal' }
  | {
      readonly kind: 'redis';
      /** `redis://` or `rediss://` URL (may hold a password). */
      readonly url: string;
      readonly password: string | undefined;
      readonly keyPrefix: string | undefined;
    };

/** pino levels the command accepts. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Everything the `ssehub` command needs to start a hub, resolved from flags and environment.
 * Numeric hub settings are undefined when not given, so the hub's own defaults (HUB_DEFAULTS) apply.
 */
export interface CliConfig {
  readonly host: string;
  readonly port: number;
  readonly ui: boolean;
  readonly corsOrigins: readonly string[];
  readonly publisherKey: KeyConfig | undefined;
  readonly subscriberKey: KeyConfig | undefined;
  /** No key configured: the command generates a development key and prints tokens. */
  readonly devMode: boolean;
  readonly anonymous: boolean;
  readonly requireExpiration: boolean;
  readonly cookieName: string | undefined;
  /** Mercure 1.0 issuers of access tokens, each with its own key. */
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly resourceIdentifier: string | undefined;
  readonly accessTokenCookieName: string | undefined;
  /** Serve Mercure 0.x next to 1.0. */
  readonly mercure0x: boolean;
  readonly publishOrigins: readonly string[];
  readonly heartbeatMs: number | undefined;
  readonly dispatchTimeoutMs: number | undefined;
  readonly writeTimeoutMs: number | undefined;
  readonly maxConnections: number | undefined;
  readonly subscriberQueueSize: number | undefined;
  readonly maxBodyBytes: number | undefined;
  readonly bodyTimeoutMs: number | undefined;
  readonly subscriberMaxBufferedBytes: number | undefined;
  readonly reconnectRetryMs: number | undefined;
  readonly topicSelectorCacheSize: number | undefined;
  readonly fanOutWindowMs: number | undefined;
  readonly maxTopics: number | undefined;
  readonly historySize: number | undefined;
  readonly historyScanLimit: number | undefined;
  readonly storage: StorageConfig;
  /** Hub processes sharing the port: a count, or `auto` for one per core. */
  readonly workers: number | 'auto';
  readonly subscriptions: boolean;
  readonly metrics: boolean;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly config: CliConfig };

/** A command line or environment that cannot work; the message says what to change. Exit code 2. */
export class CliConfigError extends SsehubError {
  static readonly code = 'SSEHUB_CLI_CONFIG';
  override readonly name = 'CliConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(CliConfigError.code, message, options);
  }
}

/** The port of the first release, kept so bookmarks and docs keep working. */
export const DEFAULT_PORT = 8844;
export const DEFAULT_HOST = '127.0.0.1';

type Env = Readonly<Record<string, string | undefined>>;
type Raw = { value: string | boolean | string[]; from: string };

/**
 * Resolves argv and the environment into a {@link Command}. Pure: no I/O, so every rule is unit-tested.
 * Precedence: flag > `SSEHUB_*` variable > Mercure variable (`MERCURE_PUBLISHER_JWT_KEY`...) > default.
 * Refuses a non-loopback host without keys (docs/security.md#safe-defaults-of-the-command).
 */
export function parseCommandLine(argv: readonly string[], env: Env): Command {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const spec of OPTION_SPECS) {
    options[spec.flag] =
      spec.kind === 'boolean'
        ? { type: 'boolean' }
        : { type: 'string', multiple: spec.kind === 'list', ...(spec.flag === 'port' ? { short: 'p' } : {}) };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliConfigError(`${(error as Error).message}. Run "ssehub --help" for the options.`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const raw = (flag: string): Raw | undefined => {
    const spec = specOf(flag);
    const given = values[flag];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0)) {
      return { value: given as Raw['value'], from: `--${flag}` };
    }
    for (const name of [spec.env, ...(spec.aliases ?? [])]) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, from: name };
    }
    return undefined;
  };
  const str = (flag: string) => {
    const r = raw(flag);
    return r === undefined ? undefined : String(r.value);
  };
  const bool = (flag: string) => {
    const r = raw(flag);
    return r === undefined ? undefined : parseBoolean(r);
  };
  const int = (flag: string) => {
    const r = raw(flag);
    return r === undefined ? undefined : parseInteger(r);
  };
  const duration = (flag: string) => {
    const r = raw(flag);
    return r === undefined ? undefined : parseDuration(r);
  };
  const list = (flag: string) => {
    const r = raw(flag);
    if (r === undefined) return undefined;
    const items = (Array.isArray(r.value) ? r.value : [String(r.value)]).flatMap((v) => v.split(','));
    return items.map((s) => s.trim()).filter((s) => s !== '');
  };

  const shared = keyFrom('', raw, list);
  const publisherKey = keyFrom('publisher-', raw, list) ?? shared;
  const subscriberKey = keyFrom('subscriber-', raw, list) ?? shared;
  const trustedIssuers = [
    ...(list('trusted-issuer') ?? []).map((entry) => trustedIssuerFrom(entry, false)),
    ...(list('authorization-server') ?? []).map((entry) => trustedIssuerFrom(entry, true)),
  ];
  const devMode = publisherKey === undefined && subscriberKey === undefined && trustedIssuers.length === 0;

  const host = str('host') ?? DEFAULT_HOST;
  if (devMode && !isLoopback(host)) {
    throw new CliConfigError(
      `Refusing to listen on ${host} without keys: in development mode anyone who can reach the port could ` +
        'read every public update, and the printed development tokens would be the only protection. ' +
        'Configure a key (--jwt-key, --publisher-jwt-key, or MERCURE_PUBLISHER_JWT_KEY / MERCURE_SUBSCRIBER_JWT_KEY), ' +
        `or listen on 127.0.0.1.`,
    );
  }
  const port = int('port') ?? DEFAULT_PORT;
  if (port > 65_535) throw new CliConfigError(`--port must be 0-65535, got ${port}`);

  const logLevel = (str('log-level') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new CliConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const maxBody = raw('max-body');
  const maxBuffered = raw('max-buffered');

  const storage = parseStorage(
    transportValue(raw('transport'), raw('storage')),
    str('sqlite-durability'),
    str('redis-password'),
    str('redis-prefix'),
  );
  const workers = parseWorkers(raw('workers'));
  if (workers !== 1 && storage.kind !== 'redis') {
    throw new CliConfigError(
      `--workers ${workers} needs --transport redis://...: worker processes share topics, history and subscribers through Redis. ` +
        'Start one with "redis-server" (or "docker run -d -p 6379:6379 redis:7"), then add --transport redis://127.0.0.1:6379/0.',
    );
  }
  return {
    kind: 'run',
    config: {
      host,
      port,
      ui: !(bool('no-ui') ?? false),
      corsOrigins: list('cors-origins') ?? [],
      publisherKey,
      subscriberKey,
      devMode,
      anonymous: bool('anonymous') ?? devMode,
      requireExpiration: bool('require-exp') ?? false,
      cookieName: str('cookie-name'),
      trustedIssuers,
      resourceIdentifier: str('resource-identifier'),
      accessTokenCookieName: str('access-token-cookie-name'),
      mercure0x: !(bool('no-mercure-0x') ?? false),
      publishOrigins: list('publish-origins') ?? [],
      heartbeatMs: duration('heartbeat'),
      dispatchTimeoutMs: duration('dispatch-timeout'),
      writeTimeoutMs: duration('write-timeout'),
      maxConnections: int('max-connections'),
      subscriberQueueSize: int('queue-size'),
      maxBodyBytes: maxBody === undefined ? undefined : parseBytes(maxBody),
      bodyTimeoutMs: duration('body-timeout'),
      subscriberMaxBufferedBytes: maxBuffered === undefined ? undefined : parseBytes(maxBuffered),
      reconnectRetryMs: duration('reconnect-retry'),
      topicSelectorCacheSize: int('topic-cache-size'),
      fanOutWindowMs: duration('fan-out-window'),
      maxTopics: int('max-topics'),
      historySize: int('history-size'),
      historyScanLimit: int('history-scan-limit'),
      storage,
      workers,
      subscriptions: bool('subscriptions') ?? false,
      metrics: !(bool('no-metrics') ?? false),
      logLevel: logLevel as LogLevel,
      shutdownTimeoutMs: duration('shutdown-timeout') ?? 10_000,
    },
  };
}

/**
 * One `--trusted-issuer` / `--authorization-server` value: `ISSUER=key-file:PATH`, `ISSUER=jwks-file:PATH`
 * or `ISSUER=jwks-url:URL` (split at the first `=`; an issuer identifier is a URL without one).
 */
function trustedIssuerFrom(entry: string, authorizationServer: boolean): TrustedIssuer {
  const eq = entry.indexOf('=');
  const issuer = eq < 0 ? '' : entry.slice(0, eq);
  const source = eq < 0 ? '' : entry.slice(eq + 1);
  const colon = source.indexOf(':');
  const kind = source.slice(0, colon);
  const value = source.slice(colon + 1);
  const key =
    kind === 'key-file'
      ? { keyFile: value }
      : kind === 'jwks-file'
        ? { jwksFile: value }
        : kind === 'jwks-url'
          ? { jwksUrl: value }
          : undefined;
  if (issuer === '' || key === undefined || value === '') {
    throw new CliConfigError(
      `Trusted issuer ${JSON.stringify(entry)}: expected ISSUER=key-file:PATH, ISSUER=jwks-file:PATH or ISSUER=jwks-url:URL`,
    );
  }
  return { issuer, key, ...(authorizationServer ? { authorizationServer } : {}) };
}

function specOf(flag: string): OptionSpec {
  const spec = OPTION_SPECS.find((s) => s.flag === flag);
  if (!spec) throw new Error(`unknown option spec ${flag}`);
  return spec;
}

/** One role's key: exactly one of `<prefix>jwt-key`, `<prefix>jwt-key-file`, `<prefix>jwks-url`. */
function keyFrom(
  prefix: string,
  raw: (flag: string) => Raw | undefined,
  list: (flag: string) => string[] | undefined,
): KeyConfig | undefined {
  const candidates = [`${prefix}jwt-key`, `${prefix}jwt-key-file`, `${prefix}jwks-url`]
    .map((flag) => [flag, raw(flag)] as const)
    .filter((entry): entry is readonly [string, Raw] => entry[1] !== undefined);
  // Flags beat the environment: a key given on the command line replaces any key from variables.
  const fromFlags = candidates.filter(([, r]) => r.from.startsWith('--'));
  const chosen = fromFlags.length > 0 ? fromFlags : candidates;
  if (chosen.length === 0) return undefined;
  if (chosen.length > 1) {
    throw new CliConfigError(
      `Give one ${prefix ? `${prefix.slice(0, -1)} ` : ''}key source, not ${chosen.map(([, r]) => r.from).join(' and ')}`,
    );
  }
  const [flag, r] = chosen[0]!;
  const value = String(r.value);
  const algs = list(`${prefix}jwt-alg`) ?? (prefix ? list('jwt-alg') : undefined);
  const algorithms = algs === undefined ? {} : { algorithms: algs };
  if (flag.endsWith('jwt-key')) {
    // A PEM key in an environment variable often has its newlines written as "\n".
    const key = value.trimStart().startsWith('-----BEGIN') ? value.replace(/\\n/g, '\n') : value;
    return { key, ...algorithms };
  }
  if (flag.endsWith('jwt-key-file')) return { keyFile: value, ...algorithms };
  // A JWKS "URL" without a scheme is a file path.
  return /^[a-z][a-z0-9+.-]*:/i.test(value)
    ? { jwksUrl: value, ...algorithms }
    : { jwksFile: value, ...algorithms };
}

/** `--transport`, or its older name `--storage`; both given is a mistake worth saying. */
function transportValue(transport: Raw | undefined, storage: Raw | undefined): string | undefined {
  if (transport !== undefined && storage !== undefined) {
    throw new CliConfigError(
      `Give one of ${transport.from} and ${storage.from} (--storage is the older name of --transport)`,
    );
  }
  const chosen = transport ?? storage;
  return chosen === undefined ? undefined : String(chosen.value);
}

function parseStorage(
  value: string | undefined,
  durability: string | undefined,
  redisPassword: string | undefined,
  redisPrefix: string | undefined,
): StorageConfig {
  if (durability !== undefined && durability !== 'full' && durability !== 'normal') {
    throw new CliConfigError(`--sqlite-durability must be "full" or "normal", got "${durability}"`);
  }
  if (value === undefined || value === 'memory') {
    return { kind: 'memory' };
  }
  if (value.startsWith('sqlite:') && value.length > 'sqlite:'.length) {
    return { kind: 'sqlite', path: value.slice('sqlite:'.length), durability: durability ?? 'full' };
  }
  if (/^rediss?:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new CliConfigError(`--transport: "${value}" is not a URL; e.g. redis://127.0.0.1:6379/0`);
    }
    if (!/^\/?\d*$/.test(url.pathname)) {
      throw new CliConfigError(
        `--transport: the path of a Redis URL is the database number (redis://host:6379/0), got "${url.pathname}"`,
      );
    }
    return { kind: 'redis', url: value, password: redisPassword, keyPrefix: redisPrefix };
  }
  throw new CliConfigError(
    `--transport must be "memory", "sqlite:<path>" (e.g. sqlite:./hub.db) or a Redis URL (redis://host:6379/0, rediss:// for TLS), got "${value}"`,
  );
}

function parseWorkers(r: Raw | undefined): number | 'auto' {
  if (r === undefined) return 1;
  const v = String(r.value).trim();
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024) {
    throw new CliConfigError(`${r.from} must be a number of processes from 1 to 1024, or auto, got "${v}"`);
  }
  return Number(v);
}

/** True for addresses only this machine can reach (the server library's {@link isLoopbackAddress}). */
export const isLoopback = isLoopbackAddress;

function parseBoolean(r: Raw): boolean {
  if (typeof r.value === 'boolean') return r.value;
  const v = String(r.value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new CliConfigError(`${r.from} must be true or false, got "${String(r.value)}"`);
}

function parseInteger(r: Raw): number {
  const v = String(r.value).trim().replace(/_/g, '');
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new CliConfigError(`${r.from} must be a whole number >= 0, got "${String(r.value)}"`);
  }
  return Number(v);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `40s`, `500ms`, `10m`, `1h`, `1.5s`, or `0`. A bare non-zero number is refused: seconds or ms? */
export function parseDuration(r: Raw): number {
  const v = String(r.value).trim();
  if (v === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!match) {
    throw new CliConfigError(
      `${r.from} must be a duration such as 40s, 500ms, 10m or 0, got "${v}"${/^\d+$/.test(v) ? ` (add a unit: ${v}s or ${v}ms)` : ''}`,
    );
  }
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!);
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  k: 1024,
  mb: 1_000_000,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

/** `1048576`, `512KiB`, `1MiB`, `2MB`... */
export function parseBytes(r: Raw): number {
  const v = String(r.value).trim();
  const match = /^(\d+)\s*([a-z]*)$/i.exec(v);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) * unit < 1) {
    throw new CliConfigError(`${r.from} must be a size such as 1048576, 512KiB or 1MiB, got "${v}"`);
  }
  return Number(match[1]) * unit;
}
