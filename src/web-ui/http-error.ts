import type { ServerResponse } from 'node:http';

/**
 * A request the demo endpoints refuse, with the status and a reason a person can act on
 * (400 bad input, 403 cross-site, 404 unknown, 405 method, 408 body too slow, 413 too large, 415 type,
 * 429 rate).
 */
export class DemoHttpError extends Error {
  override readonly name = 'DemoHttpError';
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 408 | 413 | 415 | 429 | 503,
    message: string,
    /** Seconds to wait before retrying (429, 503), sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
    /** Close the connection after answering (the rest of the request will not be read). */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/** Answers with JSON `{ error }` for a {@link DemoHttpError}, or a 500 for anything else. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = error instanceof DemoHttpError;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  };
  if (known && error.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(error.retryAfterSeconds);
  if (known && error.closeConnection && res.req.httpVersionMajor < 2) headers.Connection = 'close';
  res.writeHead(known ? error.status : 500, headers);
  res.end(`${JSON.stringify({ error: known ? error.message : 'Internal error in the web UI demo' })}\n`);
}

/** Answers 200 with a JSON body. */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
