import { SsehubError } from './ssehub-error.js';

/**
 * Thrown by the encoder when a field value could break the event stream framing.
 * `field` names the offending field so the caller can fix the input that produced it.
 */
export class InvalidFieldError extends SsehubError {
  static readonly code = 'SSEHUB_INVALID_FIELD';
  override readonly name = 'InvalidFieldError';
  constructor(
    /** The SSE field that was refused (`event`, `id` or `retry`). */
    readonly field: 'event' | 'id' | 'retry',
    reason: string,
  ) {
    super(InvalidFieldError.code, `Invalid SSE "${field}" field: ${reason}`);
  }
}

/**
 * Raised by the parser when one event grows past `maxEventSize`. The stream is unusable after it:
 * the parser refuses further input until `reset()`, so a hostile server cannot make us buffer forever.
 */
export class EventTooLargeError extends SsehubError {
  static readonly code = 'SSEHUB_EVENT_TOO_LARGE';
  override readonly name = 'EventTooLargeError';
  constructor(
    /** The configured limit, in UTF-16 code units of buffered field text. */
    readonly limit: number,
  ) {
    super(
      EventTooLargeError.code,
      `SSE event exceeds the maximum size of ${limit} characters; raise maxEventSize if this is expected`,
    );
  }
}
