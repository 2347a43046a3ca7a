import { SsehubError } from '../protocol/index.js';

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

/** Options for {@link openStream} and {@link sseResponse}. Every field has a safe default. */
export interface StreamOptions {
  /** Idle heartbeat comment interval in ms (https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes "every 15 seconds or so"); 0 disables. Reset by every write. */
  heartbeatMs?: number;
  /** `retry:` sent on open, in ms. */
  retry?: number;
  /** Fraction 0..1 of random jitter added to `retry`, so a fleet of clients does not reconnect in step (docs/shutdown.md#spreading-the-reconnections). */
  retryJitter?: number;
  /** Bound on bytes queued for this client, in our queue and the socket's. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** What to do when the bound is reached. Default `disconnect`. */
  overflow?: OverflowPolicy;
  /** A write that makes no progress for this long closes the stream (`dispatch-timeout`). Default 5000; 0 disables. */
  dispatchTimeoutMs?: number;
  /** Aborting it closes the stream with reason `aborted`. */
  signal?: AbortSignal;
  /**
   * Extra response headers (CORS, cursor headers...). Hop-by-hop headers are dropped on HTTP/2 and Fetch.
   * `Cache-Control` here replaces the default `no-cache, no-transform` (keep `no-transform` in it when
   * compression middleware may be on the path); `Content-Type` and `X-Accel-Buffering` cannot be replaced.
   */
  headers?: Record<string, string>;
  /** Query parameter read when the Last-Event-ID header is absent (clients that cannot set headers); `false` disables. */
  lastEventIdParam?: string | false;
}

/** Default bound on bytes queued for one client (our queue plus the socket's): 1 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/** {@link StreamOptions} with every default applied. */
export interface ResolvedStreamOptions {
  heartbeatMs: number;
  retry: number | undefined;
  retryJitter: number;
  maxBufferedBytes: number;
  overflow: OverflowPolicy;
  dispatchTimeoutMs: number;
  signal: AbortSignal | undefined;
  headers: Record<string, string>;
  lastEventIdParam: string | false;
}

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

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(name, `expected a finite number >= 0, got ${value}`);
  }
  return value;
}

/** The defaults, resolved once and shared by every stream opened without options. */
let defaults: ResolvedStreamOptions | undefined;

/** Applies defaults and validates ranges, so a typo fails at open time rather than mid-stream. */
export function resolveStreamOptions(options?: StreamOptions): ResolvedStreamOptions {
  if (options !== undefined) return resolveUncached(options);
  defaults ??= Object.freeze(resolveUncached({}));
  return defaults;
}

function resolveUncached(options: StreamOptions): ResolvedStreamOptions {
  const retryJitter = nonNegative('retryJitter', options.retryJitter, 0);
  if (retryJitter > 1) throw new InvalidOptionError('retryJitter', `expected 0..1, got ${retryJitter}`);
  const overflow = options.overflow ?? 'disconnect';
  if (overflow !== 'disconnect' && overflow !== 'drop-oldest' && overflow !== 'wait') {
    throw new InvalidOptionError(
      'overflow',
      `expected disconnect, drop-oldest or wait, got ${String(overflow)}`,
    );
  }
  const maxBufferedBytes = nonNegative(
    'maxBufferedBytes',
    options.maxBufferedBytes,
    DEFAULT_MAX_BUFFERED_BYTES,
  );
  if (maxBufferedBytes < 1) throw new InvalidOptionError('maxBufferedBytes', 'expected at least 1 byte');
  return {
    heartbeatMs: nonNegative('heartbeatMs', options.heartbeatMs, 15_000),
    retry: options.retry === undefined ? undefined : nonNegative('retry', options.retry, 0),
    retryJitter,
    maxBufferedBytes,
    overflow,
    dispatchTimeoutMs: nonNegative('dispatchTimeoutMs', options.dispatchTimeoutMs, 5000),
    signal: options.signal,
    headers: options.headers ?? {},
    lastEventIdParam: options.lastEventIdParam ?? 'lastEventId',
  };
}

/** Stream cores shared by streams opened with equal options: bounded, so odd values cannot grow it. */
const cores = new Map<string, ResolvedStreamOptions>();
const MAX_SHARED_CORES = 64;
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

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
    core = Object.freeze({ ...resolved, headers: NO_HEADERS });
    if (cores.size < MAX_SHARED_CORES) cores.set(key, core);
  }
  return core;
}
