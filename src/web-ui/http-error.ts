import type { ServerResponse } from 'node:http';
import { SsehubError } from '../protocol/index.js';
import { sendErrorReply } from '../server/index.js';

/**
 * A request the demo endpoints refuse, with a reason a person can act on. The HTTP status follows from
 * the code ({@link DemoHttpError.statuses}).
 */
export class DemoHttpError extends SsehubError {
  /** Every code the demo endpoints answer a request with, and its HTTP status. */
  static readonly statuses = {
    SSEHUB_DEMO_INVALID_INPUT: 400,
    SSEHUB_MALFORMED_FORM: 400,
    SSEHUB_DEMO_CROSS_SITE: 403,
    SSEHUB_DEMO_NOT_LOOPBACK: 403,
    SSEHUB_DEMO_NOT_FOUND: 404,
    SSEHUB_DEMO_METHOD_NOT_ALLOWED: 405,
    SSEHUB_DEMO_BODY_TIMEOUT: 408,
    SSEHUB_DEMO_BODY_TOO_LARGE: 413,
    SSEHUB_DEMO_UNSUPPORTED_BODY: 415,
    SSEHUB_DEMO_RATE_LIMITED: 429,
    SSEHUB_DEMO_BUSY: 503,
  } as const;
  override readonly name = 'DemoHttpError';
  /** The HTTP status answered, from the code. */
  readonly status: (typeof DemoHttpError.statuses)[keyof typeof DemoHttpError.statuses];
  constructor(
    code: keyof typeof DemoHttpError.statuses,
    message: string,
    /** Seconds to wait before retrying (429, 503), sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
    /** Close the connection after answering (the rest of the request will not be read). */
    readonly closeConnection = false,
    /** The methods the resource takes, sent as `Allow` with a 405 (RFC 9110, section 15.5.6). */
    readonly allow?: string,
  ) {
    super(code, message);
    this.status = DemoHttpError.statuses[code];
  }
}

/** Answers with JSON `{ error, code }` for a {@link DemoHttpError}, or a 500 for anything else. */
export function sendError(res: ServerResponse, error: unknown): void {
  sendErrorReply(
    res,
    error instanceof DemoHttpError
      ? {
          status: error.status,
          message: error.message,
          code: error.code,
          retryAfterSeconds: error.retryAfterSeconds,
          closeConnection: error.closeConnection,
          headers: error.allow === undefined ? undefined : { allow: error.allow },
        }
      : { status: 500, message: 'Internal error in the web UI demo' },
    'json',
  );
}

/** Answers 200 with a JSON body. */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
