/**
 * Settings tables: each configurable part of ssehub (hub, server stream, shutdown, client) declares its
 * options once, as rows of one shape, and defaults, validation, `--help` and the README tables are derived
 * from those rows. The row type and resolver live here, in the lowest layer, because the client and the
 * server library both use them; nothing here touches the wire format.
 */

/**
 * How a setting's value is checked (and, for the command line, read from text). `function` and `object`
 * are the library's wiring options (hooks, signals, header maps); `value` accepts whatever `check` accepts,
 * for options of several shapes (a URL or a function).
 */
export type SettingKind =
  | 'integer'
  | 'number'
  | 'boolean'
  | 'text'
  | 'list'
  | 'choice'
  | 'function'
  | 'object'
  | 'value';

/**
 * What a setting accepts and uses when not given: all a resolver needs, without the prose (so a browser
 * bundle that resolves options need not carry their documentation, see {@link withHelp}).
 */
export interface SettingShape<T> {
  readonly kind: SettingKind;
  /** Unit of a numeric setting, for people and for the command line's parsers (`40s`, `1MiB`). */
  readonly unit?: 'ms' | 'bytes';
  /** The value used when the option is not given (`undefined`: the setting stays unset). */
  readonly default: T;
  /** Smallest accepted number (integer and number kinds). */
  readonly min?: number;
  /**
   * Largest accepted number (integer and number kinds). Unset on an `ms` row: {@link MAX_TIMER_MS}, since
   * most durations end up as a timer's delay, and a longer one fires at once (Node clamps it to 1 ms).
   */
  readonly max?: number;
  /** Accepted values of a `choice` setting. */
  readonly choices?: readonly string[];
  /** Words a numeric setting accepts besides numbers, e.g. `'unbounded'`. */
  readonly words?: readonly string[];
  /** Other values accepted whatever the kind, e.g. `false` (turned off) or `Infinity` (no bound). */
  readonly also?: readonly (number | boolean | null)[];
  /** The accepted values in words, where the kind does not say it (`AbortSignal`, `HeadersInit or a function`). */
  readonly type?: string;
  /** Extra rule for one value; returns why it cannot work, or undefined. (A method, so any row fits `Setting<unknown>`.) */
  check?(value: T): string | undefined;
}

/** A setting's prose, for `--help` and the README tables. */
export interface SettingHelp {
  /** What the setting does, in one or two sentences, without its default (printed from `default`). */
  readonly help: string;
  /** Shown instead of the default value where it depends on other settings (or is not a plain value). */
  readonly defaultText?: string;
}

/** One configurable setting: its kind, default, bounds and a one-line explanation. */
export interface Setting<T> extends SettingShape<T>, SettingHelp {}

/** The prose of every row of a table of shapes, one entry per key. */
export type HelpOf<Table extends SettingShapes> = { readonly [K in keyof Table]: SettingHelp };

/** The value type a setting row holds. */
export type SettingValue<S> = S extends SettingShape<infer T> ? T : never;

/** A table of setting shapes (documented or not), keyed by option name. */
export type SettingShapes = Readonly<Record<string, SettingShape<unknown>>>;

/** A table of documented settings, keyed by option name. */
export type SettingsTable = Readonly<Record<string, Setting<unknown>>>;

/** The resolved options a table describes: one value per row. */
export type SettingsOf<Table extends SettingShapes> = {
  -readonly [K in keyof Table]: SettingValue<Table[K]>;
};

/** Declares one row with its value type (the table stays a plain object literal). */
export function setting<T>(row: Setting<T>): Setting<T> {
  return row;
}

/** Declares one row without prose, its help kept apart (see {@link withHelp}). */
export function settingShape<T>(row: SettingShape<T>): SettingShape<T> {
  return row;
}

/**
 * A table of shapes joined with its prose, one entry per key (the compiler refuses a missing or extra one).
 * For tables resolved in browsers: the shapes ship, the prose stays in the module only docs import.
 */
