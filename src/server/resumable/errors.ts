import { SsehubError } from '../../protocol/index.js';

/**
 * Why a resumable-stream request was refused, with a stable `code`; the HTTP status the faces answer
 * follows from the code ({@link ResumableStreamError.statuses}). `retryAfterSeconds` is sent as
 * `Retry-After` (RFC 9110 section 10.2.3) with 429 and 503.
 */
export class ResumableStreamError extends SsehubError {
  /** Every code a resumable-stream refusal carries, and its HTTP status. */
  static readonly statuses = {
    SSEHUB_INVALID_STREAM_CURSOR: 400,
    SSEHUB_UNKNOWN_STREAM: 404,
    SSEHUB_TOO_MANY_PRODUCERS_FOR_CLIENT: 429,
    SSEHUB_TOO_MANY_PRODUCERS: 503,
    SSEHUB_TOO_MANY_STREAMS: 503,
    SSEHUB_STREAMS_SHUTTING_DOWN: 503,
    SSEHUB_STREAM_ELSEWHERE: 503,
  } as const;
  override readonly name: string = 'ResumableStreamError';
  declare readonly code: keyof typeof ResumableStreamError.statuses;
  /** The status a face answers with. */
  readonly status: 400 | 404 | 429 | 503;
  constructor(
    code: keyof typeof ResumableStreamError.statuses,
    message: string,
    /** Seconds a client should wait before trying again (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
    this.status = ResumableStreamError.statuses[code];
  }
}

/** 503 (or 429 for one client's share): a limit of the registry is reached; retry after `retryAfterSeconds`. */
export class StreamLimitError extends ResumableStreamError {
  override readonly name = 'StreamLimitError';
  constructor(
    code:
      | 'SSEHUB_TOO_MANY_PRODUCERS'
      | 'SSEHUB_TOO_MANY_STREAMS'
      | 'SSEHUB_TOO_MANY_PRODUCERS_FOR_CLIENT'
      | 'SSEHUB_STREAMS_SHUTTING_DOWN',
    message: string,
    retryAfterSeconds: number,
  ) {
    super(code, message, retryAfterSeconds);
  }
}

/** 404: the stream is not (or no longer) held: never started, or past its retention. */
export class UnknownStreamError extends ResumableStreamError {
  override readonly name = 'UnknownStreamError';
  constructor(readonly streamId: string) {
    super(
      'SSEHUB_UNKNOWN_STREAM',
      `Stream ${streamId} is unknown or expired; start it again (the answer is no longer kept)`,
    );
  }
}

/** 400: the stream id or `Last-Event-ID` is not one of this registry's `<stream>:<seq>` ids. */
export class InvalidStreamCursorError extends ResumableStreamError {
  override readonly name = 'InvalidStreamCursorError';
  constructor(reason: string) {
    super('SSEHUB_INVALID_STREAM_CURSOR', reason);
  }
}
