import type { ServerResponse } from 'node:http';

/**
 * A refusal the hub answers with a status and a plain-text reason a person can act on
 * (400 bad input, 401/403 authorisation, 404, 405, 408 body too slow, 409 duplicate id, 413 too large).
 */
export class HubHttpError extends Error {
  override readonly name = 'HubHttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. `Allow` for 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Writes a plain-text response unless headers were already sent (then the socket is closed). */
export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** Answers `error` as {@link sendText}, with a trailing newline so `curl` output stays readable. */
export function sendHttpError(res: ServerResponse, error: HubHttpError): void {
  sendText(res, error.status, `${error.message}\n`, error.headers);
}
