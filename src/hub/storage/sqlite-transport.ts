import { settingProblem } from '../../protocol/index.js';
import { HubConfigError } from '../options.js';
import { HUB_SETTINGS } from '../settings.js';
import { HistoryExpiry } from './history-expiry.js';
import { ListenerSet } from './listener-set.js';
import {
  isUniqueViolation,
  openOwnedSqlite,
  type SqliteDatabase,
  type SqliteStatement,
} from './sqlite-driver.js';
import { DuplicateUpdateIdError, type ReplayResult, type Transport } from './transport.js';
import type { Update } from './update.js';

/** Options of {@link SqliteTransport}. */
export interface SqliteTransportOptions {
  /** Database file; created if missing. `:memory:` works for tests but persists nothing. */
  readonly path: string;
  /**
   * Most updates kept for replay: a count (0 keeps none: replay finds nothing, as with the memory
   * transport) or `'unbounded'` (never pruned; Mercure Bolt's `size 0`). Default: the hub's `historySize`.
   */
  readonly historySize?: number | 'unbounded';
  /** Old rows are deleted every this many dispatches (replay never sees them in between). Default 100. */
  readonly pruneEvery?: number;
  /**
   * Age limit of history in ms: an update accepted this long ago is no longer replayed (its id is
   * unknown), whatever `historySize` allows; its row is deleted by a timer (every TTL, between 1 s and
   * 1 min) and by the count pruning. 0 or unset: kept by count only. Default: the hub's `historyTtlMs`.
   */
  readonly historyTtlMs?: number;
  /** The clock expiry is measured with, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * `full` (default): every commit is fsynced, so an acknowledged publish survives a power loss.
   * `normal`: WAL commits are not fsynced; an acknowledged publish still survives a crash or SIGKILL of
   * the process (the commit is in the WAL file, in the OS page cache), but the last commits may be lost on
   * power loss or OS crash. Faster on slow disks.
   */
  readonly durability?: 'full' | 'normal';
}

interface Row {
  seq: number;
  id: string;
  topics: string;
  data: string;
  private: number;
  type: string | null;
  retry: number | null;
}

interface Pending {
  readonly update: Update;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Schema version stored in `PRAGMA user_version`; a file written by another version is refused. */
const SCHEMA_VERSION = 1;

/**
 * The persistent embedded transport: updates in one SQLite file in WAL mode, so a hub
 * killed with SIGKILL and restarted loses no acknowledged publish and subscribers resume from their
 * Last-Event-ID.
 *
 * - One table, `updates`, ordered by an AUTOINCREMENT `seq` (never reused, so ids map to one hub-wide
 *   sequence, https://mercure.rocks/spec#reconciliation) with a UNIQUE `id` (a reused id is refused with
 *   {@link DuplicateUpdateIdError}, avoiding ambiguous cursors, Mercure #586).
 * - Group commit: dispatches made in the same event-loop turn are inserted in one transaction (one fsync),
 *   then listeners are notified in sequence order, then each `dispatch` promise resolves. Insert, notify and
 *   every read run synchronously, so a replay can never observe a committed update that live listeners
 *   have not been given yet (the {@link Transport} ordering rule).
 * - History is bounded to `historySize` entries: replay only considers the newest `historySize` rows, and
 *   older rows are deleted every `pruneEvery` dispatches. With `historyTtlMs`, replay also skips rows whose
 *   `accepted_at` (indexed, never decreasing with `seq`) is older, and a timer deletes them; the newest
 *   row is never deleted, and its id stays a known cursor once expired.
 * - The file is opened in exclusive locking mode: a second process opening it fails at startup instead of
 *   silently missing the first one's live updates (fan-out is in-process).
 */
export class SqliteTransport implements Transport {
  readonly #db: SqliteDatabase;
  /** Replayable rows; Infinity when unbounded. */
  readonly #historySize: number;
  readonly #pruneEvery: number;
  readonly #listeners = new ListenerSet();
  readonly #insert: SqliteStatement<never>;
  readonly #byId: SqliteStatement<Row>;
  readonly #after: SqliteStatement<Row>;
  readonly #lo: SqliteStatement<{ lo: number | null }>;
  readonly #hi: SqliteStatement<{ hi: number | null }>;
  readonly #newest: SqliteStatement<{ id: string }>;
  readonly #prune: SqliteStatement<never>;
  readonly #expiry: HistoryExpiry;
  /** Newest row accepted at or before a time: the end of the expired prefix. */
  readonly #expiredUpTo: SqliteStatement<{ seq: number | null }>;
  readonly #pruneExpired: SqliteStatement<never>;
  /** Accept time of the newest row, so times never decrease even if the clock steps back. */
  #newestAcceptedAt: number;
  readonly #stopPruning: () => void;
  readonly #commit: (batch: readonly Pending[]) => (Pending & { error?: unknown })[];
  #queue: Pending[] = [];
  #flushScheduled = false;
  #sinceLastPrune = 0;
  #closed = false;

