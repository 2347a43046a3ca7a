/**
 * Settings tables: each configurable part of ssehub (hub, server stream, shutdown, client) declares its
 * options once, as rows of one shape, and defaults, validation, `--help` and the README tables are derived
 * from those rows. The row type and resolver live here, in the lowest layer, because the client and the
 * server library both use them; nothing here touches the wire format.
 */

/** How a setting's value is checked (and, for the command line, read from text). */
export type SettingKind = 'integer' | 'number' | 'boolean' | 'text' | 'list' | 'choice';

/** One configurable setting: its kind, default, bounds and a one-line explanation. */
export interface Setting<T> {
  readonly kind: SettingKind;
  /** Unit of a numeric setting, for people and for the command line's parsers (`40s`, `1MiB`). */
  readonly unit?: 'ms' | 'bytes';
  /** The value used when the option is not given (`undefined`: the setting stays unset). */
  readonly default: T;
  /** Smallest accepted number (integer and number kinds). */
  readonly min?: number;
  /** Largest accepted number (integer and number kinds). */
  readonly max?: number;
  /** Accepted values of a `choice` setting. */
  readonly choices?: readonly string[];
  /** Words a numeric setting accepts besides numbers, e.g. `'unbounded'`. */
  readonly words?: readonly string[];
  /** Extra rule for one value; returns why it cannot work, or undefined. (A method, so any row fits `Setting<unknown>`.) */
  check?(value: T): string | undefined;
  /** What the setting does, in one or two sentences, without its default (printed from `default`). */
  readonly help: string;
  /** Shown instead of the default value where it depends on other settings. */
  readonly defaultText?: string;
}

/** The value type a setting row holds. */
export type SettingValue<S> = S extends Setting<infer T> ? T : never;

/** A table of settings, keyed by option name. */
export type SettingsTable = Readonly<Record<string, Setting<unknown>>>;

/** The resolved options a table describes: one value per row. */
export type SettingsOf<Table extends SettingsTable> = {
  -readonly [K in keyof Table]: SettingValue<Table[K]>;
};

/** Declares one row with its value type (the table stays a plain object literal). */
export function setting<T>(row: Setting<T>): Setting<T> {
  return row;
}

/** Why `value` cannot be used for `row`, as a phrase ("must be an integer >= 1, got 0"), or undefined. */
export function settingProblem<T>(row: Setting<T>, value: unknown): string | undefined {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (row.kind) {
    case 'integer':
    case 'number': {
      if (typeof value === 'string' && row.words?.includes(value)) break;
      const whole = row.kind === 'integer';
      const ok =
        typeof value === 'number' &&
        (whole ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
        (row.min === undefined || value >= row.min) &&
        (row.max === undefined || value <= row.max);
      if (!ok) {
        const range =
          row.max !== undefined ? `${row.min ?? 0}..${row.max}` : `>= ${row.min ?? Number.NEGATIVE_INFINITY}`;
        const words = row.words?.length ? ` or ${row.words.map((w) => `'${w}'`).join(', ')}` : '';
        return `must be ${whole ? 'an integer' : 'a number'} ${range}${words}, got ${shown}`;
      }
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return `must be true or false, got ${shown}`;
      break;
    case 'text':
      if (typeof value !== 'string') return `must be a string, got ${shown}`;
      break;
    case 'choice':
      if (!row.choices?.includes(value as string)) {
        return `must be one of ${(row.choices ?? []).map((c) => `'${c}'`).join(', ')}, got ${shown}`;
      }
      break;
    case 'list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        return `must be a list of strings, got ${shown}`;
      }
      break;
  }
  return row.check?.(value as T);
}

/**
 * Applies each row's default to the options not given and validates those given. `fail(key, problem)`
 * builds the error thrown for the first value that cannot work (each layer has its own error class).
 */
export function resolveSettings<Table extends SettingsTable>(
  table: Table,
  input: Partial<SettingsOf<Table>>,
  fail: (key: string, problem: string) => Error,
): SettingsOf<Table> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    const row = table[key]!;
    const given = (input as Record<string, unknown>)[key];
    if (given === undefined) {
      out[key] = row.default;
      continue;
    }
    const problem = settingProblem(row, given);
    if (problem !== undefined) throw fail(key, problem);
    out[key] = Array.isArray(given) ? Object.freeze([...given]) : given;
  }
  return out as SettingsOf<Table>;
}

/** Every row's default, as a frozen object (what a part does when given no options). */
export function defaultsOf<Table extends SettingsTable>(table: Table): Readonly<SettingsOf<Table>> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) out[key] = table[key]!.default;
  return Object.freeze(out) as Readonly<SettingsOf<Table>>;
}

const KIB = 1024;

/** A value as people write it: `40s`, `1MiB`, `unbounded`, `off`, `none`. */
export function formatSettingValue<T>(row: Setting<T>, value: T): string {
  if (value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  if (typeof value !== 'number' || value === 0) return String(value);
  if (row.unit === 'ms') {
    if (value % 3_600_000 === 0) return `${value / 3_600_000}h`;
    if (value % 1000 === 0) return `${value / 1000}s`;
    return `${value}ms`;
  }
  if (row.unit === 'bytes') {
    if (value % (KIB * KIB * KIB) === 0) return `${value / (KIB * KIB * KIB)}GiB`;
    if (value % (KIB * KIB) === 0) return `${value / (KIB * KIB)}MiB`;
    if (value % KIB === 0) return `${value / KIB}KiB`;
    return `${value}`;
  }
  return String(value);
}
