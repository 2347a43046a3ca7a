import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';

/** A refusal to answer: the status, a reason a person can act on, and what goes with it. */
export interface ErrorReply {
  /** The HTTP status (4xx, 5xx). */
  status: number;
  /** What went wrong and what to do about it; the body says it. */
  message: string;
  /** A stable code, added to a JSON body as `code`. */
  code?: string;
  /** Seconds before a retry may succeed, sent as `Retry-After` (RFC 9110 section 10.2.3). */
  retryAfterSeconds?: number;
  /** Extra response headers (`Allow` with a 405...). */
  headers?: Readonly<Record<string, string>>;
  /** Close the connection after answering (HTTP/1.x only): the rest of the request will not be read. */
  closeConnection?: boolean;
}

/** `text`: the message as `text/plain` (readable with curl); `json`: `{ "error": message, "code"? }`. */
export type ErrorReplyFormat = 'text' | 'json';

/** The status, headers and body of `reply`. `http1` adds `Connection: close` when asked (HTTP/2 forbids it). */
function parts(
  reply: ErrorReply,
  format: ErrorReplyFormat,
  http1: boolean,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
  if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
  if (reply.closeConnection && http1) headers.connection = 'close';
  let body: string;
  if (format === 'json') {
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['cache-control'] ??= 'no-store';
    body = `${JSON.stringify(reply.code === undefined ? { error: reply.message } : { error: reply.message, code: reply.code })}\n`;
  } else {
    headers['content-type'] = 'text/plain; charset=utf-8';
    body = reply.message.endsWith('\n') ? reply.message : `${reply.message}\n`;
  }
  return { headers, body };
}

/**
 * Answers a Node request (HTTP/1.x or HTTP/2) with `reply`. When the headers already went out (a stream
 * had started) nothing can be said any more: the response is destroyed instead.
 */
export function sendErrorReply(
  res: ServerResponse | Http2ServerResponse,
  reply: ErrorReply,
  format: ErrorReplyFormat = 'text',
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { headers, body } = parts(reply, format, res.req.httpVersionMajor < 2);
  headers['content-length'] = String(Buffer.byteLength(body));
  (res as ServerResponse).writeHead(reply.status, headers);
  res.end(body);
}

/** `reply` as a Fetch `Response`. */
export function errorReplyResponse(reply: ErrorReply, format: ErrorReplyFormat = 'text'): Response {
  const { headers, body } = parts(reply, format, false);
  return new Response(body, { status: reply.status, headers });
}
