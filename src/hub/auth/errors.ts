import { SsehubError } from '../../protocol/index.js';

/**
 * Refusal of one request by the hub's authorisation layer (https://mercure.rocks/spec#authorization).
 * `status` is what the hub answers: 400 for a malformed presentation (bad `Authorization` header, repeated
 * `authorization` parameter), 401 for a missing, invalid or expired token, 403 for a valid token that does
 * not grant what was asked (missing `mercure.publish`, cookie publish from a foreign origin).
 * The message is safe to send to the client and to log: it never contains the token.
 * A custom `HubOptions.authorizer` rejects with this class too; any other rejection is answered 500.
 */
export class HubAuthError extends SsehubError {
  /** The code of each refusal, with the HTTP status the hub answers it with. */
  static readonly statuses = {
    SSEHUB_AUTH_MALFORMED: 400,
    SSEHUB_UNAUTHORIZED: 401,
    SSEHUB_FORBIDDEN: 403,
  } as const;
  override readonly name = 'HubAuthError';
  declare readonly code: AuthCode;
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(authCode(status), message, options);
  }
}

type AuthCode = keyof typeof HubAuthError.statuses;

function authCode(status: 400 | 401 | 403): AuthCode {
  const codes = Object.keys(HubAuthError.statuses) as AuthCode[];
  return codes.find((code) => HubAuthError.statuses[code] === status) as AuthCode;
}

/**
 * Thrown by `createAuthorizer` when the key configuration cannot be used safely (unreadable file, HMAC
 * secret shorter than the hash, algorithm that does not fit the key, `none`...). Raised at startup so a
 * misconfigured hub never starts (docs/security.md, "Tokens").
 */
export class AuthConfigError extends SsehubError {
  static readonly code = 'SSEHUB_AUTH_CONFIG';
  override readonly name = 'AuthConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(AuthConfigError.code, message, options);
  }
}
