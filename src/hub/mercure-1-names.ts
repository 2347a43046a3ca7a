/**
 * Every wire name of Mercure 1.0 in one table, so a rename in the still-moving draft is a one-line change
 * here. Source: the specification text, https://mercure.rocks/spec (draft-dunglas-mercure-08, reference
 * repository commit 192faaa of August 2026). The 0.x names (`topic`, `lastEventID`, `mercure` claim,
 * `mercureAuthorization` cookie, `authorization` query parameter) stay where the 0.x code reads them.
 */
export const MERCURE_1 = Object.freeze({
  /** Subscribe query parameter of the default (`exact`) matcher type (https://mercure.rocks/spec#subscription). */
  matchParam: 'match',
  /** Prefix of `match_<matcher-type>` subscribe parameters (https://mercure.rocks/spec#subscription). */
  matchParamPrefix: 'match_',
  /**
   * The reserved namespace of subscribe parameter names: any name starting with it (ASCII
   * case-insensitively) must name a supported matcher type, else 400 (https://mercure.rocks/spec#subscription).
   */
  reservedParamNamespace: 'match',
  /** Matcher type names, canonical case (https://mercure.rocks/spec#matcher-types, https://mercure.rocks/spec#summary-of-matcher-types). */
  matchTypes: Object.freeze({ exact: 'exact', urlpattern: 'urlpattern' }),
  /** The default matcher type, of the bare `match` parameter and of a `topics` entry without `match_type`. */
  defaultMatchType: 'exact',
  /** The reserved wildcard matcher value, recognised before the matcher type (https://mercure.rocks/spec#matcher-types). */
  wildcard: '*',
  /** Cursor query parameter (https://mercure.rocks/spec#reconciliation). */
  lastEventIdParam: 'last_event_id',
  /** Response field carrying the resumption anchor (https://mercure.rocks/spec#reconciliation, https://mercure.rocks/spec#http-field-name-registry). */
  lastEventIdResponseHeader: 'Mercure-Last-Event-ID',
  /** Recommended cookie name for the access token (https://mercure.rocks/spec#cookie). */
  cookieName: '__Secure-mercure_access_token',
  /** JWS `typ` of access tokens (RFC 9068, https://mercure.rocks/spec#token-validation); `application/at+jwt` is equivalent. */
  tokenType: 'at+jwt',
  /** The RFC 9396 claim carrying grants (https://mercure.rocks/spec#authorization-details). */
  authorizationDetailsClaim: 'authorization_details',
  /** The Mercure authorization detail `type`, compared byte by byte (https://mercure.rocks/spec#authorization-details). */
  authorizationDetailType: 'https://mercure.rocks/authorization-detail',
  /** Members of a Mercure authorization detail and of its topic matcher objects (https://mercure.rocks/spec#topic-matcher-list). */
  detail: Object.freeze({
    actions: 'actions',
    topics: 'topics',
    payload: 'payload',
    match: 'match',
    matchType: 'match_type',
  }),
  /** Actions a Mercure authorization detail may grant (https://mercure.rocks/spec#mercure-actions-registry). */
  actions: Object.freeze({ publish: 'publish', subscribe: 'subscribe' }),
  /** RFC 6750 §2.3 URI query parameter, which Mercure 1.0 does not accept (https://mercure.rocks/spec#presenting-the-access-token). */
  uriTokenParam: 'access_token',
  /** RFC 9728 well-known prefix; the metadata path is it followed by the hub's path (https://mercure.rocks/spec#protected-resource-metadata). */
  resourceMetadataPrefix: '/.well-known/oauth-protected-resource',
  /** Protected resource metadata members (https://mercure.rocks/spec#protected-resource-metadata). */
  metadata: Object.freeze({
    resource: 'resource',
    authorizationServers: 'authorization_servers',
    authorizationDetailsTypes: 'authorization_details_types_supported',
    bearerMethods: 'bearer_methods_supported',
    cookie: 'mercure_cookie',
    matcherTypes: 'mercure_matcher_types_supported',
    subscriptions: 'mercure_subscriptions',
  }),
  /** `WWW-Authenticate` parameter pointing at the metadata (RFC 9728 §5.1, https://mercure.rocks/spec#error-responses). */
  resourceMetadataParam: 'resource_metadata',
  /** SSE event type of hub-generated subscription events (https://mercure.rocks/spec#subscription-events). */
  subscriptionEventType: 'mercure',
  /** JSON `type` of one subscription document and of a collection (https://mercure.rocks/spec#subscription-events, https://mercure.rocks/spec#subscription-api). */
  subscriptionType: 'subscription',
  subscriptionsType: 'subscriptions',
  /** Link target attribute carrying the reconciliation cursor (https://mercure.rocks/spec#discovery, https://mercure.rocks/spec#subscription-api). */
  linkLastEventId: 'last-event-id',
} as const);

/** A matcher type this hub supports (https://mercure.rocks/spec#matcher-types). */
export type MatchType = (typeof MERCURE_1.matchTypes)[keyof typeof MERCURE_1.matchTypes];

/** The matcher types this hub supports, advertised in `mercure_matcher_types_supported`. */
export const MATCH_TYPES: readonly MatchType[] = Object.freeze(Object.values(MERCURE_1.matchTypes));

/** Whether `name` is a supported matcher type (case-sensitive: names are canonical lowercase). */
export function isMatchType(name: string): name is MatchType {
  return (MATCH_TYPES as readonly string[]).includes(name);
}
