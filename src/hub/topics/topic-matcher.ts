import { type MatchType, MERCURE_1 } from '../mercure-1-names.js';
import { LruCache } from './lru-cache.js';
import { MAX_CACHED_KEY_LENGTH, type TopicSelectorStore } from './topic-selector.js';
import { type CompiledUrlPattern, compileUrlPattern } from './url-pattern.js';

/**
 * How a matcher is read: a Mercure 1.0 matcher type (https://mercure.rocks/spec#matcher-types),
 * or `topic`, a Mercure 0.x topic selector (exact topic or RFC 6570 URI template), so both generations'
 * subscriptions and grants live in one index.
 */
export type MatcherKind = MatchType | 'topic';

/** One topic matcher: a subscription (query parameter) or a grant (token). */
export interface TopicMatcher {
  readonly type: MatcherKind;
  readonly pattern: string;
}

/** Base URL used for relative URL patterns and topics when no hub URL (resource identifier) is pinned. */
export const DEFAULT_HUB_URL = 'http://localhost/.well-known/mercure';

/**
 * Decides whether typed topic matchers match topics. `*` matches everything whatever the type
 * (https://mercure.rocks/spec#matcher-types); `exact` is a byte-for-byte comparison without normalisation (https://mercure.rocks/spec#exact-matching);
 * `urlpattern` follows the URL Pattern Standard with relative patterns and topics resolved against the
 * hub URL (https://mercure.rocks/spec#url-pattern), compiled once into a bounded LRU cache and refused beyond the
 * denial-of-service bound; `topic` defers to the 0.x {@link TopicSelectorStore}. URL-pattern results are
 * cached per (pattern, topic) like URI-template results, with a length-prefixed key.
 */
export class TopicMatcherStore {
  readonly #selectors: TopicSelectorStore;
  readonly #hubUrl: string;
  readonly #patterns: LruCache<string, CompiledUrlPattern | string>;
  readonly #results: LruCache<string, boolean>;

  constructor(selectors: TopicSelectorStore, hubUrl: string = DEFAULT_HUB_URL, cacheSize = 100_000) {
    this.#selectors = selectors;
    this.#hubUrl = hubUrl;
    this.#results = new LruCache(cacheSize);
    this.#patterns = new LruCache(Math.max(16, Math.ceil(cacheSize / 10)));
  }

  /** The 0.x selector store this one defers to. */
  get selectors(): TopicSelectorStore {
    return this.#selectors;
  }

  /** Why `matcher` cannot be evaluated (a malformed or too costly URL pattern), or undefined. */
  problem(matcher: TopicMatcher): string | undefined {
    if (matcher.type !== MERCURE_1.matchTypes.urlpattern || matcher.pattern === MERCURE_1.wildcard) {
      return undefined;
    }
    const compiled = this.#compiled(matcher.pattern);
    return typeof compiled === 'string' ? compiled : undefined;
  }

  /** Whether `matcher` matches `topic`. */
  match(topic: string, matcher: TopicMatcher): boolean {
    const { type, pattern } = matcher;
    if (pattern === MERCURE_1.wildcard) return true;
    if (type === 'topic') return this.#selectors.match(topic, pattern);
    if (type === MERCURE_1.matchTypes.exact) return pattern === topic;
    const key = `${pattern.length}:${pattern}${topic}`;
    const cacheable = key.length <= MAX_CACHED_KEY_LENGTH;
    const cached = cacheable ? this.#results.get(key) : undefined;
    if (cached !== undefined) return cached;
    const compiled = this.#compiled(pattern);
    const result = typeof compiled === 'string' ? false : compiled.test(topic);
    if (cacheable) this.#results.set(key, result);
    return result;
  }

  /** Whether any of `matchers` matches any of `topics` (the private-update test, https://mercure.rocks/spec#subscribers). */
  matchAny(topics: readonly string[], matchers: readonly TopicMatcher[]): boolean {
    for (const matcher of matchers) {
      for (const topic of topics) {
        if (this.match(topic, matcher)) return true;
      }
    }
    return false;
  }

  #compiled(pattern: string): CompiledUrlPattern | string {
    let compiled = this.#patterns.get(pattern);
    if (compiled === undefined) {
      compiled = compileUrlPattern(pattern, this.#hubUrl);
      this.#patterns.set(pattern, compiled);
    }
    return compiled;
  }
}
