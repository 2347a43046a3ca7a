import { resolveSettings, type SettingsOf, SsehubError, setting } from '../protocol/index.js';

/**
 * What a stream does when its bounded outgoing buffer is full (docs/slow-consumers.md):
 * - `disconnect` (default): close the stream; the client reconnects with Last-Event-ID and catches up
 *   from history (Mercure's and Centrifugo's model).
 * - `drop-oldest`: discard the oldest queued events that have not reached the socket yet, counting them.
 * - `wait`: keep queueing up to the bound and report backpressure; the producer must `await drain()`.
 *   Past the bound the stream is closed with reason `overflow`: memory stays bounded even when the
 *   producer ignores backpressure.
 */
export type OverflowPolicy = 'disconnect' | 'drop-oldest' | 'wait';

/** Why a stream closed; reported to `onClose` listeners, `SseStream.closeReason` and channel counters. */
export type CloseReason =
  | 'client'
  | 'server'
  | 'overflow'
  | 'dispatch-timeout'
  | 'heartbeat-failed'
  | 'aborted'
  | 'shutdown';

/** Every close reason, for counters keyed by reason. */
export const CLOSE_REASONS: readonly CloseReason[] = [
  'client',
  'server',
  'overflow',
  'dispatch-timeout',
  'heartbeat-failed',
  'aborted',
  'shutdown',
];

/** Default bound on bytes queued for one client (our queue plus the socket's): 1 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The stream options of {@link openStream} and {@link sseResponse}, each defined once: kind, default,
 * bounds, meaning. `resolveStreamOptions`, the README "Options" table (`npm run docs:settings`) and the
 * hub's defaults for the same things are derived from these rows.
 */
export const STREAM_SETTINGS = {
  heartbeatMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 15_000,
    min: 0,
    help: 'Idle heartbeat comment interval (https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes "every 15 seconds or so"), sent within 1/8 interval after it is due; 0 disables. Reset by every write.',
  }),
  retry: setting<number | undefined>({
    kind: 'number',
    unit: 'ms',
    default: undefined,
    min: 0,
    help: '`retry:` sent on open.',
  }),
  retryJitter: setting<number>({
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    help: 'Random extra, as a fraction of `retry`, per connection, so a fleet of clients does not reconnect in step (docs/shutdown.md#spreading-the-reconnections).',
  }),
  maxBufferedBytes: setting<number>({
    kind: 'number',
    unit: 'bytes',
    default: DEFAULT_MAX_BUFFERED_BYTES,
    min: 1,
    help: "Bound on bytes waiting for this client (our queue plus the socket's buffer).",
  }),
  overflow: setting<OverflowPolicy>({
    kind: 'choice',
    default: 'disconnect',
    choices: ['disconnect', 'drop-oldest', 'wait'],
    help: 'What to do when the bound is reached: see "Slow readers and dead clients" below.',
  }),
  dispatchTimeoutMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 5000,
    min: 0,
    help: 'A write that makes no progress for this long closes the stream (`dispatch-timeout`); 0 disables.',
  }),
  signal: setting<AbortSignal | undefined>({
    kind: 'object',
    type: 'an AbortSignal',
    default: undefined,
    help: 'Aborting it closes the stream (`aborted`).',
  }),
  headers: setting<Record<string, string>>({
    kind: 'object',
    type: 'a record of header names to values',
    default: Object.freeze({}) as Record<string, string>,
    help: "Extra response headers (CORS, cursor headers). Hop-by-hop ones are dropped on HTTP/2 and Fetch. A `Cache-Control` here replaces the default `no-cache, no-transform` (the hub passes Mercure's); keep `no-transform` in it if `compression` or a transforming proxy may sit in front, or events wait in a gzip window. `Content-Type` and `X-Accel-Buffering` cannot be replaced.",
  }),
  lastEventIdParam: setting<string | false>({
    kind: 'text',
    default: 'lastEventId',
    also: [false],
    help: 'Query parameter read when the Last-Event-ID header is absent (clients that cannot set headers); `false` disables.',
  }),
};

/** Options for {@link openStream} and {@link sseResponse}: every field optional, see {@link STREAM_SETTINGS}. */
export type StreamOptions = Partial<SettingsOf<typeof STREAM_SETTINGS>>;

/** {@link StreamOptions} with every default applied. */
export type ResolvedStreamOptions = SettingsOf<typeof STREAM_SETTINGS>;

/** Thrown when an option is out of range, naming the option so the caller can fix it. */
export class InvalidOptionError extends SsehubError {
  static readonly code = 'SSEHUB_INVALID_OPTION';
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(InvalidOptionError.code, `Invalid ssehub option "${option}": ${reason}`);
  }
}

/** The defaults, resolved once and shared by every stream opened without options. */
let defaults: ResolvedStreamOptions | undefined;

/**
 * Applies defaults and checks each option against its row in {@link STREAM_SETTINGS}, so a typo fails at
 * open time rather than mid-stream; throws {@link InvalidOptionError} naming the option.
 */
export function resolveStreamOptions(options?: StreamOptions): ResolvedStreamOptions {
  if (options === undefined) {
    defaults ??= Object.freeze(resolveStreamOptions({}));
    return defaults;
  }
  return resolveSettings(STREAM_SETTINGS, options, (key, problem) => new InvalidOptionError(key, problem));
}

/** Stream cores shared by streams opened with equal options: bounded, so odd values cannot grow it. */
const cores = new Map<string, ResolvedStreamOptions>();
const MAX_SHARED_CORES = 64;

/**
 * What a stream keeps from its options once open: `resolved` without the open-time headers, one frozen
 * object for every stream opened with the same values (a server opening thousands of streams with
 * per-request headers keeps one copy, not one each: memory per idle connection). A `signal` is per
 * stream, so with one the options are kept as they are.
 */
export function streamCore(resolved: ResolvedStreamOptions): ResolvedStreamOptions {
  if (resolved.signal !== undefined) return resolved;
  const key = `${resolved.heartbeatMs}|${resolved.retry}|${resolved.retryJitter}|${resolved.maxBufferedBytes}|${resolved.overflow}|${resolved.dispatchTimeoutMs}|${String(resolved.lastEventIdParam)}`;
  let core = cores.get(key);
  if (core === undefined) {
    core = Object.freeze({ ...resolved, headers: STREAM_SETTINGS.headers.default });
    if (cores.size < MAX_SHARED_CORES) cores.set(key, core);
  }
  return core;
}
