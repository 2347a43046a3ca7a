import { type Access, ANONYMOUS_ACCESS, type Authorizer, type Role } from './access.js';
import { HubAuthError } from './index.js';
import { MissingTokenError } from './missing-token.js';

/**
 * The authoriser of a hub configured without keys (https://mercure.rocks/spec#publication: the publish route exists only
 * with a publisher key; subscribing only with a subscriber key or `anonymous`). HTTP publishing is refused
 * with 401 (in-process `hub.publish()` still works); subscribing is anonymous when allowed, else 401.
 */
export class NoKeyAuthorizer implements Authorizer {
  readonly #allowAnonymous: boolean;

  constructor(allowAnonymous: boolean) {
    this.#allowAnonymous = allowAnonymous;
  }

  async authorize(_request: unknown, role: Role): Promise<Access> {
    if (role === 'publish') {
      throw new HubAuthError(
        401,
        'Publishing over HTTP is disabled: this hub has no publisher key. Configure one (JWT authoriser) or publish in-process with hub.publish()',
      );
    }
    if (!this.#allowAnonymous) {
      throw new MissingTokenError(
        'Subscribing requires a token, but this hub has no subscriber key; configure one or allow anonymous subscribers',
      );
    }
    return ANONYMOUS_ACCESS;
  }
}
