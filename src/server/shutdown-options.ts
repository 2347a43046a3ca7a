/**
 * The shutdown helpers' settings (`closeAll`, `SseServerGroup.shutdown`, `stopServer`), each defined once.
 * Adding one is one row; then `npm run docs:settings` refreshes the README table.
 */
import { resolveSettings, type SettingsOf, setting } from '../protocol/index.js';
import { InvalidOptionError } from './options.js';

/** How streams are wound down at shutdown (defaults, bounds and meaning of each option). */
export const SHUTDOWN_SETTINGS = {
  retry: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 2000,
    min: 0,
    help: 'Base `retry:` sent to each client before its stream ends.',
  }),
  retryJitter: setting<number>({
    kind: 'number',
    default: 1,
    min: 0,
    help: 'Random extra per client, as a fraction of `retry` (>= 0): clients come back over [retry, retry × (1 + jitter)].',
  }),
  spreadMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 0,
    min: 0,
    help: 'Spread the closes evenly over this long instead of all at once; shorter than `deadlineMs`.',
  }),
  deadlineMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 10_000,
    min: 0,
    help: 'Streams whose responses have not finished by then are destroyed.',
  }),
};

/** How to wind streams down (docs/shutdown.md): every field optional, see {@link SHUTDOWN_SETTINGS}. */
export type ShutdownOptions = Partial<SettingsOf<typeof SHUTDOWN_SETTINGS>>;

/** {@link ShutdownOptions} with defaults applied and checked. */
export type ResolvedShutdownOptions = Readonly<SettingsOf<typeof SHUTDOWN_SETTINGS>>;

/**
 * Applies defaults and checks each option and their relation; throws {@link InvalidOptionError}. A spread
 * as long as the deadline would destroy the last streams before they were ever told to close.
 */
export function resolveShutdownOptions(options: ShutdownOptions = {}): ResolvedShutdownOptions {
  const resolved = resolveSettings(
    SHUTDOWN_SETTINGS,
    options,
    (key, problem) => new InvalidOptionError(key, problem),
  );
  if (resolved.spreadMs > 0 && resolved.spreadMs >= resolved.deadlineMs) {
    throw new InvalidOptionError(
      'spreadMs',
      `spreadMs (${resolved.spreadMs}) must be shorter than deadlineMs (${resolved.deadlineMs}): the streams due last would be destroyed at the deadline instead of closed with a retry:. Shorten spreadMs or lengthen deadlineMs`,
    );
  }
  return Object.freeze(resolved);
}
