/**
 * The options of {@link ResumableStreams} and {@link relayChatCompletion}, each defined once: kind,
 * default, bounds, meaning. Adding one is one row; then `npm run docs:settings` refreshes the README table.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { resolveSettings, type SettingsOf, setting } from '../../protocol/index.js';
import { InvalidOptionError, type StreamOptions } from '../options.js';
import type { ResumableStore } from './store.js';

/** A store shared by several processes must let each follow, lease and check the others' streams. */
function storeProblem(store: ResumableStore | undefined): string | undefined {
  return store?.shared && (!store.follow || !store.renew || !store.produced)
    ? 'is shared, so it must implement follow(), renew() and produced()'
    : undefined;
}

/** The socket's address on Node; none on Fetch, where the runtime does not say. */
function socketAddress(request: IncomingMessage | Http2ServerRequest | Request): string | undefined {
  return 'socket' in request ? (request.socket?.remoteAddress ?? undefined) : undefined;
}

/** Limits and hooks of a resumable stream registry. */
export const RESUMABLE_SETTINGS = {
  store: setting<ResumableStore | undefined>({
    kind: 'object',
    type: 'a ResumableStore',
    default: undefined,
    defaultText: 'a new `MemoryStreamStore` (this process, lost on restart)',
    check: storeProblem,
    help: 'Where events are kept.',
  }),
  maxProducers: setting<number>({
    kind: 'integer',
    default: 32,
    min: 1,
    help: 'Producers running at once; one more start is answered 503 with `Retry-After`.',
  }),
  maxProducersPerClient: setting<number>({
    kind: 'integer',
    default: 4,
    min: 1,
    help: 'Producers running at once for one client (see `clientKey`); more is answered 429.',
  }),
  maxStreamBytes: setting<number>({
    kind: 'integer',
    unit: 'bytes',
    default: 4 * 1024 * 1024,
    min: 1,
    help: 'Bytes of encoded events one stream may keep. A producer going past it is stopped and the stream ends with an `error` event of code `SSEHUB_STREAM_TOO_LARGE`.',
  }),
  maxStreams: setting<number>({
    kind: 'integer',
    default: 1000,
    min: 1,
    help: 'Streams kept (running and ended); when full the oldest ended one is forgotten, else 503.',
  }),
  retentionMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 10 * 60_000,
    min: 1,
    help: 'How long an ended stream can still be attached to.',
  }),
  retryAfterSeconds: setting<number>({
    kind: 'integer',
    default: 5,
    min: 1,
    help: '`Retry-After` sent with 429 and 503, in whole seconds (RFC 9110 §10.2.3).',
  }),
  stream: setting<StreamOptions>({
    kind: 'object',
    type: 'stream options',
    default: Object.freeze({ maxBufferedBytes: 256 * 1024 }),
    defaultText: '`{ maxBufferedBytes: 262144 }`',
    help: "Options of every reader's response, over the stream defaults above (a reader too slow for its buffer is dropped and re-attaches, losing nothing). Given fields replace the default's one by one.",
  }),
  clientKey: setting<(request: IncomingMessage | Http2ServerRequest | Request) => string | undefined>({
    kind: 'function',
    default: socketAddress,
    defaultText: "the socket's address on Node, none on Fetch",
    help: 'Who a request comes from, for `maxProducersPerClient`.',
  }),
  errorMessage: setting<(error: unknown) => string>({
    kind: 'function',
    default: () => 'The answer could not be completed.',
    defaultText: 'a fixed sentence',
    help: 'The message a reader sees in the `error` event when a producer throws; the error itself goes to `onError` only, because it may hold upstream details or secrets.',
  }),
  onError: setting<(error: unknown, streamId: string) => void>({
    kind: 'function',
    default: () => undefined,
    defaultText: 'none',
    help: 'Told about producer and store failures (to log them).',
  }),
  leaseMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 10_000,
    min: 1,
    help: 'Shared stores (several processes): how long a producing process\'s claim on a stream lasts without renewal. A stream whose producer\'s lease ran out (its process died) is ended with `interrupted` `{"reason":"lost"}` by the first process a reader attaches to. Renewed every third of it.',
  }),
  now: setting<() => number>({
    kind: 'function',
    default: Date.now,
    defaultText: '`Date.now`',
    help: 'Clock, in ms since the epoch (inject for tests).',
  }),
};

/** Options of {@link ResumableStreams}: every field optional, see {@link RESUMABLE_SETTINGS}. */
export type ResumableStreamsOptions = Partial<SettingsOf<typeof RESUMABLE_SETTINGS>>;

/** {@link ResumableStreamsOptions} with defaults applied and checked. */
export type ResolvedResumableOptions = Readonly<SettingsOf<typeof RESUMABLE_SETTINGS>>;

/** Applies defaults and checks each option; throws {@link InvalidOptionError} naming the option. */
export function resolveResumableOptions(options: ResumableStreamsOptions = {}): ResolvedResumableOptions {
  return resolveSettings(RESUMABLE_SETTINGS, options, (key, problem) => new InvalidOptionError(key, problem));
}

/** What {@link relayChatCompletion} may be told besides its `url` and `body`. */
export const CHAT_RELAY_SETTINGS = {
  headers: setting<Record<string, string>>({
    kind: 'object',
    type: 'a record of header names to values',
    default: Object.freeze({}) as Record<string, string>,
    help: "Extra request headers, e.g. `{ authorization: 'Bearer …' }`.",
  }),
  stallTimeoutMs: setting<number>({
    kind: 'number',
    unit: 'ms',
    default: 30_000,
    min: 1,
    help: 'No byte from the upstream for this long aborts it: `SSEHUB_UPSTREAM_STALLED`.',
  }),
  maxEventSize: setting<number>({
    kind: 'integer',
    default: 1024 * 1024,
    min: 1,
    help: 'Largest upstream event buffered, in characters.',
  }),
  fetch: setting<typeof fetch | undefined>({
    kind: 'function',
    default: undefined,
    defaultText: '`globalThis.fetch`',
    help: 'The fetch implementation.',
  }),
};

/** Options of {@link relayChatCompletion}. */
export type ChatCompletionRelayOptions = {
  /** The upstream's chat-completions URL, e.g. `https://api.openai.com/v1/chat/completions`. */
  readonly url: string | URL;
  /** The request body (object, sent as JSON with `stream: true` added; or a JSON string sent as is). */
  readonly body: Record<string, unknown> | string;
} & Readonly<Partial<SettingsOf<typeof CHAT_RELAY_SETTINGS>>>;

/** {@link ChatCompletionRelayOptions} with defaults applied and checked, `fetch` the global one if not given. */
export type ResolvedChatRelayOptions = Pick<ChatCompletionRelayOptions, 'url' | 'body'> &
  Readonly<SettingsOf<typeof CHAT_RELAY_SETTINGS> & { fetch: typeof fetch }>;

/** Applies defaults and checks each option; throws {@link InvalidOptionError} naming the option. */
export function resolveChatRelayOptions(options: ChatCompletionRelayOptions): ResolvedChatRelayOptions {
  const resolved = resolveSettings(
    CHAT_RELAY_SETTINGS,
    options,
    (key, problem) => new InvalidOptionError(key, problem),
  );
  return { ...resolved, url: options.url, body: options.body, fetch: resolved.fetch ?? fetch };
}
