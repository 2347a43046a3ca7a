import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type CommandSetting,
  HubConfigError,
  type HubOptions,
  type KeyConfig,
  type ResolvedHubOptions,
  resolveHubOptions,
  type TrustedIssuer,
} from '../hub/index.js';
import { SsehubError, settingProblem } from '../protocol/index.js';
import { isLoopbackAddress } from '../server/index.js';
import type { CertificateFiles } from './certificate.js';
import { closestName } from './did-you-mean.js';
import { CLI_SETTINGS, type LogLevel, OPTION_SPECS, type OptionSpec } from './options.js';

export { LOG_LEVELS, type LogLevel } from './options.js';

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

/**
 * The command's own settings (CLI_SETTINGS), resolved: where to listen, which keys, which storage. The
 * hub's settings are not repeated here; they travel as the `HubOptions` object of {@link RunCommand}.
 */
export interface CommandSettings {
  readonly host: string;
  readonly port: number;
  /** `--cert` and `--key`: serve HTTPS (HTTP/2 and HTTP/1.1); absent for plain HTTP. */
  readonly tls: CertificateFiles | undefined;
  readonly ui: boolean;
  /** Serve the dashboard alone (token required) where the web UI is off. */
  readonly dashboard: boolean;
  readonly publisherKey: KeyConfig | undefined;
  readonly subscriberKey: KeyConfig | undefined;
  /** No key configured: the command generates a development key and prints tokens. */
  readonly devMode: boolean;
  readonly requireExpiration: boolean;
  readonly cookieName: string;
  /** Mercure 1.0 issuers of access tokens, each with its own key. */
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly accessTokenCookieName: string | undefined;
  readonly publishOrigins: readonly string[];
  readonly storage: StorageConfig;
  /** Hub processes sharing the port: a count, or `auto` for one per core. */
  readonly workers: number | 'auto';
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

/** Start the hub: its `createHub` options as given (defaults left to the hub) and the command's settings. */
export interface RunCommand {
  readonly kind: 'run';
  /** The hub settings given by flag or environment, validated; settings not given are absent. */
  readonly hub: HubOptions;
  /** `hub` with every default applied and checked (resolved once, here): what the command runs with. */
  readonly settings: ResolvedHubOptions;
  readonly cli: CommandSettings;
}

/** What the command line asks for. */
export type Command = { readonly kind: 'help' } | { readonly kind: 'version' } | RunCommand;

/** A command line or environment that cannot work; the message says what to change. Exit code 2. */
export class CliConfigError extends SsehubError {
  static readonly code = 'SSEHUB_CLI_CONFIG';
  override readonly name = 'CliConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(CliConfigError.code, message, options);
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Raw = { value: string | boolean | string[]; from: string };

/**
 * `--jwt-key -----BEGIN PUBLIC KEY-----...` as `--jwt-key=...`: parseArgs calls a value that starts with a
 * dash ambiguous, but an inline PEM always does. A value that is itself one of our flags stays a flag.
 */
function attachDashValues(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const flag = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (
      flag !== undefined &&
      options[flag]?.type === 'string' &&
      next?.startsWith('-') &&
      !(next.startsWith('--') && next.slice(2).split('=')[0]! in options) &&
      !/^-[a-z]$/i.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** " Did you mean --port?" for parseArgs' unknown-option error, when a flag is close. */
function suggestion(error: unknown): string {
  const unknown = /Unknown option '--([^'=]+)'/.exec(String((error as Error).message))?.[1];
  const match =
    unknown === undefined
      ? undefined
      : closestName(
          unknown,
          OPTION_SPECS.map((o) => o.flag),
        );
  return match === undefined ? '' : ` Did you mean --${match}?`;
}

/**
 * Resolves argv and the environment into a {@link Command}. Pure: no I/O, so every rule is unit-tested.
 * Every option is read as its table row says (CLI_SETTINGS, HUB_SETTINGS); hub settings are then checked
 * together (`resolveHubOptions`), so a combination that cannot work stops the command before it starts.
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
      spec.setting.kind === 'boolean'
        ? { type: 'boolean' }
        : {
            type: 'string',
            multiple: spec.setting.kind === 'list',
            ...(spec.flag === 'port' ? { short: 'p' } : {}),
          };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({
      args: attachDashValues(argv, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CliConfigError(
      `${(error as Error).message.replace(/\.$/, '')}.${suggestion(error)} Run "ssehub --help" for the options.`,
    );
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const raw = (spec: OptionSpec): Raw | undefined => {
    const given = values[spec.flag];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0)) {
      return { value: given as Raw['value'], from: `--${spec.flag}` };
    }
    for (const name of [spec.env, ...spec.aliases]) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, from: name };
    }
    return undefined;
  };
  const rawOf = (key: string) => raw(specOf(key));
  /** Every option given, read and checked as its row says, by setting key. */
  const given: Record<string, unknown> = {};
  const cliGiven: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const r = raw(spec);
    if (r === undefined) continue;
    const value = readValue(spec.setting, r);
    const problem = settingProblem(spec.setting, value);
    if (problem !== undefined) throw new CliConfigError(`${r.from} ${problem}`);
    (spec.owner === 'hub' ? given : cliGiven)[spec.key] = value;
  }
  const cli = <K extends keyof typeof CLI_SETTINGS>(key: K) =>
    (cliGiven[key] ?? CLI_SETTINGS[key].default) as (typeof CLI_SETTINGS)[K]['default'];

