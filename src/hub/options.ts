import type { IncomingMessage, ServerResponse } from 'node:http';
import { SsehubError } from '../protocol/index.js';
import { DEFAULT_COALESCE_MS, MAX_COALESCE_MS } from '../server/index.js';
import type { Authorizer } from './auth/access.js';
import type { Transport } from './storage/transport.js';

/**
 * A pino-shaped logger: `logger.info({ key: value }, 'message')`. A pino `Logger` fits as is; any
 * object with these four methods works (the hub never calls anything else).
 */
export interface HubLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Handles requests that are not for the hub (the web UI plugs in here). */
export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Everything `createHub` accepts. Every field is optional; defaults mirror the reference Mercure hub
 * v0.24.2 (https://mercure.rocks/docs/hub/config) unless stated otherwise.
 */
export interface HubOptions {
  /**
   * Where updates are stored and fanned out: a transport, or a function creating one. Default: an
   * in-memory transport keeping the last {@link HubOptions.historySize} updates. The hub closes it on
   * `hub.close()`.
   */
  transport?: Transport | (() => Transport);
  /** Bound on the default in-memory history, in updates (ignored when `transport` is given). Default 10,000. */
  historySize?: number;
  /**
   * Decides who may publish and subscribe (JWT, `./auth`). Without one, nobody may publish over HTTP
   * (401) and subscribing is allowed only when {@link HubOptions.allowAnonymous} is true, anonymously.
   */
  authorizer?: Authorizer;
  /**
   * Whether requests without a token may subscribe, to public updates only (Mercure `anonymous`).
   * Used only when no `authorizer` is given; a JWT authoriser carries its own setting. Default false.
   */
  allowAnonymous?: boolean;
  /**
   * Origins allowed to use the hub from browsers, answered with credentials (docs/security.md#cors). The
   * literal `null` is refused. `'*'` answers any origin **without** credentials (only sensible for a fully
   * anonymous hub). Default none (no CORS headers).
   */
  corsOrigins?: readonly string[];
  /** Comment keep-alive interval after the last write, in ms; 0 disables. Default 40,000 (Mercure `heartbeat`). */
  heartbeatMs?: number;
  /** Longest time one write to one subscriber may take before it is disconnected, in ms. Default 5,000. */
  dispatchTimeoutMs?: number;
  /**
   * Maximum connection lifetime in ms (Mercure `write_timeout`), randomised per connection to 80-100 % so
   * reconnections spread out; 0 disables. Default 600,000.
   */
  writeTimeoutMs?: number;
  /** Updates one subscriber may have queued before it is disconnected as too slow. Default 1,000. */
  subscriberQueueSize?: number;
  /**
   * Bytes one subscriber may have waiting for its socket before it is disconnected as too slow. One
   * update must fit: keep it at least `maxBodyBytes` (a smaller value is logged as a warning); an update
   * whose encoded frame is larger (many lines of data) is refused at publish with 413. Default 1 MiB,
   * or `maxBodyBytes` if larger.
   */
  subscriberMaxBufferedBytes?: number;
  /** Largest accepted publish body in bytes; larger gets 413. Default 1 MiB (Mercure `max_request_body_size`). */
  maxBodyBytes?: number;
  /**
   * Longest time a publish body may take to arrive, in ms, from the moment the hub starts reading it; a body
   * still incomplete then (a client trickling bytes, slow-loris) gets 408 and the connection is closed.
   * 0 disables (then only the HTTP server's own `requestTimeout` applies). Default 30,000.
   */
  bodyTimeoutMs?: number;
  /** Most topics per publish and per subscription; more gets 400. Default 1,000. */
  maxTopics?: number;
  /**
   * Most simultaneous subscriber connections; 0 means unlimited. Over the cap a subscriber gets
   * `200 text/event-stream` with a jittered `retry:` and an immediate close, so EventSource retries later
   * instead of failing for good (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model). Default 10,000.
   */
  maxConnections?: number;
  /**
   * Base reconnection delay in ms sent as `retry:` when the hub closes a stream on purpose (connection cap,
   * shutdown), jittered to 50-150 % per connection to spread reconnections. Default 5,000.
   */
  reconnectRetryMs?: number;
  /** Most history entries scanned to find a `Last-Event-ID` (Mercure scan guard). Default 10,000. */
  historyScanLimit?: number;
  /** Entries in the (selector, topic) match cache. Default 100,000 (reference hub constant). */
  topicSelectorCacheSize?: number;
  /**
   * Adaptive fan-out coalescing window in ms, 0..50; default 2; 0 fans every update out at once. While
   * fan-outs are cheap each update goes out at once; once one has cost 1 ms of CPU (about 100
   * subscribers), the updates arriving in the next `fanOutWindowMs` go out together, each subscriber's
   * socket sending them in one write: fewer writes under load, latency bounded by the window.
   */
  fanOutWindowMs?: number;
  /** Publish subscription events and serve the subscriptions API (Mercure `subscriptions`). Default false. */
  subscriptions?: boolean;
  /**
   * The hub's public URL and Mercure 1.0 resource identifier, e.g. `https://hub.example.com/.well-known/mercure`:
   * the `aud` access tokens must carry, the `resource` of the protected resource metadata, and the base URL
   * of relative URL patterns and topics (Mercure 1.0 §Token Validation, §URL Pattern). Default: derived per
   * request from its scheme and Host (trusting the Host header; pin it when the hub answers to several
   * names), and `http://localhost/.well-known/mercure` as the URL-pattern base.
   */
  resourceIdentifier?: string;
  /**
   * Serve Mercure 0.x next to 1.0: `topic` subscriptions, `mercure`-claim tokens, the `authorization` query
   * parameter and the 0.x subscription documents. Turn off once every client speaks 1.0. Default true.
   */
  mercure0x?: boolean;
  /** Serve `/metrics`, `/healthz` and `/readyz`. Default true. */
  metrics?: boolean;
  /** Requests for other paths: default answers 404 (or calls Express's `next`). */
  fallback?: FallbackHandler;
  /** Structured logger (pino). Default: silent. */
  logger?: HubLogger;
}

/** {@link HubOptions} with every default applied. */
export interface ResolvedHubOptions {
  readonly transport: Transport | (() => Transport) | undefined;
  readonly historySize: number;
  readonly authorizer: Authorizer | undefined;
  readonly allowAnonymous: boolean;
  readonly corsOrigins: readonly string[];
  readonly heartbeatMs: number;
  readonly dispatchTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly subscriberQueueSize: number;
  readonly subscriberMaxBufferedBytes: number;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly maxTopics: number;
  readonly maxConnections: number;
  readonly reconnectRetryMs: number;
  readonly historyScanLimit: number;
  readonly topicSelectorCacheSize: number;
  readonly fanOutWindowMs: number;
  readonly subscriptions: boolean;
  readonly resourceIdentifier: string | undefined;
  readonly mercure0x: boolean;
  readonly metrics: boolean;
  readonly fallback: FallbackHandler | undefined;
  readonly logger: HubLogger;
}

/** Defaults for every numeric and boolean option (https://mercure.rocks/docs/hub/config). */
export const HUB_DEFAULTS = Object.freeze({
  historySize: 10_000,
  allowAnonymous: false,
  heartbeatMs: 40_000,
  dispatchTimeoutMs: 5_000,
  writeTimeoutMs: 600_000,
  subscriberQueueSize: 1_000,
  subscriberMaxBufferedBytes: 1024 * 1024,
  maxBodyBytes: 1024 * 1024,
  bodyTimeoutMs: 30_000,
  maxTopics: 1_000,
  maxConnections: 10_000,
  reconnectRetryMs: 5_000,
  historyScanLimit: 10_000,
  topicSelectorCacheSize: 100_000,
  fanOutWindowMs: DEFAULT_COALESCE_MS,
  subscriptions: false,
  mercure0x: true,
  metrics: true,
});

/** Thrown by `createHub` for an option value that cannot work; the message names the option and the fix. */
export class HubConfigError extends SsehubError {
  static readonly code = 'SSEHUB_HUB_CONFIG';
  override readonly name = 'HubConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(HubConfigError.code, message, options);
  }
}

