/**
 * Refusal of one request by the hub's authorisation layer (Mercure §Authorization, mercure-protocol.md §3.7).
 * `status` is what the hub answers: 400 for a malformed presentation (bad `Authorization` header, repeated
 * `authorization` parameter), 401 for a missing, invalid or expired token, 403 for a valid token that does
 * not grant what was asked (missing `mercure.publish`, cookie publish from a foreign origin).
 * The message is safe to send to the client and to log: it never contains the token.
 */
export class HubAuthError extends Error {
  override readonly name = 'HubAuthError';
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Thrown by `createAuthorizer` when the key configuration cannot be used safely (unreadable file, HMAC
 * secret shorter than the hash, algorithm that does not fit the key, `none`...). Raised at startup so a
 * misconfigured hub never starts (sse-rules.md §3.2).
 */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}
