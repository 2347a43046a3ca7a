import { errors, type JWTPayload, jwtVerify } from 'jose';
import { HubAuthError } from './errors.js';
import type { ResolvedKey } from './keys.js';
import { readCompactToken } from './token-shape.js';

/** How tokens are checked beyond the signature. */
export interface VerifyPolicy {
  /** Refuse tokens without `exp` (draft-08 requires it; Mercure 0.x and its reference hub do not). */
  readonly requireExpiration: boolean;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  readonly clockToleranceSeconds: number;
}

/**
 * What a Mercure 1.0 access token must also carry (https://mercure.rocks/spec#token-validation):
 * `typ` `at+jwt` (jose compares it without `application/`, case-insensitively, per RFC 7515 §4.1.9),
 * `iss` equal to the issuer whose key verifies it, the resource identifier in `aud`, and an `exp`.
 */
export interface AccessTokenProfile {
  readonly typ: string;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * Verifies a compact JWS against one role's key and allowlist, enforcing `exp` and `nbf`, and turns every
 * failure into a 401 whose message says what is wrong without quoting the token (docs/security.md#tokens).
 * The algorithm is checked against the allowlist before any key is looked up or any signature computed.
 */
export async function verifyToken(
  token: string,
  key: ResolvedKey,
  role: string,
  policy: VerifyPolicy,
  profile?: AccessTokenProfile,
): Promise<JWTPayload> {
  const alg: unknown = readCompactToken(token).header.alg;
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') {
    throw new HubAuthError(401, 'Unsigned token refused: "alg: none" is never accepted');
  }
  if (!(key.algorithms as readonly string[]).includes(alg)) {
    throw new HubAuthError(
      401,
      `Token algorithm ${alg} is not accepted for ${role}s; this hub accepts ${key.algorithms.join(', ')}`,
    );
  }
  const options = {
    algorithms: [...key.algorithms],
    clockTolerance: policy.clockToleranceSeconds,
    requiredClaims: profile ? ['exp', 'iss', 'aud'] : policy.requireExpiration ? ['exp'] : [],
    ...(profile && { typ: profile.typ, issuer: profile.issuer, audience: profile.audience }),
  };
  try {
    const result =
      typeof key.key === 'function'
        ? await jwtVerify(token, key.key, options)
        : await jwtVerify(token, key.key, options);
    return result.payload;
  } catch (error) {
    throw describe(error, role, key);
  }
}

function describe(error: unknown, role: string, key: ResolvedKey): HubAuthError {
  if (error instanceof errors.JWTExpired) {
    const exp =
      typeof error.payload.exp === 'number' ? new Date(error.payload.exp * 1000).toISOString() : '?';
    return new HubAuthError(401, `Token expired at ${exp}; get a fresh token`, { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') {
      const nbf =
        typeof error.payload.nbf === 'number' ? new Date(error.payload.nbf * 1000).toISOString() : '?';
      return new HubAuthError(401, `Token not valid before ${nbf} (nbf)`, { cause: error });
    }
    if (error.claim === 'aud') {
      return new HubAuthError(
        401,
        `Token audience (aud) does not include this hub's resource identifier; see its protected resource metadata`,
        { cause: error },
      );
    }
    if (error.claim === 'typ') {
      return new HubAuthError(401, 'Token type (typ header) must be at+jwt: an OAuth 2.0 JWT access token', {
        cause: error,
      });
    }
    if (error.claim === 'exp' && error.reason === 'missing') {
      return new HubAuthError(401, 'Token has no "exp" claim; this hub requires expiring tokens', {
        cause: error,
      });
    }
    return new HubAuthError(401, `Invalid token claim "${error.claim}": ${error.message}`, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new HubAuthError(
      401,
      `Bad token signature: it was not signed with this hub's ${role} key (${key.description})`,
      { cause: error },
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new HubAuthError(
      401,
      `Token algorithm not accepted; this hub accepts ${key.algorithms.join(', ')}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new HubAuthError(
      401,
      `No single key of the ${role} ${key.description} matches the token's kid/alg`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new HubAuthError(401, `Cannot verify tokens right now: the ${key.description} is unavailable`, {
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) {
    // JWSInvalid, JWTInvalid, JOSENotSupported, JWKInvalid: jose's messages never include the token.
    return new HubAuthError(401, `Invalid token: ${error.message}`, { cause: error });
  }
  if (error instanceof TypeError) {
    // jose throws TypeError when a key does not fit the algorithm (e.g. a JWKS key of the wrong type).
    return new HubAuthError(401, `Invalid token: ${error.message}`, { cause: error });
  }
  return new HubAuthError(401, `Cannot verify token: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
