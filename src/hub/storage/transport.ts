import type { Registry } from 'prom-client';
import { SsehubError } from '../../protocol/index.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import type { Update } from './update.js';

/** The result of asking a transport for history after a given id. */
export interface ReplayResult {
  /**
   * False when `afterId` is neither `earliest` nor an id the transport still holds in history (never
   * issued, evicted by count, expired by age) or it was beyond the scan bound. One exception: the newest
   * update's id stays found once expired, with no updates (a client at it missed nothing).
   */
  readonly found: boolean;
  /** Updates strictly after `afterId`, oldest first (every held update for `earliest`). Empty when not found. */
  readonly updates: readonly Update[];
  /**
   * The update `afterId` names, when found (not for `earliest`). Optional for a transport, but give it: the
   * hub then treats a cursor naming a private update the subscriber may not read as unknown, so neither the
   * cursor headers nor the replay confirm that such an id exists (docs/security.md#private-updates).
   */
  readonly cursor?: Update;
}

/**
 * Where updates are stored and how they reach every subscriber: the one seam between the hub and its
 * storage engines (in-memory, SQLite, and Redis for several nodes). Mirrors Mercure's Transport.
 *
 * Ordering rule: `listen` delivers updates in the same order `replay` returns them, so a subscriber
 * that starts listening, then replays, then drops live updates whose id it already replayed, sees no
 * gap and no duplicate.
 */
export interface Transport {
  /**
   * Stores the update (durably, for persistent engines) and delivers it to every listener, on every node.
   * Resolves only once the update is acknowledged: a crash after that must not lose it.
   * Rejects with `DuplicateUpdateIdError` when the id is already held.
   */
  dispatch(update: Update): Promise<void>;
  /** Registers a live listener; returns the function that removes it. */
  listen(listener: (update: Update) => void): () => void;
  /**
   * History after `afterId` (`'earliest'` for everything held). Scans at most `scanLimit` entries to find
   * `afterId` (Mercure's history scan bound); not finding it within the bound answers `found: false`.
   * With `historyTtlMs`, the id of the newest update (always kept) is found even once it expired: no
   * updates, and `cursor` that update, so a subscriber that had everything is not told it missed some.
   * Any other expired id is unknown, and `earliest` returns nothing expired.
   */
  replay(afterId: string, scanLimit: number): Promise<ReplayResult>;
  /**
   * Id of the newest update stored, even when history no longer replays it (`historySize` 0, expired by
   * age), or undefined before the first one.
   */
  lastEventId(): Promise<string | undefined>;
  /** Number of updates held in history, expired ones not counted (for metrics). */
  historySize(): Promise<number>;
  /** Releases resources; pending dispatches settle first. */
  close(): Promise<void>;
  /**
   * Optional, for engines shared by several nodes: registers `handler`, called when this node's live feed
   * skipped updates (it fell further behind than the engine lets it catch up, or the engine lost data).
   * The hub then closes every open stream with a `retry:` so clients reconnect with their Last-Event-ID
   * and replay what they missed. Returns the function that removes the handler.
   */
  onResync?(handler: () => void): () => void;
  /**
   * Optional, for engines shared by several nodes: every node's active subscriptions, so the subscriptions
   * API lists them all. Without it the hub lists its own.
   */
  readonly subscriptions?: SubscriptionRegistry;
  /** Optional: adds the engine's own metrics to the hub's Prometheus registry (served at `/metrics`). */
  registerMetrics?(registry: Registry): void;
}

/** Rejected by {@link Transport.dispatch} when a publisher reuses an id the hub already holds. */
export class DuplicateUpdateIdError extends SsehubError {
  static readonly code = 'SSEHUB_DUPLICATE_ID';
  override readonly name = 'DuplicateUpdateIdError';
  constructor(readonly id: string) {
    super(
      DuplicateUpdateIdError.code,
      `An update with id "${id}" already exists; ids must be unique, omit "id" to let the hub generate one`,
    );
  }
}

/**
 * Rejected by {@link Transport.dispatch} (and reads) when the storage engine cannot be reached or refused
 * the write: the update was not acknowledged. The hub answers 503 with `Retry-After: retryAfterSeconds`.
 */
export class TransportUnavailableError extends SsehubError {
  static readonly code = 'SSEHUB_TRANSPORT_UNAVAILABLE';
  override readonly name = 'TransportUnavailableError';
  constructor(
    message: string,
    /** Seconds a client should wait before trying again. */
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(TransportUnavailableError.code, message, options);
  }
}
