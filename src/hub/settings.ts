/**
 * The hub's settings, each defined once: kind, default, bounds, help, and how the `ssehub` command sets it
 * (flag, environment). `resolveHubOptions`, `HUB_DEFAULTS`, `ssehub --help`, the README "Hub configuration"
 * table (`npm run docs:settings`) and the banner are all derived from these rows.
 *
 * Adding a setting is one row here: key (the `createHub` option name), `kind` (+ `unit` for ms/bytes),
 * `default`, bounds (`min`/`max`/`words`/`check`), `help`, and `cli` to expose it as `--flag` with its
 * `SSEHUB_<FLAG>` variable (plus `aliases` for Mercure's names). A setting that must agree with another
 * gets a rule in HUB_SETTING_RULES. Then run `npm run docs:settings` to refresh the README table.
 * In `help`, `{key}` names another setting; it is printed as its flag or as its option name.
 */
import { type Setting, setting } from '../protocol/index.js';
import { CHANNEL_SETTINGS, STREAM_SETTINGS } from '../server/index.js';

/** `--help` sections of the `ssehub` command, in display order. */
export const SECTIONS = [
  'Server',
  'Authorization',
  'Connections',
  'History and storage',
  'Operations',
] as const;
export type Section = (typeof SECTIONS)[number];

/** How the `ssehub` command sets a setting: `--<flag>` and `SSEHUB_<FLAG>`, then Mercure's `aliases`. */
export interface CliBinding {
  readonly flag: string;
  readonly section: Section;
  /** Mercure's environment names, read after the `SSEHUB_*` one. */
  readonly aliases?: readonly string[];
  /** Placeholder shown after the flag in `--help`. */
  readonly valueName?: string;
  /** `--no-x`: giving the flag sets the setting to false. */
  readonly negated?: boolean;
  /** The command's default, where it differs from the library's. */
  readonly defaultText?: string;
  /** What the flag does, where that reads differently from the setting's `help` (negated flags). */
  readonly help?: string;
}

/** A row of a settings table that the command line can set (hub settings and the command's own). */
export interface CommandSetting<T> extends Setting<T> {
  readonly cli?: CliBinding;
}

const row = <T>(r: CommandSetting<T>): CommandSetting<T> => setting(r) as CommandSetting<T>;
const MiB = 1024 * 1024;

/** `corsOrigins` entries: bare origins, `*`, never the `null` origin. */
function originsProblem(origins: readonly string[]): string | undefined {
  for (const origin of origins) {
    if (origin === 'null') {
      return 'must not contain "null": sandboxed iframes and file: pages send it, so allowing it allows them all (docs/security.md#cors)';
    }
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(origin)) {
      return `entries must be origins like "https://app.example.com" (no path), got "${origin}"`;
    }
  }
  return undefined;
}

