import type { IncomingHttpHeaders } from 'node:http';
import { readMercureClaim } from './claims.js';
import { AuthConfigError, HubAuthError } from './errors.js';
import { type KeyConfig, type ResolvedKey, resolveKey } from './keys.js';
import { checkCookieOrigin, findToken } from './token-source.js';
import { VerifiedTokenCache } from './verified-cache.js';
import { type VerifyPolicy, verifyToken } from './verify.js';

export { ALGORITHMS, type Algorithm } from './algorithms.js';
export { MAX_CLAIM_SELECTORS, type MercureClaim, NAMESPACED_CLAIM } from './claims.js';
export { AuthConfigError, HubAuthError } from './errors.js';
export type { KeyConfig } from './keys.js';
export { createToken, type TokenClaims } from './token.js';

/** What a token is asked to allow: Mercure's two roles. */
export type Role = 'publish' | 'subscribe';

/** What a request is allowed, once authorised. */
export interface Access {
  /** True when no token was presented and anonymous subscribers are allowed (public updates only). */
  readonly anonymous: boolean;
  /** Selectors from the `mercure.publish` or `mercure.subscribe` claim (per role; [] if none). */
  readonly topics: readonly string[];
  /** The `mercure.payload` claim, undefined if absent (goes into subscription events). */
  readonly payload: unknown;
  /** `exp` in epoch milliseconds: the hub closes the stream then (Mercure #679). */
  readonly expiresAt: number | undefined;
  /** True when the token came from the cookie. */
  readonly viaCookie: boolean;
}

/** The parts of a request the authoriser reads. */
export interface AuthRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
}

/** Decides what a request may do; rejects with {@link HubAuthError} (400, 401 or 403). */
export interface Authorizer {
  authorize(request: AuthRequest, role: Role): Promise<Access>;
  /** True when tokens can be verified for publishers (else HTTP publishing is refused). */
  readonly canPublish: boolean;
  /** True when subscribers may connect at all (a subscriber key, or anonymous access). */
  readonly canSubscribe: boolean;
}

/** Authorisation settings of a hub (Mercure `publisher_jwt`, `subscriber_jwt`, `anonymous`, ...). */
export interface AuthOptions {
  /** Key for both roles unless `publisherKey` / `subscriberKey` override it (Mercure `jwt`). */
  readonly key?: KeyConfig;
  /** Key that verifies publisher tokens (Mercure `publisher_jwt` / `publisher_jwks_url`). */
  readonly publisherKey?: KeyConfig;
  /** Key that verifies subscriber tokens (Mercure `subscriber_jwt` / `subscriber_jwks_url`). */
  readonly subscriberKey?: KeyConfig;
  /** Let subscribers without a token in; they receive public updates only. Default false. */
  readonly anonymous?: boolean;
  /** Cookie carrying the token. Default `mercureAuthorization` (Mercure `cookie_name`). */
  readonly cookieName?: string;
  /** Origins allowed to publish with a cookie (`*` for any). Default none (Mercure `publish_origins`). */
  readonly publishOrigins?: readonly string[];
  /**
   * Refuse tokens without `exp`. Default false: Mercure 0.x and its reference hub accept them
   * (golang-jwt only checks `exp` when present), and existing publishers mint such tokens.
   * Draft-08 makes `exp` mandatory; turn this on when every issuer sets it.
   */
  readonly requireExpiration?: boolean;
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. Default 0. */
  readonly clockToleranceSeconds?: number;
  /**
   * Verified tokens remembered per role so repeated requests with the same token skip the signature
   * check (trusted for at most 60 s and never past `exp`). Default 1,000; 0 disables.
   */
  readonly verifiedTokenCacheSize?: number;
}

/** Default cookie name (Mercure `cookie_name`). */
export const DEFAULT_COOKIE_NAME = 'mercureAuthorization';

/**
 * Builds the hub's authoriser: resolves keys once (files read, PEM parsed, HMAC length checked) and
 * throws {@link AuthConfigError} at startup on anything unsafe. Implements mercure-protocol.md §3.7.
 */
