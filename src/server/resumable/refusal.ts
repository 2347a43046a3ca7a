import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { ResumableStreamError } from './errors.js';

/** The status, headers and JSON body that refuse a resumable-stream request. */
function refusal(error: unknown): { status: number; headers: Record<string, string>; body: string } {
  const known = error instanceof ResumableStreamError;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (known && error.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(error.retryAfterSeconds);
  const body = known
    ? { error: error.message, code: error.code }
    : { error: 'The stream could not be served', code: 'internal' };
  return { status: known ? error.status : 500, headers, body: `${JSON.stringify(body)}\n` };
}

/** Answers a Node request with the refusal for `error` (or destroys it if headers already went out). */
export function refuseNode(res: ServerResponse | Http2ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, headers, body } = refusal(error);
  (res as ServerResponse).writeHead(status, headers);
  res.end(body);
}

/** The refusal for `error` as a Fetch `Response`. */
export function refuseFetch(error: unknown): Response {
  const { status, headers, body } = refusal(error);
  return new Response(body, { status, headers });
}
