import type { TopicMatcher } from '../topics/topic-matcher.js';
import type { Access, Authorizer as JwtAuthorizer } from './index.js';

/**
 * The authorisation contract the hub core builds against (Mercure §Authorization). The JWT implementation
 * lives in `./auth/` (`createAuthorizer`); the core needs only its `authorize` method, so any object with
 * it (a custom or test authoriser) can be passed as `HubOptions.authorizer`.
 */
export type { Access, AuthRequest, Role } from './index.js';

/**
 * Decides what a request may do. Rejects with an error carrying `status` 400, 401 or 403 (the JWT module's
 * `HubAuthError`) and a message a person can act on; the hub answers with exactly that status and message.
 */
export type Authorizer = Pick<JwtAuthorizer, 'authorize'> & Partial<Pick<JwtAuthorizer, 'protectedResource'>>;

/**
 * The matchers granting an access its role, whichever generation issued it: a 1.0 token's typed
 * `authorization_details` matchers, or a 0.x token's `mercure` claim selectors read as 0.x topic selectors.
 */
export function grantsOf(access: Access): readonly TopicMatcher[] {
  return access.grants ?? access.topics.map((pattern) => ({ type: 'topic', pattern }));
}

/** The status of an authorisation failure, or undefined when `error` is not one (then it is a hub bug: 500). */
export function authErrorStatus(error: unknown): 400 | 401 | 403 | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return status === 400 || status === 401 || status === 403 ? status : undefined;
}