  constructor(options: SqliteTransportOptions) {
    const historySize = options.historySize ?? HUB_SETTINGS.historySize.default;
    const problem = settingProblem(HUB_SETTINGS.historySize, historySize);
    if (problem !== undefined) throw new HubConfigError(`SqliteTransport historySize ${problem}`);
    const pruneEvery = options.pruneEvery ?? 100;
    if (!Number.isSafeInteger(pruneEvery) || pruneEvery < 1) {
      throw new HubConfigError(`SqliteTransport pruneEvery must be an integer >= 1, got ${pruneEvery}`);
    }
    this.#historySize = historySize === 'unbounded' ? Number.POSITIVE_INFINITY : historySize;
    this.#pruneEvery = pruneEvery;
    this.#expiry = new HistoryExpiry('SqliteTransport', options.historyTtlMs, options.now);
    const db = openOwnedSqlite({
      path: options.path,
      durability: options.durability === 'normal' ? 'normal' : 'full',
      schemaVersion: SCHEMA_VERSION,
      schemaName: 'schema',
      owner: 'one hub process owns one database file',
      schema: `
        CREATE TABLE IF NOT EXISTS updates (
          seq     INTEGER PRIMARY KEY AUTOINCREMENT,
          id      TEXT    NOT NULL UNIQUE,
          topics  TEXT    NOT NULL,
          data    TEXT    NOT NULL,
          private INTEGER NOT NULL,
          type    TEXT,
          retry   INTEGER,
          accepted_at INTEGER NOT NULL DEFAULT 0
        );
      `,
    });
    this.#db = db;
    try {
      addAcceptedAt(db, this.#expiry.now());
    } catch (error) {
      db.close();
      throw error;
    }
    this.#insert = db.prepare(
      'INSERT INTO updates (id, topics, data, private, type, retry, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#byId = db.prepare('SELECT * FROM updates WHERE id = ?');
    this.#after = db.prepare('SELECT * FROM updates WHERE seq > ? ORDER BY seq');
    // Separate queries: SQLite answers a lone min() or max() on the rowid from the B-tree edge in O(log n),
    // but scans the whole table for both in one SELECT.
    this.#lo = db.prepare('SELECT min(seq) AS lo FROM updates');
    this.#hi = db.prepare('SELECT max(seq) AS hi FROM updates');
    this.#newest = db.prepare('SELECT id FROM updates ORDER BY seq DESC LIMIT 1');
    this.#prune = db.prepare('DELETE FROM updates WHERE seq <= ?');
    this.#expiredUpTo = db.prepare('SELECT max(seq) AS seq FROM updates WHERE accepted_at <= ?');
    // Through the accepted_at index; the newest row always stays (see the count pruning below).
    this.#pruneExpired = db.prepare(
      'DELETE FROM updates WHERE accepted_at <= ? AND seq < (SELECT max(seq) FROM updates)',
    );
    this.#newestAcceptedAt =
      db.prepare<{ at: number | null }>('SELECT max(accepted_at) AS at FROM updates').get()?.at ?? 0;
    this.#commit = db.transaction((batch: readonly Pending[]) => {
      const acceptedAt = Math.max(this.#expiry.now(), this.#newestAcceptedAt);
      this.#newestAcceptedAt = acceptedAt;
      const results = batch.map((pending) => {
        const u = pending.update;
        try {
          // A failing INSERT rolls back only itself (ON CONFLICT ABORT), the batch goes on.
          this.#insert.run(
            u.id,
            JSON.stringify(u.topics),
            u.data,
            u.private ? 1 : 0,
            u.type ?? null,
            u.retry ?? null,
            acceptedAt,
          );
          return pending;
        } catch (error) {
          return { ...pending, error: isUniqueViolation(error) ? new DuplicateUpdateIdError(u.id) : error };
        }
      });
      this.#sinceLastPrune += batch.length;
      if (Number.isFinite(this.#historySize) && this.#sinceLastPrune >= this.#pruneEvery) {
        this.#sinceLastPrune = 0;
        const hi = this.#hi.get()?.hi;
        // The newest row always stays, so lastEventId() survives a restart even with no history.
        if (hi != null) this.#prune.run(hi - Math.max(1, this.#historySize));
        if (this.#expiry.enabled) this.#pruneExpired.run(this.#expiry.cutoff());
      }
      return results;
    });
    this.#stopPruning = this.#expiry.schedule(() => this.pruneExpired());
  }

