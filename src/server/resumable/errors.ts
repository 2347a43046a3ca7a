/**
 * Why a resumable-stream request was refused, with the HTTP status the faces answer and a stable `code`.
 * `retryAfterSeconds` is sent as `Retry-After` (RFC 9110 §10.2.3) with 429 and 503.
 */
export class ResumableStreamError extends Error {
  override readonly name: string = 'ResumableStreamError';
  constructor(
    /** Stable machine-readable reason, e.g. `too-many-producers`. */
    readonly code: string,
    /** The status a face answers with. */
    readonly status: 400 | 404 | 429 | 503,
    message: string,
    /** Seconds a client should wait before trying again (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** 503 (or 429 for one client's share): a limit of the registry is reached; retry after `retryAfterSeconds`. */
export class StreamLimitError extends ResumableStreamError {
  override readonly name = 'StreamLimitError';
  constructor(
    code: 'too-many-producers' | 'too-many-streams' | 'too-many-producers-for-client' | 'shutting-down',
    message: string,
    retryAfterSeconds: number,
  ) {
    super(code, code === 'too-many-producers-for-client' ? 429 : 503, message, retryAfterSeconds);
  }
}

/** 404: the stream is not (or no longer) held: never started, or past its retention. */
export class UnknownStreamError extends ResumableStreamError {
  override readonly name = 'UnknownStreamError';
  constructor(readonly streamId: string) {
    super(
      'unknown-stream',
      404,
      `Stream ${streamId} is unknown or expired; start it again (the answer is no longer kept)`,
    );
  }
}

/** 400: the stream id or `Last-Event-ID` is not one of this registry's `<stream>:<seq>` ids. */
export class InvalidStreamCursorError extends ResumableStreamError {
  override readonly name = 'InvalidStreamCursorError';
  constructor(reason: string) {
    super('invalid-stream-cursor', 400, reason);
  }
}
