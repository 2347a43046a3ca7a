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
