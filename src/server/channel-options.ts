/**
 * The options of a {@link Channel}, each defined once. Adding one is one row; then `npm run docs:settings`
 * refreshes the README table.
 */
import { resolveSettings, type SettingsOf, setting } from '../protocol/index.js';
import { DEFAULT_COALESCE_MS, MAX_COALESCE_MS } from './coalescer.js';
import type { HistoryOptions } from './history.js';
import { DEFAULT_MAX_BUFFERED_BYTES, InvalidOptionError, STREAM_SETTINGS } from './options.js';
import { SHUTDOWN_SETTINGS } from './shutdown-options.js';

/** A control event's type must be one `event:` field: no line break or NUL (it would forge fields). */
function eventTypeProblem(type: string | false): string | undefined {
  return type !== false && /[\r\n\0]/.test(type)
    ? `must not contain CR, LF or NUL (it is sent as an event: field), got ${JSON.stringify(type)}`
    : undefined;
}

/** What a channel keeps, refuses and batches (defaults, bounds and meaning of each option). */
export const CHANNEL_SETTINGS = {
  history: setting<HistoryOptions | boolean>({
    kind: 'object',
    type: '{ maxEvents, maxBytes }',
    also: [true, false],
    default: false,
    help: 'Keep a bounded history for Last-Event-ID replay; `true` uses the bounds below.',
  }),
  resetEvent: setting<string | false>({
    kind: 'text',
    also: [false],
    default: false,
    check: eventTypeProblem,
    help: 'When a joining stream\'s Last-Event-ID is not in history (evicted, or from before a restart), send a control event of this type carrying the current cursor, in-band, because native EventSource cannot read response headers (docs/replay.md#unknown-cursors). Its `id:` is the cursor; its data is JSON `{"reason":"unknown-last-event-id","lastEventId":…,"cursor":…}`.',
  }),
  maxEventBytes: setting<number>({
    kind: 'number',
    unit: 'bytes',
    default: DEFAULT_MAX_BUFFERED_BYTES,
    min: 1,
    help: "Largest encoded event `broadcast` accepts (the streams' default buffer bound): a larger frame would disconnect every member, and again on every replay, so it is refused up front. Keep it at most the members' `maxBufferedBytes`.",
  }),
  coalesceMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: DEFAULT_COALESCE_MS,
    min: 0,
    max: MAX_COALESCE_MS,
    help: 'Adaptive write coalescing window; 0 writes every broadcast at once. Once the broadcasts of the last `coalesceMs` have cost 1 ms of CPU together (one to about 100 members, or several smaller ones), those arriving in the next `coalesceMs` are written together, one socket write per member; a lone cheap broadcast is written at once. Order is kept and nothing is dropped; history and `cursor` are updated at `broadcast` time.',
  }),
  generateIds: setting<boolean>({
    kind: 'boolean',
    default: true,
    help: 'Give every broadcast event that dispatches (it has `data`) but carries no `id` a generated one, `<epoch>-<n>`: the epoch is random per channel, so an id from before a restart is `unknown` instead of naming another event. Events that carry an `id` keep it.',
  }),
};

/** Options for a {@link Channel}: every field optional, see {@link CHANNEL_SETTINGS}. */
export type ChannelOptions = Partial<SettingsOf<typeof CHANNEL_SETTINGS>>;

/** {@link ChannelOptions} with defaults applied and checked. */
export type ResolvedChannelOptions = Readonly<SettingsOf<typeof CHANNEL_SETTINGS>>;

/** Applies defaults and checks each option; throws {@link InvalidOptionError} naming the option. */
export function resolveChannelOptions(options: ChannelOptions = {}): ResolvedChannelOptions {
  return resolveSettings(CHANNEL_SETTINGS, options, (key, problem) => new InvalidOptionError(key, problem));
}

/**
 * `Channel.closeAll` options, rows of other tables: the final `retry:` as a stream's (none by default) and
 * the shutdown helpers' `retryJitter`, so both keep one default and one bound.
 */
const CLOSE_ALL_SETTINGS = { retry: STREAM_SETTINGS.retry, retryJitter: SHUTDOWN_SETTINGS.retryJitter };

/** Options of `Channel.closeAll`. */
export type ChannelCloseOptions = Partial<SettingsOf<typeof CLOSE_ALL_SETTINGS>>;

/** Applies defaults and checks `Channel.closeAll`'s options; throws {@link InvalidOptionError} naming the option. */
export function resolveChannelCloseOptions(
  options: ChannelCloseOptions = {},
): Readonly<SettingsOf<typeof CLOSE_ALL_SETTINGS>> {
  return resolveSettings(CLOSE_ALL_SETTINGS, options, (key, problem) => new InvalidOptionError(key, problem));
}
