import type { IncomingMessage } from 'node:http';
import { isLoopbackRequest, readRequestBody, requestAuthority, requestHostName } from '../server/index.js';
import { DemoHttpError } from './http-error.js';

/**
 * Refuses cross-site writes (CSRF): a browser always sends `Origin` on a cross-origin POST, so an
 * `Origin` that is not this host is refused, and so is a `Sec-Fetch-Site` other than same-origin.
 * Requests with neither (curl, scripts) are not browsers riding a user's session and are allowed.
 */
export function assertSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  // Over HTTP/2 a browser sends `:authority` and no `Host`.
  const host = requestAuthority(req.headers);
  // Behind a proxy that rewrites Host, the public host is in X-Forwarded-Host. A cross-site page cannot
  // forge it: a custom header makes the browser send a CORS preflight, which the demo never approves.
  const forwarded = req.headers['x-forwarded-host'];
  const publicHost = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new DemoHttpError(
        'SSEHUB_DEMO_CROSS_SITE',
        `Origin "${origin}" is not a URL; demo writes must come from this page`,
      );
    }
    if (originHost !== host && originHost !== publicHost) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_CROSS_SITE',
        `Cross-site request refused: Origin ${origin} is not this hub (${host})`,
      );
    }
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new DemoHttpError('SSEHUB_DEMO_CROSS_SITE', `Cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
}

/**
 * Refuses a request whose `Host` is not a loopback name or address (`localhost`, `*.localhost`,
 * `127.0.0.0/8`, `[::1]`). Guards what only a local developer may have, such as the development token:
 * a DNS-rebinding page (`evil.example` re-pointed at 127.0.0.1) is same-origin with itself for the browser
 * and passes every Origin check, but it cannot make the browser send a loopback `Host`.
 */
export function assertLoopbackHost(req: IncomingMessage): void {
  if (!isLoopbackRequest(req.headers)) {
    throw new DemoHttpError(
      'SSEHUB_DEMO_NOT_LOOPBACK',
      `The development token is only served to loopback hosts (localhost, 127.0.0.1, [::1]), not "${requestHostName(req.headers)}"`,
    );
  }
}

/** Longest time a demo request body may take to arrive (slow-loris bound), in ms. */
export const BODY_TIMEOUT_MS = 10_000;

/**
 * Reads a JSON object body of at most `maxBytes`. Requires `Content-Type: application/json`, which a
 * cross-site HTML form cannot send without a CORS preflight (a second CSRF barrier). A body still
 * incomplete after `timeoutMs` is a 408, answered with `Connection: close` (slow-loris).
 */
export async function readJsonObject(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs = BODY_TIMEOUT_MS,
): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new DemoHttpError(
      'SSEHUB_DEMO_UNSUPPORTED_BODY',
      `Send the body as Content-Type: application/json (got "${type || 'none'}")`,
    );
  }
  const tooLarge = (): DemoHttpError =>
    new DemoHttpError(
      'SSEHUB_DEMO_BODY_TOO_LARGE',
      `Body too large: at most ${maxBytes} bytes`,
      undefined,
      true,
    );
  const body = await readRequestBody(req, {
    maxBytes,
    timeoutMs,
    tooLarge,
    timedOut: () =>
      new DemoHttpError(
        'SSEHUB_DEMO_BODY_TIMEOUT',
        `The body did not arrive within ${timeoutMs} ms`,
        undefined,
        true,
      ),
    unreadable: (error) => error,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new DemoHttpError('SSEHUB_DEMO_INVALID_INPUT', 'The body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DemoHttpError('SSEHUB_DEMO_INVALID_INPUT', 'The body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A string field of at most `maxLength` characters (after trimming), or a 400 naming the field. */
export function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name];
  if (typeof value !== 'string')
    throw new DemoHttpError('SSEHUB_DEMO_INVALID_INPUT', `"${name}" must be a string`);
  const trimmed = value.trim();
  if (trimmed === '') throw new DemoHttpError('SSEHUB_DEMO_INVALID_INPUT', `"${name}" must not be empty`);
  if (trimmed.length > maxLength) {
    throw new DemoHttpError(
      'SSEHUB_DEMO_INVALID_INPUT',
      `"${name}" is too long: at most ${maxLength} characters`,
    );
  }
  return trimmed;
}
