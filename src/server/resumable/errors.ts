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

/**
 * A producer failure whose message is safe to show the reader: a resumable stream that ends because of it
 * carries its `code` and message in the terminal `error` event. Any other error a producer throws is shown
 * as a fixed sentence with code `SSEHUB_PRODUCER_FAILED` (its message may hold upstream details).
 */
export class ProducerError extends SsehubError {
  static readonly code: `SSEHUB_${string}` = 'SSEHUB_PRODUCER_FAILED';
  override readonly name: string = 'ProducerError';
  constructor(message: string, options?: ErrorOptions, code: `SSEHUB_${string}` = ProducerError.code) {
    super(code, message, options);
  }
}

/** The stream outgrew `maxStreamBytes`: its producer is stopped and the stream ends with this error. */
export class StreamTooLargeError extends ProducerError {
  static override readonly code: `SSEHUB_${string}` = 'SSEHUB_STREAM_TOO_LARGE';
  override readonly name = 'StreamTooLargeError';
  constructor(limit: number) {
    super(
      `The answer outgrew ${limit} bytes and was stopped; ask for a shorter one`,
      undefined,
      StreamTooLargeError.code,
    );
  }
}

/**
 * The upstream of a relay failed: it refused the request or reported an error (502), sent nothing for the
 * stall timeout (504), or ended before its final `[DONE]` (502). The status is what a proxy would answer.
 */
export class UpstreamError extends ProducerError {
  static readonly statuses = {
    SSEHUB_UPSTREAM_REFUSED: 502,
    SSEHUB_UPSTREAM_STALLED: 504,
    SSEHUB_UPSTREAM_CUT_OFF: 502,
  } as const;
  override readonly name = 'UpstreamError';
  constructor(code: keyof typeof UpstreamError.statuses, message: string, options?: ErrorOptions) {
    super(message, options, code);
  }
}
