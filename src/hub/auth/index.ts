import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload } from 'jose';
import { MERCURE_1 } from '../mercure-1-names.js';
import { HUB_PATH } from '../topics/reserved-topic.js';
import { strictTopicProblem } from '../topics/topic-limits.js';
import { DEFAULT_HUB_URL, type TopicMatcher, TopicMatcherStore } from '../topics/topic-matcher.js';
import { TopicSelectorStore } from '../topics/topic-selector.js';
import { ANONYMOUS_ACCESS } from './access.js';
import { isAccessToken, type TrustedIssuer, TrustedIssuers } from './access-token.js';
import { type DetailPayload, readAuthorizationDetails } from './authorization-details.js';
import { readMercureClaim } from './claims.js';
import { AuthConfigError, HubAuthError } from './errors.js';
import { type KeyConfig, type ResolvedKey, resolveKey } from './keys.js';
import { MissingTokenError } from './missing-token.js';
import { checkCookieOrigin, findToken, type PresentedToken } from './token-source.js';
import { VerifiedTokenCache } from './verified-cache.js';
import { type VerifyPolicy, verifyToken } from './verify.js';

export type { TrustedIssuer } from './access-token.js';
export { ALGORITHMS, type Algorithm } from './algorithms.js';
export { type DetailPayload, MAX_DETAIL_MATCHERS } from './authorization-details.js';
export { MAX_CLAIM_SELECTORS, type MercureClaim, NAMESPACED_CLAIM } from './claims.js';
export { AuthConfigError, HubAuthError } from './errors.js';
export type { KeyConfig } from './keys.js';
export { MissingTokenError } from './missing-token.js';
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
  /** `1.0` when the credential is a Mercure 1.0 access token (`typ` `at+jwt`); absent for 0.x tokens. */
  readonly generation?: '1.0';
  /**
   * The typed matchers granting the role (1.0: `authorization_details` of the role's action). Absent:
   * `topics` are 0.x topic selectors. Read both through `grantsOf()`.
   */
  readonly grants?: readonly TopicMatcher[];
  /** 1.0 `subscribe` payloads in token order; a subscription's payload is the first matching one. */
  readonly payloads?: readonly DetailPayload[];
}

/** The parts of a request the authoriser reads. */
export interface AuthRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
  /**
   * The hub's resource identifier for this request (https://mercure.rocks/spec#token-validation), which access tokens
   * must carry in `aud`. Default: the request's origin followed by `/.well-known/mercure`.
   */
  readonly resource?: string;
}

/** Decides what a request may do; rejects with {@link HubAuthError} (400, 401 or 403). */
export interface Authorizer {
  authorize(request: AuthRequest, role: Role): Promise<Access>;
  /** True when tokens can be verified for publishers (else HTTP publishing is refused). */
  readonly canPublish: boolean;
  /** True when subscribers may connect at all (a subscriber key, or anonymous access). */
  readonly canSubscribe: boolean;
  /** What the hub advertises in its protected resource metadata (https://mercure.rocks/spec#protected-resource-metadata). */
  readonly protectedResource?: ProtectedResourceInfo;
}

/** The authoriser's part of the protected resource metadata. */
export interface ProtectedResourceInfo {
  /** The cookie name accepted for access tokens (`mercure_cookie`). */
  readonly cookieName: string;
  /** Trusted issuers flagged as authorization servers (`authorization_servers`). */
  readonly authorizationServers: readonly string[];
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
  /** Cookie carrying a 0.x token. Default `mercureAuthorization` (Mercure `cookie_name`). */
  readonly cookieName?: string;
  /**
   * Issuers of Mercure 1.0 access tokens (`typ` `at+jwt`), each with its own key or JWK Set; a token is
   * verified with the key of its `iss` only. Default none (1.0 tokens are refused with 401).
   */
  readonly trustedIssuers?: readonly TrustedIssuer[];
  /**
   * Cookie carrying a Mercure 1.0 access token, preferred over the 0.x cookie when both are sent.
   * Default `__Secure-mercure_access_token` (https://mercure.rocks/spec#cookie).
   */
  readonly accessTokenCookieName?: string;
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
 * throws {@link AuthConfigError} at startup on anything unsafe. Implements https://mercure.rocks/spec#authorization.
 */
export async function createAuthorizer(options: AuthOptions): Promise<Authorizer> {
  const publisherConfig = options.publisherKey ?? options.key;
  const subscriberConfig = options.subscriberKey ?? options.key;
  const publisher = publisherConfig ? await resolveKey(publisherConfig, 'publisher') : undefined;
  const subscriber = subscriberConfig ? await resolveKey(subscriberConfig, 'subscriber') : undefined;
  const cookieName = options.cookieName ?? DEFAULT_COOKIE_NAME;
  const accessTokenCookieName = options.accessTokenCookieName ?? MERCURE_1.cookieName;
  for (const name of [cookieName, accessTokenCookieName]) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new AuthConfigError(`cookie name ${JSON.stringify(name)} is not a valid cookie name`);
    }
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
  const issuers = await TrustedIssuers.resolve(options.trustedIssuers ?? [], cacheSize, tolerance);
  return new JwtAuthorizer(
    publisher && { key: publisher, name: 'publisher', cache: cache(publisher) },
    subscriber && { key: subscriber, name: 'subscriber', cache: cache(subscriber) },
    options.anonymous ?? false,
    { legacy: cookieName, accessToken: accessTokenCookieName },
    options.publishOrigins ?? [],
    policy,
    issuers,
  );
}

