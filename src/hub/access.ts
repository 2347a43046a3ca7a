import type { IncomingHttpHeaders } from 'node:http';

/**
 * The authorisation contract the hub core builds against (Mercure §Authorization). The JWT
 * implementation lives in `./auth/`; these structural types let the core, its tests and any custom
 * authoriser agree on one shape without depending on the JWT code.
 */

/** What a request wants to do. */
export type Role = 'publish' | 'subscribe';

/** The rights a request was granted. */
export interface Access {
  /** True when no token was presented and anonymous subscribers are allowed (public updates only). */
  readonly anonymous: boolean;
  /** Selectors from the `mercure.publish` or `mercure.subscribe` claim (`[]` if none). */
  readonly topics: readonly string[];
  /** The `mercure.payload` claim, copied into subscription events; undefined if absent. */
  readonly payload: unknown;
  /** Token expiry in epoch milliseconds: a subscription must close then (Mercure PR #679). */
  readonly expiresAt: number | undefined;
  /** True when the token came from the cookie (publish then needs an allowed Origin/Referer). */
  readonly viaCookie: boolean;
}

/** What an authoriser may look at. */
export interface AuthRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
}

/**
 * Decides what a request may do. Rejects with an error carrying `status` 400, 401 or 403 and a
 * message a person can act on; the hub answers with exactly that status and message.
 */
export interface Authorizer {
  authorize(request: AuthRequest, role: Role): Promise<Access>;
}

/** The status of an authorisation failure, or undefined when `error` is not one (then it is a hub bug: 500). */
export function authErrorStatus(error: unknown): 400 | 401 | 403 | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return status === 400 || status === 401 || status === 403 ? status : undefined;
}