export function withHelp<Table extends SettingShapes>(
  table: Table,
  help: HelpOf<Table>,
): { readonly [K in keyof Table]: Setting<SettingValue<Table[K]>> } {
  const out: Record<string, Setting<unknown>> = {};
  for (const key of Object.keys(table)) out[key] = { ...table[key]!, ...help[key as keyof Table] };
  return out as { readonly [K in keyof Table]: Setting<SettingValue<Table[K]>> };
}

/** Longest delay a timer accepts (2^31 - 1 ms, about 24.8 days): the default bound of every `ms` setting. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The largest number `row` accepts, if any. */
function maxOf<T>(row: SettingShape<T>): number | undefined {
  return row.max ?? (row.unit === 'ms' ? MAX_TIMER_MS : undefined);
}

/** Which values `row` accepts, as a noun phrase ("a number 0..1", "an integer >= 1 or 'unbounded'"). */
export function acceptedValues<T>(row: SettingShape<T>): string {
  const also = row.also?.length ? ` or ${row.also.map(String).join(' or ')}` : '';
  if (row.type !== undefined) return `${row.type}${also}`;
  switch (row.kind) {
    case 'integer':
    case 'number': {
      const max = maxOf(row);
      const range =
        max !== undefined ? `${row.min ?? 0}..${max}` : `>= ${row.min ?? Number.NEGATIVE_INFINITY}`;
      const words = row.words?.length ? ` or ${row.words.map((w) => `'${w}'`).join(', ')}` : '';
      return `${row.kind === 'integer' ? 'an integer' : 'a number'} ${range}${words}${also}`;
    }
    case 'boolean':
      return `true or false${also}`;
    case 'text':
      return `a string${also}`;
    case 'choice':
      return `one of ${(row.choices ?? []).map((c) => `'${c}'`).join(', ')}${also}`;
    case 'list':
      return `a list of strings${also}`;
    case 'function':
      return `a function${also}`;
    case 'object':
      return `an object${also}`;
    case 'value':
      return `a value${also}`;
  }
}

/** Whether `value` has the shape `row.kind` asks for (bounds and `check` aside). */
function hasKind<T>(row: SettingShape<T>, value: unknown): boolean {
  switch (row.kind) {
    case 'integer':
    case 'number':
      return (
        (typeof value === 'string' && row.words?.includes(value) === true) ||
        (typeof value === 'number' &&
          (row.kind === 'integer' ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
          (row.min === undefined || value >= row.min) &&
          value <= (maxOf(row) ?? Number.POSITIVE_INFINITY))
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'text':
      return typeof value === 'string';
    case 'choice':
      return row.choices?.includes(value as string) === true;
    case 'list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'function':
      return typeof value === 'function';
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'value':
      return true;
  }
}

/** Why `value` cannot be used for `row`, as a phrase ("must be an integer >= 1, got 0"), or undefined. */
export function settingProblem<T>(row: SettingShape<T>, value: unknown): string | undefined {
  if (row.also?.includes(value as number | boolean | null)) return undefined;
  if (!hasKind(row, value)) {
    const shown =
      typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'function'
          ? 'a function'
          : String(value);
    return `must be ${acceptedValues(row)}, got ${shown}`;
  }
  return row.check?.(value as T);
}

/**
 * Applies each row's default to the options not given and validates those given. `fail(key, problem)`
 * builds the error thrown for the first value that cannot work (each layer has its own error class).
 */
export function resolveSettings<Table extends SettingShapes>(
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
export function defaultsOf<Table extends SettingShapes>(table: Table): Readonly<SettingsOf<Table>> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) out[key] = table[key]!.default;
  return Object.freeze(out) as Readonly<SettingsOf<Table>>;
}

const KIB = 1024;

/** A value as people write it: `40s`, `1MiB`, `unbounded`, `off`, `none`. */
export function formatSettingValue<T>(row: SettingShape<T>, value: T): string {
  if (value === undefined || value === null) return 'none';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  if (typeof value !== 'number' || value === 0) return String(value);
  if (row.unit === 'ms') {
    if (value % 3_600_000 === 0) return `${value / 3_600_000}h`;
    if (value % 60_000 === 0) return `${value / 60_000}m`;
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
