import { HubAuthError } from './errors.js';

/**
 * A 401 for a request that presented no token at all, as opposed to a bad one: the hub's
 * `WWW-Authenticate: Bearer` challenge then carries no `error` code (RFC 6750 §3.1, Mercure 1.0
 * §Error Responses, https://mercure.rocks/spec#error-responses).
 */
export class MissingTokenError extends HubAuthError {
  constructor(message: string) {
    super(401, message);
  }
}
