import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { MERCURE_1 } from '../mercure-1-names.js';
import { AuthConfigError, HubAuthError } from './errors.js';
import { type KeyConfig, type ResolvedKey, resolveKey } from './keys.js';
import { readCompactToken } from './token-shape.js';
import { VerifiedTokenCache } from './verified-cache.js';
import { type VerifyPolicy, verifyToken } from './verify.js';

/**
 * One issuer of Mercure 1.0 access tokens the hub trusts, bound to its own key(s) (https://mercure.rocks/spec#token-validation,
 * https://mercure.rocks/spec#token-validation): an OAuth 2.0 authorization server (its `issuer` and JWK
 * Set) or a self-issuing publisher (a stable identifier such as its URL, and a key shared out of band).
 */
export interface TrustedIssuer {
  /** The exact `iss` value its tokens carry. */
  readonly issuer: string;
  /** The key, PEM, secret or JWK Set that verifies its tokens, with its algorithm allowlist. */
  readonly key: KeyConfig;
  /**
   * List it in the protected resource metadata's `authorization_servers` (an OAuth 2.0 authorization
   * server clients may obtain tokens from). Default false (a self-issuing publisher).
   */
  readonly authorizationServer?: boolean;
}

/** A trusted issuer ready to verify tokens. */
interface IssuerVerifier {
  readonly key: ResolvedKey;
  readonly cache: VerifiedTokenCache | undefined;
}

/** Whether a token's header says it is a JWT access token (`typ` `at+jwt`, RFC 9068 §2.1). */
export function isAccessToken(token: string): boolean {
  try {
    const typ = decodeProtectedHeader(token).typ;
    return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === MERCURE_1.tokenType;
  } catch {
    return false;
  }
}

/**
 * The trusted issuers of a hub, each verified with only its own key (never a pooled set: a token signed by
 * one issuer must not pass under another's name). Resolves every key at startup.
 */
export class TrustedIssuers {
  readonly #issuers: ReadonlyMap<string, IssuerVerifier>;
  /** Issuers to advertise as `authorization_servers`. */
  readonly authorizationServers: readonly string[];

  private constructor(issuers: ReadonlyMap<string, IssuerVerifier>, authorizationServers: readonly string[]) {
    this.#issuers = issuers;
    this.authorizationServers = authorizationServers;
  }

  /** Resolves `list`; throws {@link AuthConfigError} on an empty or repeated issuer or an unusable key. */
  static async resolve(
    list: readonly TrustedIssuer[],
    cacheSize: number,
    clockToleranceSeconds: number,
  ): Promise<TrustedIssuers> {
    const issuers = new Map<string, IssuerVerifier>();
    for (const { issuer, key } of list) {
      if (typeof issuer !== 'string' || issuer === '') {
        throw new AuthConfigError(
          'trusted issuer: "issuer" must be a non-empty string (the exact iss value)',
        );
      }
      if (issuers.has(issuer))
        throw new AuthConfigError(`trusted issuer ${JSON.stringify(issuer)} is listed twice`);
      issuers.set(issuer, {
        key: await resolveKey(key, `issuer ${issuer}`),
        cache: cacheSize > 0 ? new VerifiedTokenCache(cacheSize, clockToleranceSeconds) : undefined,
      });
    }
    const servers = list.filter((entry) => entry.authorizationServer === true).map((entry) => entry.issuer);
    return new TrustedIssuers(issuers, Object.freeze(servers));
  }

  /** Number of trusted issuers. */
  get size(): number {
    return this.#issuers.size;
  }

  /**
   * Verifies an access token for the hub whose resource identifier is `resource`: `typ` `at+jwt`, a
   * trusted `iss` (its key only), signature and algorithm, `aud` containing `resource`, `exp` present and
   * not past, `nbf` if present. Every failure is a 401 (`invalid_token`) saying what is wrong.
   */
  async verify(token: string, resource: string, policy: VerifyPolicy): Promise<JWTPayload> {
    const iss: unknown = readCompactToken(token).payload.iss;
    if (typeof iss !== 'string') throw new HubAuthError(401, 'Access token has no "iss" (issuer) claim');
    const issuer = this.#issuers.get(iss);
    if (issuer === undefined) {
      throw new HubAuthError(
        401,
        `Access token issuer ${JSON.stringify(iss)} is not a trusted issuer of this hub`,
      );
    }
    const cacheKey = `${resource}\n${token}`;
    const cached = issuer.cache?.get(cacheKey);
    if (cached !== undefined) return cached;
    const payload = await verifyToken(token, issuer.key, 'access token', policy, {
      typ: MERCURE_1.tokenType,
      issuer: iss,
      audience: resource,
    });
    issuer.cache?.set(cacheKey, payload);
    return payload;
  }
}
