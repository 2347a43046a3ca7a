/** Resumable streams: an answer produced once, read by any number of readers, each resuming where it stopped. */

export { relayChatCompletion } from './chat-completion-relay.js';
export {
  InvalidStreamCursorError,
  ProducerError,
  ResumableStreamError,
  StreamLimitError,
  StreamTooLargeError,
  UnknownStreamError,
  UpstreamError,
} from './errors.js';
export { isStreamId, parseStreamEventId, type StreamCursor, streamEventId } from './event-id.js';
export { MemoryStreamStore } from './memory-store.js';
export {
  CHAT_RELAY_SETTINGS,
  type ChatCompletionRelayOptions,
  RESUMABLE_SETTINGS,
  type ResumableStreamsOptions,
  resolveChatRelayOptions,
  resolveResumableOptions,
} from './options.js';
export {
  type Producer,
  type ProducerContext,
  type ResumableEvent,
  ResumableStreams,
  STREAM_ID_HEADER,
} from './registry.js';
export type { Awaitable, ResumableStore, StoredStream } from './store.js';
export { isTerminalEvent, TERMINAL_EVENTS, type TerminalEventType } from './terminal.js';
