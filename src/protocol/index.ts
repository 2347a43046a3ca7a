/**
 * `ssehub/protocol`: the Server-Sent Events wire format. An encoder that no input can trick into
 * forging events, and a WHATWG-exact streaming parser. No dependencies; runs in browsers and workers.
 */
export { type EncodedEvent, encodeComment, encodeEvent, encodeEventBytes, preEncode } from './encoder.js';
export { EventTooLargeError, InvalidFieldError } from './errors.js';
export type { ReceivedEvent, SseEvent } from './event.js';
export {
  DEFAULT_MAX_EVENT_SIZE,
  type DecoderOptions,
  EventStreamDecoder,
  EventStreamParser,
  type ParserOptions,
} from './parser.js';
export {
  acceptedValues,
  defaultsOf,
  formatSettingValue,
  type HelpOf,
  MAX_TIMER_MS,
  resolveSettings,
  type Setting,
  type SettingHelp,
  type SettingKind,
  type SettingShape,
  type SettingShapes,
  type SettingsOf,
  type SettingsTable,
  type SettingValue,
  setting,
  settingProblem,
  settingShape,
  withHelp,
} from './settings.js';
export { type ErrorCode, SsehubError } from './ssehub-error.js';
