import type { ResumableStore, StoredStream } from '../../server/index.js';
import { openOwnedSqlite, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';

/** Options of {@link SqliteStreamStore}. */
export interface SqliteStreamStoreOptions {
  /** Database file; created if missing. Use its own file, not the hub transport's (each is exclusive). */
  readonly path: string;
  /**
   * `normal` (default): an event survives a crash or SIGKILL of the process (WAL commit in the OS page
   * cache), the last ones may be lost on power loss. `full`: every event is fsynced (slow per token).
   */
  readonly durability?: 'full' | 'normal';
}

/** Schema version in `PRAGMA user_version`; a file written by another version is refused. */
const SCHEMA_VERSION = 1;

/**
 * A {@link ResumableStore} in one SQLite file (WAL, exclusive lock): the streams of a resumable-stream
 * registry survive a restart or a SIGKILL, and a reader attaching afterwards gets every stored event, then
 * `interrupted` for a stream that was cut off. One process owns the file (a second one fails at start).
 * better-sqlite3 is loaded only when this store is created.
 */
export class SqliteStreamStore implements ResumableStore {
  readonly #db: SqliteDatabase;
  readonly #create: SqliteStatement<never>;
  readonly #stream: SqliteStatement<{ last_seq: number; ended_at: number | null }>;
  readonly #after: SqliteStatement<{ frame: Uint8Array }>;
  readonly #advance: SqliteStatement<never>;
  readonly #insert: SqliteStatement<never>;
  readonly #append: (streamId: string, seq: number, frame: Uint8Array, endedAt: number | null) => boolean;
  readonly #prune: (endedBefore: number, keep: number) => void;

  constructor(options: SqliteStreamStoreOptions) {
    const db = openOwnedSqlite({
      path: options.path,
      durability: options.durability === 'full' ? 'full' : 'normal',
      schemaVersion: SCHEMA_VERSION,
      schemaName: 'stream-store schema',
      owner: 'one process owns one stream store',
      schema: `
        CREATE TABLE IF NOT EXISTS streams (
          id         TEXT    PRIMARY KEY,
          created_at INTEGER NOT NULL,
          ended_at   INTEGER,
          last_seq   INTEGER NOT NULL DEFAULT -1
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS streams_ended ON streams (ended_at) WHERE ended_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS events (
          stream TEXT    NOT NULL,
          seq    INTEGER NOT NULL,
          frame  BLOB    NOT NULL,
          PRIMARY KEY (stream, seq)
        ) WITHOUT ROWID;
      `,
    });
    this.#db = db;
    this.#create = db.prepare('INSERT INTO streams (id, created_at) VALUES (?, ?)');
    this.#stream = db.prepare('SELECT last_seq, ended_at FROM streams WHERE id = ?');
    this.#after = db.prepare('SELECT frame FROM events WHERE stream = ? AND seq > ? ORDER BY seq');
    // The compare-and-set of the store contract: only the next seq of a running stream advances it.
    this.#advance = db.prepare(
      'UPDATE streams SET last_seq = ?, ended_at = ? WHERE id = ? AND last_seq = ? AND ended_at IS NULL',
    );
    this.#insert = db.prepare('INSERT INTO events (stream, seq, frame) VALUES (?, ?, ?)');
    this.#append = db.transaction(
      (streamId: string, seq: number, frame: Uint8Array, endedAt: number | null) => {
        if (this.#advance.run(seq, endedAt, streamId, seq - 1).changes !== 1) return false;
        this.#insert.run(streamId, seq, frame);
        return true;
      },
    );
    const expired = db.prepare('SELECT id FROM streams WHERE ended_at IS NOT NULL AND ended_at < ?');
    const count = db.prepare<{ n: number }>('SELECT count(*) AS n FROM streams');
    const oldest = db.prepare<{ id: string }>(
      'SELECT id FROM streams WHERE ended_at IS NOT NULL ORDER BY ended_at LIMIT ?',
    );
    const dropEvents = db.prepare('DELETE FROM events WHERE stream = ?');
    const dropStream = db.prepare('DELETE FROM streams WHERE id = ?');
    const drop = (id: string): void => {
      dropEvents.run(id);
      dropStream.run(id);
    };
    this.#prune = db.transaction((endedBefore: number, keep: number) => {
      for (const row of expired.all(endedBefore) as { id: string }[]) drop(row.id);
      const excess = (count.get()?.n ?? 0) - keep;
      if (excess > 0) for (const row of oldest.all(excess)) drop(row.id);
    });
  }

  create(streamId: string, createdAt: number): void {
    this.#create.run(streamId, createdAt);
  }

  append(streamId: string, seq: number, frame: Uint8Array, endedAt?: number): boolean {
    return this.#append(streamId, seq, frame, endedAt ?? null);
  }

  read(streamId: string, afterSeq: number): StoredStream | undefined {
    const row = this.#stream.get(streamId);
    if (row === undefined) return undefined;
    const frames = this.#after.all(streamId, afterSeq).map((r) => new Uint8Array(r.frame));
    return { frames, lastSeq: row.last_seq, endedAt: row.ended_at ?? undefined };
  }

  prune(endedBefore: number, keep: number): void {
    this.#prune(endedBefore, keep);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
