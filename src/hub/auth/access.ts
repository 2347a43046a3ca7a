import type { TopicMatcher } from '../topics/topic-matcher.js';
import type { Access, Authorizer as JwtAuthorizer } from './index.js';

/**
 * The authorisation contract the hub core builds against (https://mercure.rocks/spec#authorization). The
 * JWT implementation is `createAuthorizer` in this folder; the core needs only its `authorize` method, so
 * any object with it (a custom or test authoriser) can be passed as `HubOptions.authorizer`.
 */
export type { Access, AuthRequest, Role } from './index.js';

/**
 * Decides what a request may do. Rejects with a `HubAuthError` (status 400, 401 or 403, and a message a
 * person can act on); the hub answers with exactly that status and message. Any other rejection is a bug
 * in the authoriser: the hub logs it and answers 500.
 */
export type Authorizer = Pick<JwtAuthorizer, 'authorize'> & Partial<Pick<JwtAuthorizer, 'protectedResource'>>;

/**
 * The rights of a subscriber without a token: public updates only. One frozen object shared by every
 * anonymous subscriber.
 */
export const ANONYMOUS_ACCESS: Access = Object.freeze({
  anonymous: true,
  topics: Object.freeze([]),
  payload: undefined,
  expiresAt: undefined,
  viaCookie: false,
});

/** What an access without topics grants: nothing, one shared empty list. */
const NO_GRANTS: readonly TopicMatcher[] = Object.freeze([]);

/**
 * The matchers granting an access its role, whichever generation issued it: a 1.0 token's typed
 * `authorization_details` matchers, or a 0.x token's `mercure` claim selectors read as 0.x topic selectors.
 */
export function grantsOf(access: Access): readonly TopicMatcher[] {
  if (access.grants !== undefined) return access.grants;
  if (access.topics.length === 0) return NO_GRANTS;
  return access.topics.map((pattern) => ({ type: 'topic', pattern }));
}
