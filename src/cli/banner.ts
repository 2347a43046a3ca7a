import {
  type CommandSetting,
  HUB_PATH,
  HUB_SETTINGS,
  type HubOptions,
  type HubSettings,
} from '../hub/index.js';
import { formatSettingValue } from '../protocol/index.js';
import type { Certificate, CertificateFiles } from './certificate.js';
import type { StorageConfig } from './config.js';

/** What the `ssehub` command prints once it listens: where things are and what to type next. */
export interface BannerInput {
  readonly version: string;
  readonly origin: string;
  /**
   * `keys`: the web UI is off because keys are configured (its demo publishes without a token);
   * `dashboard`: the dashboard alone (`--dashboard`), for a token that may read the subscriptions.
   */
  readonly ui: 'web-ui' | 'landing' | 'keys' | 'dashboard' | 'none';
  readonly devMode: boolean;
  readonly anonymous: boolean;
  readonly canPublish: boolean;
  readonly publisherToken: string | undefined;
  /** When the printed publisher token expires (keys configured: a one-hour token); absent in development mode. */
  readonly publisherTokenExpiresAt?: Date;
  readonly subscriberToken: string | undefined;
  readonly storage: string;
  /** The TLS line ({@link describeTls}); absent for plain HTTP. */
  readonly tls?: string;
  /** A self-signed certificate's file: the printed curl commands trust it with `--cacert`. */
  readonly caFile?: string;
  /** The cookie a browser's `EventSource` carries a Mercure 0.x token in. Default `mercureAuthorization`. */
  readonly cookieName?: string;
  /** The hub accepts the token in the `authorization` query parameter (Mercure 0.x is on). Default true. */
  readonly queryToken?: boolean;
  /** Hub settings that differ from their defaults, as `--flag value` ({@link nonDefaultSettings}). */
  readonly settings?: readonly string[];
}

/** The settings that bound history: by count and by age. */
export type HistoryLimits = Pick<HubSettings, 'historySize' | 'historyTtlMs'>;

/**
 * What history keeps, in words: `no history: ...`, `unbounded history`, `history of 10000 updates`, with
 * `up to 10m old` when it also expires by age.
 */
export function describeHistory({ historySize, historyTtlMs }: HistoryLimits): string {
  if (historySize === 0) return 'no history: Last-Event-ID cannot replay';
  const count =
    historySize === 'unbounded'
      ? 'unbounded history'
      : `history of ${historySize} update${historySize === 1 ? '' : 's'}`;
  if (historyTtlMs === 0) return count;
  const age = `up to ${formatSettingValue(HUB_SETTINGS.historyTtlMs, historyTtlMs)} old`;
  return historySize === 'unbounded' ? `history ${age}` : `${count} ${age}`;
}

/** The storage line of the banner, from the engine, the resolved history limits and the worker count. */
export function describeStorage(
  storage: StorageConfig,
  limits: HistoryLimits,
  workers: number | 'auto' = 1,
): string {
  const history = describeHistory(limits);
  if (storage.kind === 'sqlite')
    return `SQLite ${storage.path} (durability ${storage.durability}, ${history})`;
  if (storage.kind === 'redis') {
    const url = new URL(storage.url);
    const processes = workers === 1 ? '' : `, ${workers} workers`;
    return `Redis ${url.protocol}//${url.host}${url.pathname} (key prefix ${storage.keyPrefix ?? '{ssehub}:'}, ${history}${processes})`;
  }
  return `memory (${history}, lost on restart)`;
}

/** The TLS line of the banner: which certificate, until when, and how to reload it (`pid` gets SIGHUP). */
export function describeTls(files: CertificateFiles, certificate: Certificate, pid: number): string {
  const expired = certificate.validTo.getTime() <= Date.now() ? ' (EXPIRED)' : '';
  return `HTTP/2 and HTTP/1.1, ${files.certPath} (${certificate.subject}, valid until ${certificate.validTo.toISOString()}${expired}); after renewing: kill -HUP ${pid}`;
}

/**
 * Hub settings given on the command line that differ from their defaults, as `--flag value`. Settings
 * whose command default differs from the library's (`--anonymous`, on in development mode) are left out.
 */
export function nonDefaultSettings(hub: HubOptions): string[] {
  const out: string[] = [];
  const rows = Object.entries(HUB_SETTINGS) as [keyof HubSettings, CommandSetting<unknown>][];
  for (const [key, row] of rows) {
    const value: unknown = hub[key];
    const cli = row.cli;
    if (value === undefined || cli === undefined || cli.defaultText !== undefined) continue;
    const shown = formatSettingValue(row, value);
    if (shown === formatSettingValue(row, row.default)) continue;
    if (row.kind !== 'boolean') out.push(`--${cli.flag} ${shown}`);
    else out.push(value === !cli.negated ? `--${cli.flag}` : `--${cli.flag}=false`);
  }
  return out;
}

const EXAMPLE_TOPIC = 'https://example.com/books/1';

/** The subscribe selector that lets a token read every subscription, and so the dashboard. */
export const DASHBOARD_GRANT = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';

/** Shell single-quoting, so printed commands paste safely. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The startup text (plain, for people; logs go to stdout as JSON). In development mode it carries the
 * generated tokens and a copy-paste `curl` publish (docs/security.md#safe-defaults-of-the-command). Tokens appear here only, never in logs.
 */
