import type { ServerResponse } from 'node:http';
import { SsehubError } from '../../protocol/index.js';
import { sendErrorReply } from '../../server/index.js';
import { HubAuthError } from '../auth/errors.js';

/**
 * A refusal the hub answers with a plain-text reason a person can act on. The HTTP status follows from
 * the code ({@link HubHttpError.statuses}), so every refusal of one kind gets the same status.
 */
export class HubHttpError extends SsehubError {
  /** Every code the hub answers a request with, and its HTTP status. A new refusal adds one line here. */
  static readonly statuses = {
    ...HubAuthError.statuses,
    SSEHUB_INVALID_TOPIC: 400,
    SSEHUB_INVALID_MATCHER: 400,
    SSEHUB_MERCURE_0X_OFF: 400,
    SSEHUB_MALFORMED_FORM: 400,
    SSEHUB_INVALID_ID: 400,
    SSEHUB_INVALID_TYPE: 400,
    SSEHUB_INVALID_RETRY: 400,
    SSEHUB_UNSUPPORTED_BODY: 400,
    SSEHUB_UNREADABLE_BODY: 400,
    SSEHUB_RESERVED_TOPIC: 403,
    SSEHUB_NOT_FOUND: 404,
    SSEHUB_METHOD_NOT_ALLOWED: 405,
    SSEHUB_BODY_TIMEOUT: 408,
    SSEHUB_DUPLICATE_ID: 409,
    SSEHUB_BODY_TOO_LARGE: 413,
    SSEHUB_UPDATE_TOO_LARGE: 413,
    SSEHUB_SHUTTING_DOWN: 503,
    SSEHUB_TRANSPORT_UNAVAILABLE: 503,
  } as const;
  override readonly name = 'HubHttpError';
  /** The HTTP status answered, from the code. */
  readonly status: number;
  constructor(
    code: keyof typeof HubHttpError.statuses,
    message: string,
    /** Extra response headers (e.g. `Allow` for 405). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** `cause`: the error this refusal stands for (e.g. the authoriser's). */
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.status = HubHttpError.statuses[code];
  }
}

/** Writes a short plain-text answer (health checks, a publish's id). Refusals go through {@link sendHttpError}. */
export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/**
 * Answers `error` in plain text (the server library's {@link sendErrorReply}). After a 408 or 413 the
 * rest of the body is not worth reading: the connection is closed after answering.
 */
export function sendHttpError(res: ServerResponse, error: HubHttpError): void {
  sendErrorReply(res, {
    status: error.status,
    message: error.message,
    headers: error.headers,
    closeConnection: error.status === 408 || error.status === 413,
  });
}