  const shared = keyFrom('', rawOf, cli('jwtAlg'));
  const publisherKey = keyFrom('publisher', rawOf, cli('publisherJwtAlg') ?? cli('jwtAlg')) ?? shared;
  const subscriberKey = keyFrom('subscriber', rawOf, cli('subscriberJwtAlg') ?? cli('jwtAlg')) ?? shared;
  const trustedIssuers = [
    ...cli('trustedIssuers').map((entry) => trustedIssuerFrom(entry, false)),
    ...cli('authorizationServers').map((entry) => trustedIssuerFrom(entry, true)),
  ];
  const devMode = publisherKey === undefined && subscriberKey === undefined && trustedIssuers.length === 0;

  const host = cli('host');
  if (devMode && !isLoopbackAddress(host)) {
    throw new CliConfigError(
      `Refusing to listen on ${host} without keys: in development mode anyone who can reach the port could ` +
        'read every public update, and the printed development tokens would be the only protection. ' +
        'Configure a key (--jwt-key, --publisher-jwt-key, or MERCURE_PUBLISHER_JWT_KEY / MERCURE_SUBSCRIBER_JWT_KEY), ' +
        `or listen on 127.0.0.1.`,
    );
  }
  // Development mode lets anonymous subscribers in unless told otherwise.
  const hub: HubOptions = { allowAnonymous: devMode, ...given };
  let settings: ResolvedHubOptions;
  try {
    settings = resolveHubOptions(hub);
  } catch (error) {
    if (error instanceof HubConfigError) throw new CliConfigError(error.message);
    throw error;
  }
  const certPath = cli('cert');
  const keyPath = cli('key');
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new CliConfigError(
      certPath === undefined
        ? `${rawOf('key')!.from} is the private key of a certificate: give the certificate too (--cert <path> or SSEHUB_CERT)`
        : `${rawOf('cert')!.from} needs its private key: give --key <path> (or SSEHUB_KEY) too`,
    );
  }
  const tls = certPath !== undefined && keyPath !== undefined ? { certPath, keyPath } : undefined;
  const transport = rawOf('transport');
  const older = rawOf('storage');
  if (transport !== undefined && older !== undefined) {
    throw new CliConfigError(
      `Give one of ${transport.from} and ${older.from} (--storage is the older name of --transport)`,
    );
  }
  const storage = storageConfig(
    cli('storage') ?? cli('transport'),
    cli('sqliteDurability'),
    cli('redisPassword'),
    cli('redisPrefix'),
  );
  const workers = cli('workers');
  if (workers !== 1 && storage.kind !== 'redis') {
    throw new CliConfigError(
      `--workers ${workers} needs --transport redis://...: worker processes share topics, history and subscribers through Redis. ` +
        'Start one with "redis-server" (or "docker run -d -p 6379:6379 redis:7"), then add --transport redis://127.0.0.1:6379/0.',
    );
  }
  return {
    kind: 'run',
    hub,
    settings,
    cli: {
      host,
      port: cli('port'),
      tls,
      ui: cli('ui'),
      dashboard: cli('dashboard'),
      publisherKey,
      subscriberKey,
      devMode,
      requireExpiration: cli('requireExpiration'),
      cookieName: cli('cookieName'),
      trustedIssuers,
      accessTokenCookieName: cli('accessTokenCookieName'),
      publishOrigins: cli('publishOrigins'),
      storage,
      workers,
      logLevel: cli('logLevel'),
      shutdownTimeoutMs: cli('shutdownTimeoutMs'),
    },
  };
}