/** One role's verifier: its key and its cache of verified tokens. */
interface RoleVerifier {
  readonly key: ResolvedKey;
  readonly name: 'publisher' | 'subscriber';
  readonly cache: VerifiedTokenCache | undefined;
}

class JwtAuthorizer implements Authorizer {
  /** Validates matchers of `authorization_details` (URL patterns compiled once, with the cost bound). */
  readonly #matchers = new TopicMatcherStore(new TopicSelectorStore(1000), DEFAULT_HUB_URL, 1000);

  constructor(
    private readonly publisher: RoleVerifier | undefined,
    private readonly subscriber: RoleVerifier | undefined,
    private readonly anonymous: boolean,
    private readonly cookies: { readonly legacy: string; readonly accessToken: string },
    private readonly publishOrigins: readonly string[],
    private readonly policy: VerifyPolicy,
    private readonly issuers: TrustedIssuers,
  ) {}

  get canPublish(): boolean {
    return this.publisher !== undefined || this.issuers.size > 0;
  }

  get canSubscribe(): boolean {
    return this.subscriber !== undefined || this.anonymous || this.issuers.size > 0;
  }

  get protectedResource(): ProtectedResourceInfo {
    return { cookieName: this.cookies.accessToken, authorizationServers: this.issuers.authorizationServers };
  }

  async authorize(request: AuthRequest, role: Role): Promise<Access> {
    const presented = findToken(request.headers, request.url, this.cookies.legacy, this.cookies.accessToken);
    if (presented === undefined) {
      if (role === 'subscribe' && this.anonymous) {
        return ANONYMOUS_ACCESS;
      }
      throw new MissingTokenError(
        `No token: send "Authorization: Bearer <token>" or the "${this.cookies.accessToken}" cookie (Mercure 1.0), or the "authorization" query parameter or the "${this.cookies.legacy}" cookie (Mercure 0.x)`,
      );
    }
    // CSRF check first, as the reference hub does: a foreign page must not even learn whether the
    // ambient cookie is valid.
    if (presented.from === 'cookie') checkCookieOrigin(request.method, request.headers, this.publishOrigins);
    const verifier = role === 'publish' ? this.publisher : this.subscriber;
    // A token verified on this path moments ago is, byte for byte, not an access token: skip decoding its
    // header again (a publisher reusing its token pays for neither the header nor the signature).
    let payload = verifier?.cache?.get(presented.token);
    if (payload !== undefined) return this.#access(payload, presented, role);
    if (isAccessToken(presented.token)) return this.#authorizeAccessToken(presented, request, role);
    if (verifier === undefined && this.issuers.size > 0) {
      throw new HubAuthError(
        401,
        'This hub accepts Mercure 1.0 access tokens only: the token header must say "typ": "at+jwt" (an OAuth 2.0 JWT access token, RFC 9068)',
      );
    }
    if (verifier === undefined) {
      throw new HubAuthError(
        role === 'publish' ? 403 : 401,
        `This hub has no ${role === 'publish' ? 'publisher' : 'subscriber'} key configured, so it cannot accept ${role}r tokens`,
      );
    }
    payload = await verifyToken(presented.token, verifier.key, verifier.name, this.policy);
    verifier.cache?.set(presented.token, payload);
    return this.#access(payload, presented, role);
  }

  /** The rights a verified 0.x token grants for `role`; 403 for a publisher token without a publish claim. */
  #access(payload: JWTPayload, presented: PresentedToken, role: Role): Access {
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

  /** Mercure 1.0: https://mercure.rocks/spec#token-validation, then https://mercure.rocks/spec#authorization-details for `role`. */
  async #authorizeAccessToken(presented: PresentedToken, request: AuthRequest, role: Role): Promise<Access> {
    if (presented.from === 'query') {
      throw new HubAuthError(
        400,
        'Access tokens must not travel in URLs (Mercure 1.0, RFC 9700): send "Authorization: Bearer <token>" or the cookie',
      );
    }
    if (this.issuers.size === 0) {
      throw new HubAuthError(401, 'This hub trusts no issuer of Mercure 1.0 access tokens (typ at+jwt)');
    }
    const resource = request.resource ?? `${request.url.origin}${HUB_PATH}`;
    const payload = await this.issuers.verify(presented.token, resource, this.policy);
    const grants = readAuthorizationDetails(payload, (matcher) => {
      const problem = strictTopicProblem(matcher.pattern);
      return problem ?? this.#matchers.problem(matcher);
    });
    const granted = role === 'publish' ? grants.publish : grants.subscribe;
    if (role === 'publish' && granted.length === 0) {
      throw new HubAuthError(
        403,
        `The access token grants no "publish" action: add an authorization_details entry of type ${MERCURE_1.authorizationDetailType} with "actions": ["publish"]`,
      );
    }
    return {
      anonymous: false,
      topics: [],
      payload: undefined,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      viaCookie: presented.from === 'cookie',
      generation: '1.0',
      grants: granted,
      payloads: grants.payloads,
    };
  }
}
