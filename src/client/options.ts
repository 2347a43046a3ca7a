import { DEFAULT_MAX_EVENT_SIZE, resolveSettings, type SettingsOf, settingShape } from '../protocol/index.js';
import { type SseError, SseOptionError } from './errors.js';
import type { ResumeCursor } from './resume-cursor.js';
import { defaultShouldRetry } from './retry-policy.js';

/** What the `headers` hook and `shouldRetry` learn about the attempt they are called for. */
export interface ConnectionContext {
  /** The URL every attempt requests: the original one, even after a redirect (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model). */
  url: string;
  /** The last event id string the next request will send as `Last-Event-ID` (`''`: none). */
  lastEventId: string;
  /** 0 for the first connection, then 1, 2, … for each re-connection. */
  attempt: number;
  /** Consecutive failed attempts since the last healthy connection. */
  failures: number;
}

/** Told to `onReconnect` each time a connection ended and another one is scheduled. */
export interface ReconnectInfo {
  /** Why the connection ended; undefined when the stream simply ended (the server closed it). */
  error: SseError | undefined;
  /** Milliseconds until the next attempt (reconnection time, backoff or `Retry-After`). */
  delay: number;
  /** Consecutive failed attempts since the last healthy connection. */
  failures: number;
}

/** A body fetch cannot send twice (a stream) cannot be sent again on re-connection. */
function replayableBodyProblem(body: BodyInit | null): string | undefined {
  return typeof body === 'object' && body !== null && 'getReader' in body
    ? 'must be re-readable (string, Blob, ArrayBuffer, URLSearchParams, FormData), not a ReadableStream: it is sent again on every re-connection'
    : undefined;
}

/** `resumeUrl`: a URL, its text, or a function of the last event id. */
function resumeUrlProblem(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'function' || value instanceof URL
    ? undefined
    : `must be a URL, a string or (lastEventId) => URL, got ${String(value)}`;
}

/** `headers`: a `HeadersInit` (object or entries) or a function returning one. */
function headersProblem(value: unknown): string | undefined {
  return typeof value === 'function' || (typeof value === 'object' && value !== null)
    ? undefined
    : `must be a HeadersInit or (context) => HeadersInit, got ${String(value)}`;
}

/**
 * The options of {@link SseEventSource} and {@link streamEvents}, each defined once: kind, default and
 * bounds here, meaning in CLIENT_SETTINGS_HELP (options-help.ts, so browser bundles do not carry it).
 * `resolveClientOptions` and the README "Options" table (`npm run docs:settings`) are derived from them.
 * The defaults behave like a browser's EventSource plus backoff, status awareness and bounded buffers.
 */
export const CLIENT_SETTINGS = {
  method: settingShape<string>({
    kind: 'text',
    default: 'GET',
  }),
  headers: settingShape<
    | HeadersInit
    | ((context: ConnectionContext) => HeadersInit | undefined | Promise<HeadersInit | undefined>)
    | undefined
  >({
    kind: 'value',
    type: 'a HeadersInit or (context) => HeadersInit',
    default: undefined,
    check: headersProblem,
  }),
  body: settingShape<BodyInit | null>({
    kind: 'value',
    type: 'a BodyInit',
    default: null,
    check: replayableBodyProblem,
  }),
  credentials: settingShape<RequestCredentials>({
    kind: 'choice',
    choices: ['omit', 'same-origin', 'include'],
    default: 'same-origin',
  }),
  signal: settingShape<AbortSignal | undefined>({
    kind: 'object',
    type: 'an AbortSignal',
    default: undefined,
  }),
  lastEventId: settingShape<string | undefined>({
    kind: 'text',
    default: undefined,
  }),
  cursor: settingShape<ResumeCursor | undefined>({
    kind: 'object',
    type: 'a ResumeCursor',
    default: undefined,
  }),
  resumeUrl: settingShape<string | URL | ((lastEventId: string) => string | URL | undefined) | undefined>({
    kind: 'value',
    type: 'a URL or (lastEventId) => URL',
    default: undefined,
    check: resumeUrlProblem,
  }),
  reconnectionTime: settingShape<number>({
    kind: 'number',
    unit: 'ms',
    default: 3000,
    min: 0,
  }),
  minReconnectionTime: settingShape<number>({
    kind: 'number',
    unit: 'ms',
    default: 500,
    min: 0,
  }),
  maxReconnectDelay: settingShape<number>({
    kind: 'number',
    unit: 'ms',
    default: 30_000,
    min: 0,
  }),
  maxRetryAfter: settingShape<number>({
    kind: 'number',
    unit: 'ms',
    default: 300_000,
    min: 0,
  }),
  heartbeatTimeout: settingShape<number>({
    kind: 'number',
    unit: 'ms',
    default: 0,
    min: 0,
  }),
  maxEventSize: settingShape<number>({
    kind: 'integer',
    default: DEFAULT_MAX_EVENT_SIZE,
    min: 1,
    also: [Number.POSITIVE_INFINITY],
  }),
  reconnectOnEnd: settingShape<boolean>({
    kind: 'boolean',
    default: true,
  }),
  shouldRetry: settingShape<(error: SseError, context: ConnectionContext) => boolean | Promise<boolean>>({
    kind: 'function',
    type: 'a function (error, context) => boolean, or a promise of it',
    default: defaultShouldRetry,
  }),
  onResponse: settingShape<((response: Response) => void) | undefined>({
    kind: 'function',
    default: undefined,
  }),
  onReconnect: settingShape<((info: ReconnectInfo) => void) | undefined>({
    kind: 'function',
    default: undefined,
  }),
  requestInit: settingShape<RequestInit | undefined>({
    kind: 'object',
    type: 'a RequestInit',
    default: undefined,
  }),
  fetch: settingShape<typeof fetch | undefined>({
    kind: 'function',
    default: undefined,
  }),
  random: settingShape<() => number>({
    kind: 'function',
    default: Math.random,
  }),
};

/** Options shared by {@link SseEventSource} and {@link streamEvents}: every field optional, see {@link CLIENT_SETTINGS}. */
export type ClientOptions = Partial<SettingsOf<typeof CLIENT_SETTINGS>>;

/** {@link ClientOptions} resolved: defaults applied, the first last event id and the fetch function known. */
export type ResolvedClientOptions = Readonly<
  Omit<SettingsOf<typeof CLIENT_SETTINGS>, 'lastEventId' | 'fetch'> & {
    lastEventId: string;
    fetch: typeof fetch;
  }
>;

/**
 * Applies defaults and checks every option against its row in {@link CLIENT_SETTINGS}, once, when the
 * client is made; throws {@link SseOptionError} naming the option. The initial last event id is
 * `lastEventId`, else the `cursor`'s, else none; `fetch` is the global one, bound, when not given.
 */
export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
  const resolved = resolveSettings(
    CLIENT_SETTINGS,
    options,
    (key, problem) => new SseOptionError(key, problem),
  );
  const method = resolved.method.toUpperCase();
  if (resolved.body != null && (method === 'GET' || method === 'HEAD')) {
    throw new SseOptionError(
      'body',
      `a ${method} request cannot have a body; set method: 'POST' to send one`,
    );
  }
  const fetchImpl = resolved.fetch ?? globalThis.fetch?.bind(globalThis);
  if (!fetchImpl) {
    throw new SseOptionError(
      'fetch',
      'this runtime has no global fetch (Node >= 20 has one); pass options.fetch',
    );
  }
  return Object.freeze({
    ...resolved,
    lastEventId: resolved.lastEventId ?? resolved.cursor?.load() ?? '',
    fetch: fetchImpl,
  });
}