/** The engine a (checked) `--transport` value names. */
function storageConfig(
  value: string,
  durability: 'full' | 'normal',
  password: string | undefined,
  keyPrefix: string | undefined,
): StorageConfig {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) return { kind: 'sqlite', path: value.slice('sqlite:'.length), durability };
  return { kind: 'redis', url: value, password, keyPrefix };
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

function specOf(key: string): OptionSpec {
  const spec = OPTION_SPECS.find((s) => s.key === key);
  if (!spec) throw new Error(`unknown option ${key}`);
  return spec;
}

/** A flag's or variable's text as the value its row describes (the row's bounds are checked after). */
function readValue(setting: CommandSetting<unknown>, r: Raw): unknown {
  switch (setting.kind) {
    case 'boolean':
      return setting.cli?.negated ? !parseBoolean(r) : parseBoolean(r);
    case 'list': {
      const items = (Array.isArray(r.value) ? r.value : [String(r.value)]).flatMap((v) => v.split(','));
      return items.map((s) => s.trim()).filter((s) => s !== '');
    }
    case 'integer':
    case 'number': {
      const word = String(r.value).trim().toLowerCase();
      if (setting.words?.includes(word)) return word;
      if (setting.unit === 'ms') return parseDuration(r);
      if (setting.unit === 'bytes') return parseBytes(r);
      return parseInteger(r, setting.words);
    }
    case 'choice':
      return String(r.value).trim().toLowerCase();
    default:
      return String(r.value);
  }
}

/** One role's key: exactly one of `<role>-jwt-key`, `<role>-jwt-key-file`, `<role>-jwks-url` (role '' = shared). */
function keyFrom(
  role: '' | 'publisher' | 'subscriber',
  raw: (key: string) => Raw | undefined,
  algs: readonly string[] | undefined,
): KeyConfig | undefined {
  const keyOf = (name: string) => (role === '' ? name[0]!.toLowerCase() + name.slice(1) : `${role}${name}`);
  const candidates = (['JwtKey', 'JwtKeyFile', 'JwksUrl'] as const)
    .map((source) => [source, raw(keyOf(source))] as const)
    .filter((entry): entry is readonly [(typeof entry)[0], Raw] => entry[1] !== undefined);
  // Flags beat the environment: a key given on the command line replaces any key from variables.
  const fromFlags = candidates.filter(([, r]) => r.from.startsWith('--'));
  const chosen = fromFlags.length > 0 ? fromFlags : candidates;
  if (chosen.length === 0) return undefined;
  if (chosen.length > 1) {
    throw new CliConfigError(
      `Give one ${role ? `${role} ` : ''}key source, not ${chosen.map(([, r]) => r.from).join(' and ')}`,
    );
  }
  const [source, r] = chosen[0]!;
  const value = String(r.value);
  const algorithms = algs === undefined ? {} : { algorithms: [...algs] };
  if (source === 'JwtKey') {
    // A PEM key in an environment variable often has its newlines written as "\n".
    const pem = value.trimStart().startsWith('-----BEGIN') ? value.replace(/\\n/g, '\n') : value;
    return { key: pem, ...algorithms };
  }
  if (source === 'JwtKeyFile') return { keyFile: value, ...algorithms };
  // A JWKS "URL" without a scheme is a file path.
  return /^[a-z][a-z0-9+.-]*:/i.test(value)
    ? { jwksUrl: value, ...algorithms }
    : { jwksFile: value, ...algorithms };
}

function parseBoolean(r: Raw): boolean {
  if (typeof r.value === 'boolean') return r.value;
  const v = String(r.value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new CliConfigError(`${r.from} must be true or false, got "${String(r.value)}"`);
}

function parseInteger(r: Raw, words: readonly string[] = []): number {
  const v = String(r.value).trim().replace(/_/g, '');
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    const or = words.map((w) => ` or ${w}`).join('');
    throw new CliConfigError(`${r.from} must be a whole number >= 0${or}, got "${String(r.value)}"`);
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
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!);
  // `0.0001ms` must not turn a setting off (0) without saying so.
  if (ms === 0) throw new CliConfigError(`${r.from} must be 0 or at least 1ms, got "${v}"`);
  return ms;
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
