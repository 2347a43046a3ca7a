/**
 * What each client option does, for the README "Options" table (`npm run docs:settings`): the prose of
 * {@link CLIENT_SETTINGS} and {@link EVENT_SOURCE_SETTINGS}, kept apart from their shapes so the browser
 * bundle, which resolves options, does not carry it. The compiler requires one entry per option.
 */
import type { HelpOf } from '../protocol/index.js';
import type { EVENT_SOURCE_SETTINGS } from './event-source.js';
import type { CLIENT_SETTINGS } from './options.js';

/** Prose of {@link EVENT_SOURCE_SETTINGS}. */
export const EVENT_SOURCE_SETTINGS_HELP: HelpOf<typeof EVENT_SOURCE_SETTINGS> = {
  withCredentials: {
    help: 'EventSource only: send cookies and HTTP auth cross-origin (credentials mode `include` instead of `credentials`). Any value is taken as true or false, as the standard EventSource does.',
  },
};

/** Prose of {@link CLIENT_SETTINGS}. */
export const CLIENT_SETTINGS_HELP: HelpOf<typeof CLIENT_SETTINGS> = {
  method: {
    help: 'HTTP method. Use `POST` with `body` to stream a reply to a request (AI chat); a body needs another method than GET/HEAD.',
  },
  headers: {
    help: 'Request headers, or a function called before every connection and re-connection that returns them (may be async): the place to put a fresh `Authorization` token. `Accept` and `Last-Event-ID` are set by the client.',
  },
  body: {
    help: 'Request body, sent again on each re-connection (so not a `ReadableStream`).',
  },
  credentials: {
    help: 'Fetch credentials mode (`include` when the EventSource is given `withCredentials: true`).',
  },
  signal: {
    help: 'Aborting it closes the client for good: no more events, no re-connection (the iterator ends without error).',
  },
  lastEventId: {
    defaultText: "the `cursor`'s, else `''`",
    help: 'The last event id to start from, e.g. saved before a page reload: sent as `Last-Event-ID` at once.',
  },
  cursor: {
    help: 'Keeps the last event id across page reloads: read once for the first request (unless `lastEventId` is given), saved after every event, cleared on a 204. `sessionCursor(key)` keeps it in sessionStorage (memory where there is none).',
  },
  resumeUrl: {
    help: "Where to resume a stream started by another request (a POSTed prompt whose answer is a [resumable stream](#resumable-streams-ai-answers)): once there is a last event id, every (re)connection GETs this URL (resolved against the stream's URL) with `Last-Event-ID` and no body instead of repeating the first request. A function gets the last event id and returns the URL, or undefined to repeat the first request.",
  },
  reconnectionTime: {
    help: 'Reconnection time until the server sends `retry:` (as Chrome and undici).',
  },
  minReconnectionTime: {
    help: 'Floor of a server\'s `retry:` (as Firefox): a hostile, buggy or injected `retry: 0` cannot make the client reconnect in a tight loop after each clean end (docs/security.md#limits); waiting longer than asked is allowed (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model, "optionally, wait some more"). 0 honours any value. Does not apply to `reconnectionTime`.',
  },
  maxReconnectDelay: {
    help: 'Cap of the exponential backoff. Never lowers a server-sent `retry:`.',
  },
  maxRetryAfter: {
    help: 'Cap on a `Retry-After` wait, so a hostile or broken header cannot park the client.',
  },
  heartbeatTimeout: {
    help: 'Drop and re-establish the connection when no byte arrives for this long (also while waiting for response headers); 0 disables.',
  },
  maxEventSize: {
    help: 'Largest event the parser buffers, in characters; a larger one is `SseEventTooLargeError` (terminal). Infinity removes the bound.',
  },
  reconnectOnEnd: {
    help: "Re-connect when the server ends the stream cleanly, as the spec says. `false` suits a request/response stream that cannot be resumed: a clean end then finishes the client, while a network error still re-connects. A clean end is not proof of completion (a server shutting down ends streams cleanly): check for the stream's final event (`[DONE]`, a resumable stream's `done`).",
  },
  shouldRetry: {
    defaultText: '`defaultShouldRetry`',
    help: 'Decides whether a failure ends the client or is followed by a re-connection; called for every failure. May be async, e.g. to refresh a token after a 401.',
  },
  onResponse: {
    help: 'Called with every HTTP response (any status) before it is checked: status and headers (e.g. `Mercure-Last-Event-ID`).',
  },
  onReconnect: {
    help: 'Called with `{ error, delay, failures }` when a connection ended and another one is scheduled.',
  },
  requestInit: {
    help: "Extra fetch options (`mode`, `referrerPolicy`, Node's `dispatcher`…); the client's own fields win.",
  },
  fetch: {
    defaultText: '`globalThis.fetch`',
    help: 'The fetch implementation.',
  },
  random: {
    defaultText: '`Math.random`',
    help: 'Uniform random numbers in [0, 1) for backoff jitter (inject one to make schedules deterministic).',
  },
};
