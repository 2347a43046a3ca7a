import { dirname, resolve } from 'node:path';
import { HubConfigError } from '../options.js';
import { requireDriver } from './optional-driver.js';

/**
 * The slice of better-sqlite3 (v12) the SQLite transport uses, typed here because the package ships no
 * type declarations and adding `@types/better-sqlite3` is not needed for five methods.
 */
export interface SqliteStatement<Row> {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
}

/** A better-sqlite3 connection (synchronous API). */
export interface SqliteDatabase {
  prepare<Row = unknown>(sql: string): SqliteStatement<Row>;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<Args extends unknown[], R>(fn: (...args: Args) => R): (...args: Args) => R;
  close(): void;
  readonly open: boolean;
}

/** Options of the better-sqlite3 constructor that the transport passes. */
export interface SqliteOpenOptions {
  readonly timeout?: number;
  readonly readonly?: boolean;
  readonly fileMustExist?: boolean;
}

type DatabaseConstructor = new (path: string, options?: SqliteOpenOptions) => SqliteDatabase;

/** Opens a database file with better-sqlite3 (loaded lazily so the in-memory hub never needs the addon). */
export function openSqlite(path: string, options?: SqliteOpenOptions): SqliteDatabase {
  const Database = requireDriver<DatabaseConstructor>(
    'better-sqlite3',
    'SQLite storage (--storage sqlite:<path>, SqliteTransport)',
  );
  try {
    return new Database(path, options);
  } catch (error) {
    // better-sqlite3 says "the directory does not exist" without saying which: name the path and the fix.
    if (/directory does not exist/i.test(String((error as Error).message))) {
      throw new HubConfigError(
        `Cannot open the SQLite database ${resolve(path)}: the folder ${dirname(resolve(path))} does not exist. Create it (mkdir -p) or choose a path in an existing folder.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** True when `error` is SQLite's unique-constraint violation (better-sqlite3 `SqliteError`). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** True when `error` means another connection holds the database lock. */
export function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** How {@link openOwnedSqlite} opens a database file that one process owns. */
export interface OwnedSqliteOptions {
  readonly path: string;
  /** `full` fsyncs every commit (survives a power loss); `normal` survives a crash of the process only. */
  readonly durability: 'full' | 'normal';
  /** Stored in `user_version`; a file holding another non-zero version is refused. */
  readonly schemaVersion: number;
  /** What the version numbers, for the refusal: `schema`, `stream-store schema`. */
  readonly schemaName: string;
  /** The tables, run at every open (`CREATE ... IF NOT EXISTS`). */
  readonly schema: string;
  /** Who owns the file, for the in-use refusal: `one hub process owns one database file`. */
  readonly owner: string;
}

/**
 * Opens a database for this process alone: exclusive lock before WAL (no shared-memory index, and the first
 * write takes the lock for good, so a second process is refused instead of silently sharing the file), the
 * durability asked for, a schema version check, then the schema.
 *
 * @throws {Error} naming the file when another process holds it, when it cannot use WAL, or when its schema
 *   version is another one; the database is closed first.
 */
export function openOwnedSqlite(options: OwnedSqliteOptions): SqliteDatabase {
  const { path } = options;
  const db = openSqlite(path, { timeout: 200 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && path !== ':memory:') {
      throw new Error(`could not switch ${path} to WAL mode (got ${String(mode)})`);
    }
    db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    const version = db.pragma('user_version', { simple: true });
    if (version !== 0 && version !== options.schemaVersion) {
      throw new Error(
        `${path} has ${options.schemaName} version ${String(version)}; this ssehub reads ${options.schemaVersion}`,
      );
    }
    db.exec(`${options.schema}\nPRAGMA user_version = ${options.schemaVersion};`);
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) {
      throw new Error(`SQLite database ${path} is in use by another process; ${options.owner}`, {
        cause: error,
      });
    }
    throw error;
  }
}
