import { isMatchType, MERCURE_1 } from '../mercure-1-names.js';
import type { TopicMatcher } from '../topics/topic-matcher.js';
import { HubAuthError } from './errors.js';

/** Most Mercure authorization details, and most topic matchers summed over them, one token may carry. */
export const MAX_DETAIL_MATCHERS = 1000;

/** A `subscribe` detail's payload with the matchers that select it (https://mercure.rocks/spec#payloads). */
export interface DetailPayload {
  readonly matchers: readonly TopicMatcher[];
  readonly payload: unknown;
}

/** What a Mercure 1.0 access token grants, read from its `authorization_details` claim. */
export interface Grants {
  /** Matchers of every detail whose `actions` include `publish`. */
  readonly publish: readonly TopicMatcher[];
  /** Matchers of every detail whose `actions` include `subscribe`. */
  readonly subscribe: readonly TopicMatcher[];
  /** Payloads of `subscribe` details, in token order (the first matching one wins, https://mercure.rocks/spec#payloads). */
  readonly payloads: readonly DetailPayload[];
}

/**
 * Checks one matcher value; returns why it cannot be used (malformed or too costly URL pattern, control or
 * format characters, too long), or undefined.
 */
export type MatcherCheck = (matcher: TopicMatcher) => string | undefined;

const invalid = (reason: string): HubAuthError =>
  new HubAuthError(401, `Invalid token: authorization_details ${reason}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the RFC 9396 `authorization_details` claim (https://mercure.rocks/spec#authorization-details,
 * https://mercure.rocks/spec#authorization-details). Entries of other types are ignored; every Mercure
 * entry must be valid, or the whole token is refused (401, `invalid_token`; no partial acceptance):
 * `actions` a non-empty array of strings (unknown actions grant nothing), `topics` a non-empty array of
 * `{match, match_type?}` objects whose type this hub supports (default `exact`), `payload` an object if
 * present. A token without the claim grants nothing. At most {@link MAX_DETAIL_MATCHERS} details and
 * matchers in total.
 */
export function readAuthorizationDetails(claims: Record<string, unknown>, check: MatcherCheck): Grants {
  const claim = claims[MERCURE_1.authorizationDetailsClaim];
  const grants = {
    publish: [] as TopicMatcher[],
    subscribe: [] as TopicMatcher[],
    payloads: [] as DetailPayload[],
  };
  if (claim === undefined) return grants;
  if (!Array.isArray(claim)) throw invalid('must be a JSON array');
  let details = 0;
  let matchers = 0;
  for (const [index, entry] of claim.entries()) {
    const where = `[${index}]`;
    if (!isObject(entry)) throw invalid(`${where} must be an object`);
    if (typeof entry.type !== 'string') throw invalid(`${where}.type must be a string`);
    if (entry.type !== MERCURE_1.authorizationDetailType) continue;
    if (++details > MAX_DETAIL_MATCHERS)
      throw invalid(`has more than ${MAX_DETAIL_MATCHERS} Mercure details`);
    const actions = entry[MERCURE_1.detail.actions];
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string')) {
      throw invalid(`${where}.actions must be a non-empty array of strings`);
    }
    const topics = entry[MERCURE_1.detail.topics];
    if (!Array.isArray(topics) || topics.length === 0) {
      throw invalid(`${where}.topics must be a non-empty array of topic matcher objects`);
    }
    matchers += topics.length;
    if (matchers > MAX_DETAIL_MATCHERS) {
      throw invalid(`has more than ${MAX_DETAIL_MATCHERS} topic matchers in total`);
    }
    const parsed = topics.map((topic, i) => readMatcher(topic, `${where}.topics[${i}]`, check));
    const payload = entry[MERCURE_1.detail.payload];
    if (payload !== undefined && !isObject(payload)) throw invalid(`${where}.payload must be a JSON object`);
    if (actions.includes(MERCURE_1.actions.publish)) grants.publish.push(...parsed);
    if (actions.includes(MERCURE_1.actions.subscribe)) {
      grants.subscribe.push(...parsed);
      if (payload !== undefined) grants.payloads.push({ matchers: parsed, payload });
    }
  }
  return grants;
}

function readMatcher(value: unknown, where: string, check: MatcherCheck): TopicMatcher {
  if (!isObject(value)) throw invalid(`${where} must be an object with a "match" string`);
  const pattern = value[MERCURE_1.detail.match];
  if (typeof pattern !== 'string') throw invalid(`${where}.match must be a string`);
  const type = value[MERCURE_1.detail.matchType] ?? MERCURE_1.defaultMatchType;
  if (typeof type !== 'string' || !isMatchType(type)) {
    throw invalid(
      `${where}.match_type ${JSON.stringify(type)} is not supported; use ${Object.values(MERCURE_1.matchTypes).join(' or ')}`,
    );
  }
  const matcher: TopicMatcher = { type, pattern };
  const problem = check(matcher);
  if (problem !== undefined) throw invalid(`${where}.match is invalid: ${problem}`);
  return matcher;
}
