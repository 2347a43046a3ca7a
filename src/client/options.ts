import type { SseError } from './errors.js';
import type { ResumeCursor } from './resume-cursor.js';

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

/**
 * Options shared by {@link SseEventSource} and {@link streamEvents}. Everything is optional; the defaults
 * behave like a browser's EventSource plus backoff, status awareness and bounded buffers.
 */
export interface ClientOptions {
  /** HTTP method, `GET` by default. Use `POST` with `body` to stream a reply to a request (AI chat). */
  method?: string;
  /**
   * Request headers, or a function called before every connection and re-connection that returns them:
   * the place to put a fresh `Authorization` token. `Accept` and `Last-Event-ID` are set by the client.
   */
  headers?:
    | HeadersInit
    | ((context: ConnectionContext) => HeadersInit | undefined | Promise<HeadersInit | undefined>);
  /** Request body, sent again on every re-connection: it must be re-readable (not a ReadableStream). */
  body?: BodyInit | null;
  /** Fetch credentials mode; `same-origin` by default (`include` when `withCredentials` is true). */
  credentials?: RequestCredentials;
  /** Aborting it closes the client for good: no more events, no re-connection. */
  signal?: AbortSignal;
  /** The last event id to start from, e.g. saved before a page reload: sent as `Last-Event-ID` at once. */
  lastEventId?: string;
  /**
   * Keeps the last event id across page reloads: read once for the first request (unless `lastEventId`
   * is given), saved after every event, cleared on a 204. See `sessionCursor(key)`.
   */
  cursor?: ResumeCursor;
  /**
   * Where to resume a stream started by another request (a POSTed prompt whose answer is a resumable
   * stream): once there is a last event id, every (re)connection is a GET to this URL (resolved against
   * the stream's URL), with `Last-Event-ID` and no body, instead of sending the first request again. A
   * function gets the last event id (e.g. `<stream>:<seq>`) and returns the URL, or undefined to repeat
   * the first request.
   */
  resumeUrl?: string | URL | ((lastEventId: string) => string | URL | undefined);
  /** Reconnection time before the server sends `retry:`, in ms. Default 3000 (as Chrome and undici). */
  reconnectionTime?: number;
  /**
   * Floor applied to a server's `retry:` value, in ms. Default 500 (as Firefox): a hostile, buggy or
   * injected `retry: 0` cannot make the client reconnect in a tight loop after each clean end (docs/security.md#limits). Waiting longer than asked is allowed by https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model ("optionally, wait some more"). 0 honours
   * any value. Does not apply to the `reconnectionTime` option, which you set yourself.
   */
  minReconnectionTime?: number;
  /** Cap of the exponential backoff, in ms. Default 30000. Never lowers a server-sent `retry:`. */
  maxReconnectDelay?: number;
  /** Cap on a `Retry-After` wait, in ms, so a hostile or broken header cannot park the client. Default 300000. */
  maxRetryAfter?: number;
  /** Drop and re-establish the connection when no bytes arrive for this many ms. 0 (default) disables it. */
  heartbeatTimeout?: number;
  /** Largest event the parser buffers, in characters; larger is a terminal error. Default 8 MiB. */
  maxEventSize?: number;
  /**
   * Re-connect when the server ends the stream cleanly (default true, as the spec says). Set false for a
   * request/response stream that cannot be resumed: a clean end then finishes the client, while a network
   * error still re-connects. A clean end does not prove the answer is complete (a server shutting down ends
   * streams cleanly too): check for the stream's explicit final event (`[DONE]`, a resumable stream's `done`).
   */
  reconnectOnEnd?: boolean;
  /**
   * Decides whether an error ends the client or is followed by a re-connection. Called for every failure;
   * `defaultShouldRetry` is the built-in policy. May be async, e.g. to refresh a token after a 401.
   */
  shouldRetry?: (error: SseError, context: ConnectionContext) => boolean | Promise<boolean>;
  /** Called with every HTTP response, before it is checked: status and headers (e.g. `Mercure-Last-Event-ID`). */
  onResponse?: (response: Response) => void;
  /** Called when a connection ended and another one is scheduled. */
  onReconnect?: (info: ReconnectInfo) => void;
  /** Extra fetch options (e.g. `mode`, `referrerPolicy`, Node's `dispatcher`); the client's own fields win. */
  requestInit?: RequestInit;
  /** The fetch implementation, the global one by default. */
  fetch?: typeof fetch;
  /** Uniform random numbers in [0, 1) for backoff jitter, `Math.random` by default (inject for tests). */
  random?: () => number;
}