  /**
   * Deletes the rows of expired updates now (the newest row stays, so the last event id survives a
   * restart). A timer does it every TTL; reads never return expired updates in between.
   */
  async pruneExpired(): Promise<void> {
    this.#assertOpen();
    if (this.#expiry.enabled) this.#pruneExpired.run(this.#expiry.cutoff());
  }

  dispatch(update: Update): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The transport is closed; the hub is shutting down'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ update, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits every queued dispatch in one transaction, then notifies listeners and settles, in order. */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    let results: (Pending & { error?: unknown })[];
    try {
      results = this.#commit(batch);
    } catch (error) {
      // The whole transaction failed (disk full, I/O error): nothing was stored, nothing is acknowledged.
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const result of results) {
      if (result.error !== undefined) continue;
      this.#listeners.emit(result.update);
    }
    for (const result of results) {
      if (result.error !== undefined) result.reject(result.error);
      else result.resolve();
    }
  }

  listen(listener: (update: Update) => void): () => void {
    return this.#listeners.add(listener);
  }

  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    this.#assertOpen();
    const hi = this.#hi.get()?.hi ?? null;
    if (hi === null) return { found: afterId === 'earliest', updates: [] };
    const floor = this.#floor(hi);
    if (afterId === 'earliest') return { found: true, updates: this.#after.all(floor).map(toUpdate) };
    const row = this.#byId.get(afterId);
    // Mercure's scan bound: the id must be among the newest `scanLimit + 1` entries.
    if (row === undefined || hi - row.seq > scanLimit) return { found: false, updates: [] };
    if (row.seq <= floor) {
      // The newest row stays a known cursor once expired (a client at it missed nothing), unless history
      // keeps no update at all.
      if (row.seq < hi || row.seq <= this.#countFloor(hi)) return { found: false, updates: [] };
      return { found: true, updates: [], cursor: toUpdate(row) };
    }
    return { found: true, updates: this.#after.all(row.seq).map(toUpdate), cursor: toUpdate(row) };
  }

  async lastEventId(): Promise<string | undefined> {
    this.#assertOpen();
    return this.#newest.get()?.id;
  }

  async historySize(): Promise<number> {
    this.#assertOpen();
    const lo = this.#lo.get()?.lo ?? null;
    const hi = this.#hi.get()?.hi ?? null;
    if (lo === null || hi === null) return 0;
    // seq is contiguous (AUTOINCREMENT, failed inserts roll back, pruning removes a prefix).
    return hi - Math.max(lo - 1, this.#floor(hi));
  }

  /** Rows with `seq <= floor` are out of history: beyond the count, or expired. */
  #floor(hi: number): number {
    const byCount = this.#countFloor(hi);
    if (!this.#expiry.enabled) return byCount;
    return Math.max(byCount, this.#expiredUpTo.get(this.#expiry.cutoff())?.seq ?? 0);
  }

  /** Rows with `seq <= floor` are beyond the count. */
  #countFloor(hi: number): number {
    return Number.isFinite(this.#historySize) ? hi - this.#historySize : 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPruning();
    this.#flush();
    this.#listeners.clear();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The transport is closed; the hub is shutting down');
  }
}

function toUpdate(row: Row): Update {
  const update: { -readonly [K in keyof Update]: Update[K] } = {
    id: row.id,
    topics: JSON.parse(row.topics) as string[],
    data: row.data,
    private: row.private === 1,
  };
  if (row.type !== null) update.type = row.type;
  if (row.retry !== null) update.retry = row.retry;
  return update;
}

/**
 * Files written before history could expire by age have no `accepted_at`: the column is added, their rows
 * counted as accepted now (so they get a full TTL rather than vanishing at once), and the index expiry reads
 * through is created.
 */
function addAcceptedAt(db: SqliteDatabase, now: number): void {
  const columns = db.prepare<{ name: string }>('PRAGMA table_info(updates)').all();
  if (!columns.some((c) => c.name === 'accepted_at')) {
    db.exec('ALTER TABLE updates ADD COLUMN accepted_at INTEGER NOT NULL DEFAULT 0');
    db.prepare('UPDATE updates SET accepted_at = ?').run(now);
  }
  db.exec('CREATE INDEX IF NOT EXISTS updates_accepted_at ON updates (accepted_at)');
}
