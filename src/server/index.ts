/**
 * `ssehub`: Server-Sent Events responses for Node (http, http2, Express, Fastify, Koa) and the Fetch API
 * (Hono, any runtime), with bounded buffers, heartbeats, dead-client cleanup, channels with gap-free
 * history replay and graceful shutdown.
 */

/** Re-exported so code using only `ssehub` can catch every library error by its stable `code`. */
export { type ErrorCode, SsehubError } from '../protocol/index.js';
export {
  type BroadcastOptions,
  Channel,
  type ChannelStats,
  EventTooLargeForChannelError,
  type JoinResult,
} from './channel.js';
export {
  CHANNEL_SETTINGS,
  type ChannelCloseOptions,
  type ChannelOptions,
  type ResolvedChannelOptions,
  resolveChannelOptions,
} from './channel-options.js';
export { type ClientErrorSource, explainClientErrors } from './client-error-reply.js';
export {
  BUSY_CPU_MS,
  Coalescer,
  type CoalescerOptions,
  DEFAULT_COALESCE_MS,
  MAX_BATCH_BYTES,
  MAX_COALESCE_MS,
} from './coalescer.js';
export { hasControlCharacter } from './control-character.js';
export {
  type ErrorReply,
  type ErrorReplyFormat,
  errorReplyResponse,
  sendErrorReply,
} from './error-reply.js';
export { sseResponse } from './fetch.js';
export { FETCH_HIGH_WATER_MARK } from './fetch-sink.js';
export { decodeHeaderText, encodeHeaderText } from './header-text.js';
export { SSE_HEADERS, sseHeaders } from './headers.js';
export { HISTORY_SETTINGS, History, type HistoryEntry, type HistoryOptions } from './history.js';
export { jitteredRetry, randomDelay } from './jitter.js';
export {
  type LastEventIdRequest,
  lastEventIdRequest,
  MAX_LAST_EVENT_ID_LENGTH,
  readLastEventId,
  validLastEventId,
} from './last-event-id.js';
export { isLoopbackAddress, isLoopbackRequest, requestAuthority, requestHostName } from './loopback.js';
export { openingFrame, openStream } from './open-stream.js';
export {
  CLOSE_REASONS,
  type CloseReason,
  DEFAULT_MAX_BUFFERED_BYTES,
  InvalidOptionError,
  type OverflowPolicy,
  type ResolvedStreamOptions,
  resolveStreamOptions,
  STREAM_SETTINGS,
  type StreamOptions,
} from './options.js';
export { type RequestBodyLimits, readRequestBody } from './request-body.js';
export {
  type Awaitable,
  CHAT_RELAY_SETTINGS,
  type ChatCompletionRelayOptions,
  InvalidStreamCursorError,
  isStreamId,
  isTerminalEvent,
  MemoryStreamStore,
  type Producer,
  type ProducerContext,
  ProducerError,
  parseStreamEventId,
  RESUMABLE_SETTINGS,
  type ResumableEvent,
  type ResumableStore,
  ResumableStreamError,
  ResumableStreams,
  type ResumableStreamsOptions,
  relayChatCompletion,
  resolveChatRelayOptions,
  resolveResumableOptions,
  STREAM_ID_HEADER,
  type StoredStream,
  type StreamCursor,
  StreamLimitError,
  StreamTooLargeError,
  streamEventId,
  TERMINAL_EVENTS,
  type TerminalEventType,
  UnknownStreamError,
  UpstreamError,
} from './resumable/index.js';
export { closeAll, type ShutdownResult, SseServerGroup, stopServer } from './shutdown.js';
export {
  type ResolvedShutdownOptions,
  resolveShutdownOptions,
  SHUTDOWN_SETTINGS,
  type ShutdownOptions,
} from './shutdown-options.js';
export type { SinkEvents, SseSink } from './sink.js';
export { type CloseListener, SseStream, type StreamStats } from './stream.js';
export { MalformedFormError, parseUrlEncodedForm, queryOf } from './url-encoded-form.js';
