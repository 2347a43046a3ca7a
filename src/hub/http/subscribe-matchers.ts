import { isMatchType, type MatchType, MERCURE_1 } from '../mercure-1-names.js';
import { hubSettingName } from '../options.js';
import { strictTopicProblem } from '../topics/topic-limits.js';
import type { TopicMatcher, TopicMatcherStore } from '../topics/topic-matcher.js';
import { selectorProblem } from '../topics/topic-selector.js';

/** Which protocol generation a request speaks, decided per request. */
export type Generation = '0.x' | '1.0';

/** Why a subscribe request's matchers are refused (all answered 400). */
export type MatcherProblemCode = 'SSEHUB_INVALID_TOPIC' | 'SSEHUB_INVALID_MATCHER' | 'SSEHUB_MERCURE_0X_OFF';

/** The subscriptions a subscribe request asks for, or why it cannot be served (a 400). */
export type SubscribeMatchers =
  | { readonly generation: Generation; readonly matchers: readonly TopicMatcher[] }
  | { readonly problem: string; readonly code: MatcherProblemCode };

/**
 * The matcher type a subscribe parameter name selects, `null` for a name in the reserved `match`
 * namespace that names no supported type, or undefined for a name outside it (Mercure 1.0 §Subscription:
 * `match` is `exact`, `match_<type>` names a type; the whole `match` prefix is reserved, compared ASCII
 * case-insensitively, while the names themselves are case-sensitive).
 */
export function matchTypeOfParam(name: string): MatchType | null | undefined {
  if (!name.toLowerCase().startsWith(MERCURE_1.reservedParamNamespace)) return undefined;
  if (name === MERCURE_1.matchParam) return MERCURE_1.defaultMatchType;
  if (!name.startsWith(MERCURE_1.matchParamPrefix)) return null;
  const type = name.slice(MERCURE_1.matchParamPrefix.length);
  return isMatchType(type) ? type : null;
}

/**
 * Reads the subscriptions of a subscribe URL, deciding its generation: `match`/`match_<type>` parameters
 * make a Mercure 1.0 request (values checked per §Subscription: no control or format characters, a
 * well-formed URL pattern within the cost bound), `topic` parameters a Mercure 0.x one; mixing both, or
 * neither, is refused. Identical matchers are merged (§Subscription allows deduplication). At most
 * `maxMatchers`; `allow0x` false refuses `topic`.
 */
export function readSubscribeMatchers(
  params: URLSearchParams,
  store: TopicMatcherStore,
  maxMatchers: number,
  allow0x: boolean,
): SubscribeMatchers {
  const modern: TopicMatcher[] = [];
  const seen = new Set<string>();
  for (const [name, pattern] of params) {
    const type = matchTypeOfParam(name);
    if (type === undefined) continue;
    if (type === null) {
      return {
        problem: `Unknown matcher parameter "${name}": the "match" prefix is reserved; use "match" (exact) or "match_urlpattern"`,
        code: 'SSEHUB_INVALID_MATCHER',
      };
    }
    const key = `${type}:${pattern}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const problem = strictTopicProblem(pattern) ?? store.problem({ type, pattern });
    if (problem !== undefined) {
      return { problem: `Invalid "${name}" matcher: ${problem}`, code: 'SSEHUB_INVALID_MATCHER' };
    }
    modern.push({ type, pattern });
  }
  const topics = [...new Set(params.getAll('topic'))];
  if (modern.length > 0 && topics.length > 0) {
    return {
      problem:
        'Mixed generations: give Mercure 1.0 "match"/"match_urlpattern" parameters or Mercure 0.x "topic" parameters, not both',
      code: 'SSEHUB_INVALID_MATCHER',
    };
  }
  const count = modern.length + topics.length;
  if (count === 0) {
    return {
      problem:
        'Missing "topic" or "match" parameter: subscribe with ?match=<topic> or ?match_urlpattern=<URL pattern> (Mercure 1.0), or ?topic=<topic or URI template> (0.x)',
      code: 'SSEHUB_INVALID_TOPIC',
    };
  }
  if (count > maxMatchers)
    return {
      problem: `Too many topics: ${count} given, at most ${maxMatchers} allowed (${hubSettingName('maxTopics')})`,
      code: 'SSEHUB_INVALID_TOPIC',
    };
  if (modern.length > 0) return { generation: '1.0', matchers: modern };
  if (!allow0x) {
    return {
      problem:
        'Mercure 0.x "topic" subscriptions are turned off on this hub: subscribe with ?match= or ?match_urlpattern=',
      code: 'SSEHUB_MERCURE_0X_OFF',
    };
  }
  for (const topic of topics) {
    const problem = selectorProblem(topic);
    if (problem !== undefined)
      return { problem: `Invalid "topic" selector: ${problem}`, code: 'SSEHUB_INVALID_TOPIC' };
  }
  return { generation: '0.x', matchers: topics.map((pattern) => ({ type: 'topic', pattern })) };
}
