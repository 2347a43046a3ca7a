import { LruCache } from './lru-cache.js';
import { topicProblem } from './topic-limits.js';
import { compileUriTemplate, type TemplateMatcher, uriTemplateProblem } from './uri-template.js';

/** The selector that matches every topic (https://mercure.rocks/spec#topic-selectors). */
export const MATCH_ALL = '*';

/**
 * Longest (selector, topic) cache key kept, in characters: with the default 100,000 entries the result
 * cache then holds at most ~100 MiB even when every key is as long as allowed (two-byte strings).
 */
export const MAX_CACHED_KEY_LENGTH = 512;

/** Whether `selector` needs template evaluation (it is neither `*` nor a plain topic). */
export function isTemplateSelector(selector: string): boolean {
  return selector !== MATCH_ALL && selector.includes('{');
}

/**
 * Why `selector` cannot be a topic selector (a subscription's `topic` or a token's claim), or undefined:
 * {@link topicProblem}'s rules, and, when it holds a `{`, not being a valid RFC 6570 URI template (an
 * unparsable template would silently match only itself, so it is refused with the reason instead).
 */
export function selectorProblem(selector: string): string | undefined {
  const problem = topicProblem(selector);
  if (problem !== undefined || !isTemplateSelector(selector)) return problem;
  const template = uriTemplateProblem(selector);
  return template === undefined ? undefined : `not a valid URI template: ${template}`;
}

/**
 * Decides whether a topic selector matches a topic, in the reference hub's order (https://mercure.rocks/spec#topic-selectors):
 * `*`, then byte equality, then the RFC 6570 template's anchored regex; an unparsable template only
 * matches itself. Templates are compiled once and both compiled templates and (selector, topic) results
 * are kept in bounded LRU caches.
 *
 * Cache keys are `<selector length>:<selector><topic>`: the length prefix makes the split point
 * unambiguous whatever characters the strings hold, which closes the cache-poisoning hole of
 * CVE-2026-39972 (a `selector + "_" + topic` key let one pair answer for another, docs/security.md#private-updates).
 */
export class TopicSelectorStore {
  readonly #templates: LruCache<string, TemplateMatcher | null>;
  readonly #results: LruCache<string, boolean>;

  constructor(cacheSize = 100_000) {
    this.#results = new LruCache(cacheSize);
    this.#templates = new LruCache(Math.max(16, Math.ceil(cacheSize / 10)));
  }

  /** Number of (selector, topic) results currently cached. */
  get cachedResults(): number {
    return this.#results.size;
  }

  /** Whether `selector` matches `topic`. */
  match(topic: string, selector: string): boolean {
    if (selector === MATCH_ALL || selector === topic) return true;
    if (!selector.includes('{')) return false;
    const key = `${selector.length}:${selector}${topic}`;
    // Long pairs are matched every time instead of cached: the cache is bounded by entries, and 100,000
    // keys of several KiB each would hold hundreds of MiB (a key is a flat copy of both strings).
    const cacheable = key.length <= MAX_CACHED_KEY_LENGTH;
    const cached = cacheable ? this.#results.get(key) : undefined;
    if (cached !== undefined) return cached;
    const regex = this.#compiled(selector);
    const result = regex?.test(topic) ?? false;
    if (cacheable) this.#results.set(key, result);
    return result;
  }

  /** Whether any of `selectors` matches any of `topics` (the private-update authorisation test). */
  matchAny(topics: readonly string[], selectors: readonly string[]): boolean {
    for (const selector of selectors) {
      for (const topic of topics) {
        if (this.match(topic, selector)) return true;
      }
    }
    return false;
  }

  #compiled(template: string): TemplateMatcher | null {
    let regex = this.#templates.get(template);
    if (regex === undefined) {
      regex = compileUriTemplate(template) ?? null;
      this.#templates.set(template, regex);
    }
    return regex;
  }
}
