import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { type ErrorReply, errorReplyResponse, sendErrorReply } from '../error-reply.js';
import { ResumableStreamError } from './errors.js';

/** The refusal for `error`: JSON `{ error, code }`, with `Retry-After` when the error gives one. */
function refusal(error: unknown): ErrorReply {
  if (!(error instanceof ResumableStreamError)) {
    return { status: 500, message: 'The stream could not be served', code: 'internal' };
  }
  return {
    status: error.status,
    message: error.message,
    code: error.code,
    retryAfterSeconds: error.retryAfterSeconds,
  };
}

/** Answers a Node request with the refusal for `error` (or destroys it if headers already went out). */
export function refuseNode(res: ServerResponse | Http2ServerResponse, error: unknown): void {
  sendErrorReply(res, refusal(error), 'json');
}

/** The refusal for `error` as a Fetch `Response`. */
export function refuseFetch(error: unknown): Response {
  return errorReplyResponse(refusal(error), 'json');
}