export async function createAuthorizer(options: AuthOptions): Promise<Authorizer> {
  const publisherConfig = options.publisherKey ?? options.key;
  const subscriberConfig = options.subscriberKey ?? options.key;
  const publisher = publisherConfig ? await resolveKey(publisherConfig, 'publisher') : undefined;
  const subscriber = subscriberConfig ? await resolveKey(subscriberConfig, 'subscriber') : undefined;
  const cookieName = options.cookieName ?? DEFAULT_COOKIE_NAME;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new AuthConfigError(`cookie name ${JSON.stringify(cookieName)} is not a valid cookie name`);
  }
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new AuthConfigError('clockToleranceSeconds must be a non-negative number');
  }
  const policy: VerifyPolicy = {
    requireExpiration: options.requireExpiration ?? false,
    clockToleranceSeconds: tolerance,
  };
  const cacheSize = options.verifiedTokenCacheSize ?? 1000;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
    throw new AuthConfigError('verifiedTokenCacheSize must be an integer >= 0');
  }
  const cache = (key: ResolvedKey | undefined) =>
    key && cacheSize > 0 ? new VerifiedTokenCache(cacheSize, tolerance) : undefined;
  return new JwtAuthorizer(
    publisher && { key: publisher, name: 'publisher', cache: cache(publisher) },
    subscriber && { key: subscriber, name: 'subscriber', cache: cache(subscriber) },
    options.anonymous ?? false,
    cookieName,
    options.publishOrigins ?? [],
    policy,
  );
}

/** One role's verifier: its key and its cache of verified tokens. */
interface RoleVerifier {
  readonly key: ResolvedKey;
  readonly name: 'publisher' | 'subscriber';
  readonly cache: VerifiedTokenCache | undefined;
}

class JwtAuthorizer implements Authorizer {
  constructor(
    private readonly publisher: RoleVerifier | undefined,
    private readonly subscriber: RoleVerifier | undefined,
    private readonly anonymous: boolean,
    private readonly cookieName: string,
    private readonly publishOrigins: readonly string[],
    private readonly policy: VerifyPolicy,
  ) {}

  get canPublish(): boolean {
    return this.publisher !== undefined;
  }

  get canSubscribe(): boolean {
    return this.subscriber !== undefined || this.anonymous;
  }

  async authorize(request: AuthRequest, role: Role): Promise<Access> {
    const presented = findToken(request.headers, request.url, this.cookieName);
    if (presented === undefined) {
      if (role === 'subscribe' && this.anonymous) {
        return { anonymous: true, topics: [], payload: undefined, expiresAt: undefined, viaCookie: false };
      }
      throw new HubAuthError(
        401,
        `No token: send "Authorization: Bearer <JWT>", the "authorization" query parameter or the "${this.cookieName}" cookie`,
      );
    }
    // CSRF check first, as the reference hub does: a foreign page must not even learn whether the
    // ambient cookie is valid.
    if (presented.from === 'cookie') checkCookieOrigin(request.method, request.headers, this.publishOrigins);
    const verifier = role === 'publish' ? this.publisher : this.subscriber;
    if (verifier === undefined) {
      throw new HubAuthError(
        role === 'publish' ? 403 : 401,
        `This hub has no ${role === 'publish' ? 'publisher' : 'subscriber'} key configured, so it cannot accept ${role}r tokens`,
      );
    }
    let payload = verifier.cache?.get(presented.token);
    if (payload === undefined) {
      payload = await verifyToken(presented.token, verifier.key, verifier.name, this.policy);
      verifier.cache?.set(presented.token, payload);
    }
    const claim = readMercureClaim(payload);
    const topics = role === 'publish' ? claim?.publish : claim?.subscribe;
    if (role === 'publish' && topics === undefined) {
      throw new HubAuthError(
        403,
        'The token has no "mercure.publish" claim, so it does not allow publishing; add {"mercure":{"publish":["<topic selector>"]}}',
      );
    }
    return {
      anonymous: false,
      topics: topics ?? [],
      payload: claim?.payload,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      viaCookie: presented.from === 'cookie',
    };
  }
}
