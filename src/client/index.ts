/**
 * `ssehub/client`: a resilient Server-Sent Events client for Node >= 20, browsers and workers. Two faces
 * over one engine: {@link SseEventSource} (the standard EventSource surface, also exported as
 * `EventSource`) and {@link streamEvents} (an async iterable). Depends only on `ssehub/protocol`.
 */

import type { ClientCloseReason } from './connection.js';

/** Re-exported so code using only `ssehub/client` can catch every error by its stable `code`. */
export { type ErrorCode, SsehubError } from '../protocol/index.js';
export { reconnectDelay } from './backoff.js';
export type { ClientCloseReason } from './connection.js';

/** @deprecated Renamed {@link ClientCloseReason}: the server library's `CloseReason` is another type. */
export type CloseReason = ClientCloseReason;
export {
  SseContentTypeError,
  SseError,
  SseEventTooLargeError,
  SseHttpError,
  SseNetworkError,
  SseOptionError,
  SseRequestError,
  SseStalledError,
} from './errors.js';
export {
  EVENT_SOURCE_SETTINGS,
  SseErrorEvent,
  SseEventSource,
  SseEventSource as EventSource,
  type SseEventSourceInit,
} from './event-source.js';
export {
  CLIENT_SETTINGS,
  type ClientOptions,
  type ConnectionContext,
  type ReconnectInfo,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './options.js';
export { CLIENT_SETTINGS_HELP, EVENT_SOURCE_SETTINGS_HELP } from './options-help.js';
export { type CursorStorage, type ResumeCursor, sessionCursor } from './resume-cursor.js';
export { parseRetryAfter } from './retry-after.js';
export { defaultShouldRetry } from './retry-policy.js';
export { type EventStream, type StreamedEvent, streamEvents } from './stream-events.js';