const silent = (): void => {};
/** A logger that discards everything. */
export const SILENT_LOGGER: HubLogger = Object.freeze({
  debug: silent,
  info: silent,
  warn: silent,
  error: silent,
});

function count(name: keyof typeof HUB_DEFAULTS, value: number | undefined, min: number): number {
  const fallback = HUB_DEFAULTS[name] as number;
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new HubConfigError(`Hub option "${name}" must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function atMost(name: string, value: number, max: number): number {
  if (value > max) throw new HubConfigError(`Hub option "${name}" must be at most ${max}, got ${value}`);
  return value;
}

/** Applies defaults and validates every option; throws {@link HubConfigError} on a value that cannot work. */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const corsOrigins = [...(options.corsOrigins ?? [])];
  for (const origin of corsOrigins) {
    if (origin === 'null') {
      throw new HubConfigError(
        'Hub option "corsOrigins" must not contain "null": sandboxed iframes and file: pages send it (docs/security.md#cors)',
      );
    }
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(origin)) {
      throw new HubConfigError(
        `Hub option "corsOrigins" entries must be origins like "https://app.example.com" (no path), got "${origin}"`,
      );
    }
  }
  const maxBodyBytes = count('maxBodyBytes', options.maxBodyBytes, 1);
  // Unset, the socket bound grows with the body limit, so raising maxBodyBytes alone just works.
  const subscriberMaxBufferedBytes =
    options.subscriberMaxBufferedBytes === undefined
      ? Math.max(HUB_DEFAULTS.subscriberMaxBufferedBytes, maxBodyBytes)
      : count('subscriberMaxBufferedBytes', options.subscriberMaxBufferedBytes, 1);
  const logger = options.logger ?? SILENT_LOGGER;
  if (subscriberMaxBufferedBytes < maxBodyBytes) {
    // Allowed (a deployment may know its updates are small), but worth saying: one update larger than the
    // bound disconnects every subscriber that receives it.
    logger.warn(
      { subscriberMaxBufferedBytes, maxBodyBytes },
      'subscriberMaxBufferedBytes is below maxBodyBytes: an update larger than it disconnects its subscribers',
    );
  }
  return Object.freeze({
    transport: options.transport,
    historySize: count('historySize', options.historySize, 0),
    authorizer: options.authorizer,
    allowAnonymous: options.allowAnonymous ?? HUB_DEFAULTS.allowAnonymous,
    corsOrigins: Object.freeze(corsOrigins),
    heartbeatMs: count('heartbeatMs', options.heartbeatMs, 0),
    dispatchTimeoutMs: count('dispatchTimeoutMs', options.dispatchTimeoutMs, 1),
    writeTimeoutMs: count('writeTimeoutMs', options.writeTimeoutMs, 0),
    subscriberQueueSize: count('subscriberQueueSize', options.subscriberQueueSize, 1),
    subscriberMaxBufferedBytes,
    maxBodyBytes,
    bodyTimeoutMs: count('bodyTimeoutMs', options.bodyTimeoutMs, 0),
    maxTopics: count('maxTopics', options.maxTopics, 1),
    maxConnections: count('maxConnections', options.maxConnections, 0),
    reconnectRetryMs: count('reconnectRetryMs', options.reconnectRetryMs, 0),
    historyScanLimit: count('historyScanLimit', options.historyScanLimit, 1),
    topicSelectorCacheSize: count('topicSelectorCacheSize', options.topicSelectorCacheSize, 1),
    fanOutWindowMs: atMost(
      'fanOutWindowMs',
      count('fanOutWindowMs', options.fanOutWindowMs, 0),
      MAX_COALESCE_MS,
    ),
    subscriptions: options.subscriptions ?? HUB_DEFAULTS.subscriptions,
    resourceIdentifier: resourceIdentifierOption(options.resourceIdentifier),
    mercure0x: options.mercure0x ?? HUB_DEFAULTS.mercure0x,
    metrics: options.metrics ?? HUB_DEFAULTS.metrics,
    fallback: options.fallback,
    logger,
  });
}

/** Validates `resourceIdentifier`: an absolute http(s) URL without query or fragment (RFC 9728 §1.2). */
function resourceIdentifierOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
    throw new HubConfigError(
      `Hub option "resourceIdentifier" must be the hub's absolute URL without query or fragment, like "https://hub.example.com/.well-known/mercure"; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
