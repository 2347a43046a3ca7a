import type { IncomingHttpHeaders } from 'node:http';
import { MERCURE_1 } from '../mercure-1-names.js';
import { HubAuthError } from './errors.js';

/** Where a token was found, in Mercure's precedence order. */
export type TokenOrigin = 'header' | 'query' | 'cookie';

/** A token as presented, before verification. */
export interface PresentedToken {
  readonly token: string;
  readonly from: TokenOrigin;
}

/**
 * Finds the token of a request, in the order Mercure mandates (https://mercure.rocks/spec#authorization):
 * the `Authorization: Bearer` header; else the 0.x `authorization` query parameter; else the Mercure 1.0
 * cookie (`accessTokenCookieName`); else the 0.x cookie (`cookieName`). A present header is the only
 * source even when it is malformed (the cookie is ambient and MUST be ignored then, Mercure 1.0
 * https://mercure.rocks/spec#presenting-the-access-token). The RFC 6750 `access_token` query parameter is refused with 400
 * (`invalid_request`): tokens never travel in URLs (RFC 9700). Returns undefined when no token was presented.
 */
export function findToken(
  headers: IncomingHttpHeaders,
  url: URL,
  cookieName: string,
  accessTokenCookieName: string = MERCURE_1.cookieName,
): PresentedToken | undefined {
  if (url.searchParams.has(MERCURE_1.uriTokenParam)) {
    throw new HubAuthError(
      400,
      `The "${MERCURE_1.uriTokenParam}" query parameter is not accepted: tokens must not travel in URLs (RFC 9700); send "Authorization: Bearer <token>" or the "${accessTokenCookieName}" cookie`,
    );
  }
  const header = headers.authorization;
  if (header !== undefined) {
    // The prefix is case-sensitive in the reference hub; accept any case of "bearer" as RFC 6750 allows
    // but nothing else, and say exactly what is expected.
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new HubAuthError(400, 'Malformed Authorization header: expected "Authorization: Bearer <JWT>"');
    }
    return { token: match[1]!, from: 'header' };
  }
  const query = url.searchParams.getAll('authorization');
  if (query.length > 0) {
    if (query.length > 1) {
      throw new HubAuthError(
        400,
        'The "authorization" query parameter was given more than once; give one token',
      );
    }
    if (query[0] === '') throw new HubAuthError(400, 'The "authorization" query parameter is empty');
    return { token: query[0]!, from: 'query' };
  }
  for (const name of [accessTokenCookieName, cookieName]) {
    const cookie = readCookie(headers.cookie, name);
    if (cookie !== undefined && cookie !== '') return { token: cookie, from: 'cookie' };
  }
  return undefined;
}

/**
 * The value of the first cookie named `name` (RFC 6265 §5.4), percent-decoded, or undefined. A value
 * with a malformed escape is refused with {@link HubAuthError} 400 rather than used as it is.
 */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      throw new HubAuthError(
        400,
        `Malformed "${name}" cookie: a "%" not followed by two hex digits, or escapes that are not UTF-8`,
      );
    }
  }
  return undefined;
}

/** Methods that cannot change state, so a cookie alone is enough (no CSRF check needed). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF guard for cookie-authenticated state changes (Mercure `publish_origins`, docs/security.md#cookies-and-cross-site-publishing):
 * the request must carry an `Origin`, or a parseable `Referer`, that is in the allowlist (`*` allows any).
 * Neither header present is refused too, since a cookie is sent by the browser on its own.
 */
export function checkCookieOrigin(
  method: string,
  headers: IncomingHttpHeaders,
  publishOrigins: readonly string[],
): void {
  if (SAFE_METHODS.has(method.toUpperCase())) return;
  let origin = typeof headers.origin === 'string' && headers.origin !== '' ? headers.origin : undefined;
  if (origin === undefined) {
    const referer = headers.referer;
    if (referer === undefined || referer === '') {
      throw new HubAuthError(
        403,
        'A cookie-authenticated publish must carry an Origin or Referer header (CSRF protection); send the token in the Authorization header instead',
      );
    }
    try {
      origin = new URL(referer).origin;
    } catch {
      throw new HubAuthError(
        403,
        'The Referer header of this cookie-authenticated publish is not a valid URL',
      );
    }
  }
  if (publishOrigins.includes('*') || publishOrigins.includes(origin)) return;
  throw new HubAuthError(
    403,
    publishOrigins.length === 0
      ? `Cookie-authenticated publishing is disabled (no publish origins configured); origin ${JSON.stringify(origin)} refused`
      : `Origin ${JSON.stringify(origin)} is not allowed to publish with a cookie; add it to the publish origins`,
  );
}