/** `resourceIdentifier`: an absolute http(s) URL without query or fragment (RFC 9728 §1.2). */
function resourceIdentifierProblem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
    return `must be the hub's absolute URL without query or fragment, like "https://hub.example.com/.well-known/mercure"; got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Every tunable of `createHub` (the wiring options `transport`, `authorizer`, `logger`, `fallback` aside). */
export const HUB_SETTINGS = {
  corsOrigins: row<readonly string[]>({
    kind: 'list',
    default: [],
    check: originsProblem,
    help: 'Browser origins allowed cross-origin, with credentials (comma-separated, e.g. https://app.example.com); * answers any origin without credentials.',
    cli: { flag: 'cors-origins', section: 'Server', valueName: 'origins' },
  }),
  allowAnonymous: row<boolean>({
    kind: 'boolean',
    default: false,
    help: 'Let subscribers without a token in; they receive public updates only. Used when no authorizer is given.',
    cli: { flag: 'anonymous', section: 'Authorization', defaultText: 'off (on in development mode)' },
  }),
  heartbeatMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: 40_000,
    min: 0,
    help: 'Comment keep-alive after this much silence; 0 disables.',
    cli: { flag: 'heartbeat', section: 'Connections', valueName: 'duration' },
  }),
  dispatchTimeoutMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: STREAM_SETTINGS.dispatchTimeoutMs.default,
    min: 1,
    help: 'A subscriber whose single write takes longer is disconnected.',
    cli: { flag: 'dispatch-timeout', section: 'Connections', valueName: 'duration' },
  }),
  writeTimeoutMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: 600_000,
    min: 0,
    help: 'Maximum connection lifetime: each connection closes at a random moment between 80 % and 100 % of it, minus {dispatchTimeoutMs} (so its last write ends in time), with a jittered retry:. 0 disables; otherwise at least twice {dispatchTimeoutMs}.',
    cli: { flag: 'write-timeout', section: 'Connections', valueName: 'duration' },
  }),
  maxConnections: row<number>({
    kind: 'integer',
    default: 10_000,
    min: 0,
    help: 'Subscriber connections at once; over it clients get a jittered retry: and come back later. 0 = unlimited.',
    cli: { flag: 'max-connections', section: 'Connections', valueName: 'n' },
  }),
  subscriberQueueSize: row<number>({
    kind: 'integer',
    default: 1_000,
    min: 1,
    help: 'Updates queued for one subscriber before it is dropped as too slow.',
    cli: { flag: 'queue-size', section: 'Connections', valueName: 'n' },
  }),
  subscriberMaxBufferedBytes: row<number>({
    kind: 'integer',
    unit: 'bytes',
    default: STREAM_SETTINGS.maxBufferedBytes.default,
    min: 1,
    defaultText: '1MiB, or {maxBodyBytes} if larger',
    help: 'Bytes one subscriber may have waiting in its socket before it is dropped as too slow; an update whose frame is larger is refused with 413.',
    cli: { flag: 'max-buffered', section: 'Connections', valueName: 'size' },
  }),
  reconnectRetryMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: 5_000,
    min: 0,
    help: 'retry: sent when the hub closes a stream on purpose (lifetime end, token expiry, cap reached, shutdown), jittered 50-150 %.',
    cli: { flag: 'reconnect-retry', section: 'Connections', valueName: 'duration' },
  }),
  maxBodyBytes: row<number>({
    kind: 'integer',
    unit: 'bytes',
    default: MiB,
    min: 1,
    help: 'Largest publish body; larger gets 413.',
    cli: { flag: 'max-body', section: 'Connections', valueName: 'size' },
  }),
  bodyTimeoutMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: 30_000,
    min: 0,
    help: 'A publish body still incomplete after this long gets 408 and its connection is closed (slow clients); 0 disables.',
    cli: { flag: 'body-timeout', section: 'Connections', valueName: 'duration' },
  }),
  maxTopics: row<number>({
    kind: 'integer',
    default: 1_000,
    min: 1,
    help: 'Most topics per publish or subscription; more gets 400.',
    cli: { flag: 'max-topics', section: 'Connections', valueName: 'n' },
  }),
  historySize: row<number | 'unbounded'>({
    kind: 'integer',
    default: 10_000,
    min: 0,
    words: ['unbounded'],
    help: 'Updates kept for replay (Last-Event-ID) by the built-in storage engines: a count (0 keeps none) or unbounded.',
    cli: { flag: 'history-size', section: 'History and storage', valueName: 'n|unbounded' },
  }),
  historyTtlMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: 0,
    min: 0,
    // Not a timer's delay (the clean-up runs at least every minute), so longer than MAX_TIMER_MS: 10 years.
    max: 10 * 365 * 24 * 3_600_000,
    defaultText: 'none',
    help: "Updates accepted this long ago are no longer replayed (their Last-Event-ID is unknown, as one past {historySize}; the newest update's stays a known cursor with nothing to replay) and the built-in storage engines reclaim their space; with {historySize}, whichever keeps fewer wins. 0 = none: kept by count only.",
    cli: { flag: 'history-ttl', section: 'History and storage', valueName: 'duration' },
  }),
  historyScanLimit: row<number>({
    kind: 'integer',
    default: 10_000,
    min: 1,
    help: 'A Last-Event-ID older than this many updates is answered as unknown (earliest).',
    cli: { flag: 'history-scan-limit', section: 'History and storage', valueName: 'n' },
  }),
  topicSelectorCacheSize: row<number>({
    kind: 'integer',
    default: 100_000,
    min: 1,
    help: 'Entries in the (selector, topic) match cache.',
    cli: { flag: 'topic-cache-size', section: 'Operations', valueName: 'n' },
  }),
  fanOutWindowMs: row<number>({
    kind: 'integer',
    unit: 'ms',
    default: CHANNEL_SETTINGS.coalesceMs.default,
    min: 0,
    max: CHANNEL_SETTINGS.coalesceMs.max,
    help: 'Under load, updates arriving this soon after fan-outs that cost 1 ms of CPU together within one window (one to about 100 subscribers, or many smaller ones, across topics) go out together, one socket write per subscriber; idle updates go out at once. 0 disables.',
    cli: { flag: 'fan-out-window', section: 'Operations', valueName: 'duration' },
  }),
  subscriptions: row<boolean>({
    kind: 'boolean',
    default: false,
    help: 'Publish subscription events and serve /.well-known/mercure/subscriptions.',
    cli: { flag: 'subscriptions', section: 'Operations' },
  }),
  resourceIdentifier: row<string | undefined>({
    kind: 'text',
    default: undefined,
    defaultText: 'from the request',
    check: resourceIdentifierProblem,
    help: "The hub's public URL and Mercure 1.0 resource identifier, e.g. https://hub.example.com/.well-known/mercure: the aud access tokens must carry, the resource of the protected resource metadata, and the base URL of relative URL patterns and topics (Mercure 1.0 §Token Validation, §URL Pattern). Unset, it is derived per request from its scheme and Host (trusting the Host header; pin it when the hub answers to several names), with http://localhost/.well-known/mercure as the URL-pattern base.",
    cli: {
      flag: 'resource-identifier',
      section: 'Authorization',
      valueName: 'url',
      help: "Mercure 1.0: the hub's public URL (e.g. https://hub.example.com/.well-known/mercure), the aud access tokens must carry and the base of relative URL patterns.",
    },
  }),
  mercure0x: row<boolean>({
    kind: 'boolean',
    default: true,
    help: 'Serve Mercure 0.x next to 1.0: topic subscriptions, mercure-claim tokens, the authorization query parameter and the 0.x subscription documents. Turn off once every client speaks 1.0.',
    cli: {
      flag: 'no-mercure-0x',
      section: 'Authorization',
      negated: true,
      help: 'Serve Mercure 1.0 only: refuse topic= subscriptions and 0.x (mercure-claim) tokens.',
    },
  }),
  metrics: row<boolean>({
    kind: 'boolean',
    default: true,
    help: 'Serve /metrics, /healthz and /readyz.',
    cli: {
      flag: 'no-metrics',
      section: 'Operations',
      negated: true,
      help: 'Do not serve /metrics, /healthz and /readyz.',
    },
  }),
};

/** Resolved hub settings: one value per row of {@link HUB_SETTINGS}. */
export type HubSettings = {
  -readonly [K in keyof typeof HUB_SETTINGS]: (typeof HUB_SETTINGS)[K] extends CommandSetting<infer T>
    ? T
    : never;
};

/** A rule two or more settings must satisfy together; checked by `resolveHubOptions` at start-up. */
export interface HubSettingRule {
  readonly keys: readonly (keyof HubSettings)[];
  /** `error` refuses to start; `warning` is logged. */
  readonly severity: 'error' | 'warning';
  /** Why the values cannot work together (naming each setting with `name`), or undefined. */
  problem(settings: HubSettings, name: (key: keyof HubSettings) => string): string | undefined;
}

/** Rules between related hub settings (each one names every setting it involves). */
export const HUB_SETTING_RULES: readonly HubSettingRule[] = [
  {
    // The lifetime is 80-100 % of writeTimeoutMs minus dispatchTimeoutMs (so the last write still ends within
    // writeTimeoutMs): below twice the dispatch timeout that leaves next to nothing, and every stream closes
    // within a fraction of a second of opening, forever.
    keys: ['writeTimeoutMs', 'dispatchTimeoutMs'],
    severity: 'error',
    problem: (s, name) =>
      s.writeTimeoutMs === 0 || s.writeTimeoutMs >= 2 * s.dispatchTimeoutMs
        ? undefined
        : `${name('writeTimeoutMs')} (${s.writeTimeoutMs} ms) must be 0 or at least twice ${name('dispatchTimeoutMs')} (${s.dispatchTimeoutMs} ms): each connection lives 80-100 % of the write timeout minus the dispatch timeout, so streams would close almost as soon as they open. Raise the write timeout to at least ${2 * s.dispatchTimeoutMs} ms, lower the dispatch timeout, or set the write timeout to 0`,
  },
  {
    keys: ['subscriberMaxBufferedBytes', 'maxBodyBytes'],
    severity: 'warning',
    problem: (s, name) =>
      s.subscriberMaxBufferedBytes >= s.maxBodyBytes
        ? undefined
        : `${name('subscriberMaxBufferedBytes')} (${s.subscriberMaxBufferedBytes}) is below ${name('maxBodyBytes')} (${s.maxBodyBytes}): publishes whose update does not fit a subscriber's buffer are refused with 413`,
  },
  {
    keys: ['historyTtlMs', 'historySize'],
    severity: 'warning',
    problem: (s, name) =>
      s.historyTtlMs === 0 || s.historySize !== 0
        ? undefined
        : `${name('historyTtlMs')} (${s.historyTtlMs} ms) has no effect: ${name('historySize')} is 0, so no update is kept for replay at all`,
  },
  {
    keys: ['heartbeatMs', 'writeTimeoutMs', 'dispatchTimeoutMs'],
    severity: 'warning',
    problem: (s, name) =>
      s.heartbeatMs === 0 ||
      s.writeTimeoutMs === 0 ||
      s.heartbeatMs < 0.8 * s.writeTimeoutMs - s.dispatchTimeoutMs
        ? undefined
        : `${name('heartbeatMs')} (${s.heartbeatMs} ms) is not shorter than the shortest connection lifetime set by ${name('writeTimeoutMs')} and ${name('dispatchTimeoutMs')}: no keep-alive is ever sent, so a proxy's idle timeout may cut streams`,
  },
];

/** `{key}` references in a help text, printed with `name` (a flag for the command, the key for the library). */
export function renderHelp(text: string, name: (key: string) => string): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => name(key));
}