export function bannerText(input: BannerInput): string {
  const hub = `${input.origin}/.well-known/mercure`;
  const subscribeUrl = `${hub}?topic=${encodeURIComponent(EXAMPLE_TOPIC)}`;
  const lines = ['', `ssehub ${input.version} is listening on ${input.origin}`, '', `  Hub:      ${hub}`];
  if (input.ui === 'web-ui') lines.push(`  Web UI:   ${input.origin}/`);
  if (input.ui === 'landing')
    lines.push(`  Web UI:   not built (run "npm run build"); ${input.origin}/ explains the endpoints`);
  if (input.ui === 'keys')
    lines.push(
      '  Web UI:   off with keys (its demo publishes without a token); --dashboard serves the dashboard alone',
    );
  if (input.ui === 'dashboard') {
    lines.push(
      `  Web UI:   ${input.origin}/dashboard alone (for a subscriber token that may read the subscriptions:`,
      `            ssehub token --subscribe ${sq(DASHBOARD_GRANT)})`,
    );
  }
  lines.push(
    `  Health:   ${input.origin}/healthz   Metrics: ${input.origin}/metrics`,
    `  Storage:  ${input.storage}`,
  );
  if (input.tls !== undefined) lines.push(`  TLS:      ${input.tls}`);
  if (input.settings !== undefined && input.settings.length > 0) {
    lines.push(`  Settings: ${input.settings.join(', ')} (the rest as in ssehub --help)`);
  }
  lines.push('');
  if (input.devMode) {
    lines.push(
      'Development mode: no key was configured, so a random key was generated for this run only.',
      'Anonymous subscribers are allowed (they receive public updates). Configure a key before exposing',
      'the hub (ssehub --help, section AUTHORIZATION).',
      '',
    );
  }
  if (input.publisherToken) {
    const expiry = input.publisherTokenExpiresAt
      ? `, until ${input.publisherTokenExpiresAt.toISOString()}; a longer one: ssehub token --publish '*' --expires 30d`
      : '';
    lines.push(
      `Publisher token (may publish to and subscribe to every topic${expiry}):`,
      `  export SSEHUB_PUBLISHER_TOKEN=${input.publisherToken}`,
      '',
    );
  }
  if (input.subscriberToken) {
    lines.push(
      'Subscriber token (receives private updates of every topic):',
      `  export SSEHUB_SUBSCRIBER_TOKEN=${input.subscriberToken}`,
      '',
    );
  }
  const curl = input.caFile === undefined ? 'curl' : `curl --cacert ${sq(input.caFile)}`;
  lines.push('Subscribe (leave it running in another terminal):');
  if (input.anonymous) lines.push(`  ${curl} -N ${sq(subscribeUrl)}`);
  else if (input.subscriberToken) {
    lines.push(`  ${curl} -N -H "Authorization: Bearer $SSEHUB_SUBSCRIBER_TOKEN" ${sq(subscribeUrl)}`);
  } else {
    // No subscriber token was printed: say where the one the command uses comes from.
    lines.push(
      `  ${curl} -N -H "Authorization: Bearer $SUBSCRIBER_TOKEN" ${sq(subscribeUrl)}`,
      `  ($SUBSCRIBER_TOKEN: a JWT the hub's subscriber key verifies, e.g. export SUBSCRIBER_TOKEN="$(ssehub token --subscribe ${sq(EXAMPLE_TOPIC)})")`,
    );
  }
  if (input.anonymous) lines.push(`  or in a browser: new EventSource(${JSON.stringify(subscribeUrl)})`);
  else {
    // An EventSource cannot send an Authorization header: say what carries the token instead.
    const url = JSON.stringify(subscribeUrl);
    lines.push(
      `  or in a browser (an EventSource sends no headers): the token in the "${input.cookieName ?? 'mercureAuthorization'}" cookie`,
      `  for ${HUB_PATH} and new EventSource(${url}, { withCredentials: true }),`,
      ...(input.queryToken === false
        ? []
        : [`  or ${url.slice(0, -1)}&authorization=<token>" (the token then shows in access logs),`]),
      "  or the ssehub client: streamEvents(url, { headers: { Authorization: 'Bearer <token>' } })",
    );
  }
  lines.push('');
  if (input.canPublish) {
    const auth = input.publisherToken
      ? `Authorization: Bearer ${input.publisherToken}`
      : 'Authorization: Bearer $PUBLISHER_TOKEN';
    lines.push(
      'Publish:',
      `  ${curl} -H ${input.publisherToken ? sq(auth) : `"${auth}"`} -d ${sq(`topic=${EXAMPLE_TOPIC}`)} --data-urlencode ${sq('data={"title":"Hello from ssehub"}')} ${hub}`,
      '',
    );
    if (!input.publisherToken) {
      lines.push(
        "  ($PUBLISHER_TOKEN: a JWT signed with your publisher's private key: ssehub token --publish '*' --signing-key-file <pem>)",
        '',
      );
    }
  } else {
    lines.push('Publishing over HTTP is off: no publisher key is configured.', '');
  }
  lines.push('Stop with Ctrl+C (SIGINT) or SIGTERM: open streams are drained, then the hub exits.', '');
  return lines.join('\n');
}
