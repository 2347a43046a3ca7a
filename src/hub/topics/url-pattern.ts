import { URLPattern } from 'urlpattern-polyfill/urlpattern';

/**
 * Highest backtracking degree a URL pattern may have in any component (see {@link urlPatternDegree}).
 * URL Pattern compiles to backtracking JavaScript regular expressions, and a crafted pattern makes one
 * evaluation polynomial (`*a*a*b`, `:a-:b-:c`) or exponential (nested quantifiers) in the topic length.
 * Mercure 1.0 (https://mercure.rocks/spec#url-pattern) requires a linear-time engine or an
 * evaluation cost limit; this is the cost limit, enforced before a pattern is ever run, together with
 * {@link MAX_SPANNING_PARTS}: degree 3 already costs hundreds of millions of steps on the longest topic
 * (4,096 characters).
 */
export const MAX_URL_PATTERN_DEGREE = 2;

/**
 * Most variable parts per component that may span its separator (wildcards, repeated parts, unbounded
 * quantifiers). Two of them already compete for every character of the component: `*a*b` takes tens of
 * milliseconds on a 4,096-character topic, and a subscriber may send a hundred such patterns.
 */
export const MAX_SPANNING_PARTS = 1;

/** The components a URL pattern matches separately, each with the one character its groups stop at. */
const COMPONENTS = [
  ['protocol', ''],
  ['username', ''],
  ['password', ''],
  ['hostname', '.'],
  ['port', ''],
  ['pathname', '/'],
  ['search', ''],
  ['hash', ''],
] as const;

const NAME_START = /[\p{ID_Start}$_]/u;
const NAME_PART = /[\p{ID_Continue}$_\u200C\u200D]/u;

/** Why a regexp group's body could backtrack badly, or undefined; counts its unbounded quantifiers. */
function regexpBody(body: string): { unbounded: number } | string {
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'backreferences are not accepted';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' || c === ')') return 'groups inside a regexp group are not accepted';
    else if (c === '*' || c === '+') unbounded++;
    else if (c === '{' && /^\{\d+,\}/.test(body.slice(i))) unbounded++;
  }
  return { unbounded };
}

/**
 * The backtracking degree of one component pattern (URL Pattern syntax): how many variable parts can
 * compete for the same characters. Variable parts that can span the component's separator (wildcards,
 * repeated parts, unbounded quantifiers of regexp groups, named groups of separator-less components)
 * all compete with each other; named groups that stop at the separator compete only within one run
 * between two literal separators. Degree = spanning parts + the busiest run. Returns a reason instead
 * when a regexp group could backtrack exponentially.
 */
export function componentDegree(pattern: string, separator: string): number | string {
  const cost = componentCost(pattern, separator);
  return typeof cost === 'string' ? cost : cost.degree;
}

/** {@link componentDegree} with the number of spanning parts; a reason string when it cannot be bounded. */
export function componentCost(
  pattern: string,
  separator: string,
): { degree: number; spanning: number } | string {
  let spanning = 0;
  let run = 0;
  let busiestRun = 0;
  let afterPart = false; // whether a modifier here would apply to the previous token
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      afterPart = false;
      continue;
    }
    if (afterPart && (c === '*' || c === '+')) {
      spanning++; // a repeated part
      afterPart = false;
      continue;
    }
    if (afterPart && c === '?') {
      afterPart = false;
      continue;
    }
    if (c === ':' && NAME_START.test(pattern[i + 1] ?? '')) {
      i++;
      while (i + 1 < pattern.length && NAME_PART.test(pattern[i + 1]!)) i++;
      if (pattern[i + 1] !== '(') {
        if (separator === '') spanning++;
        else run++;
      }
      afterPart = true;
      continue;
    }
    if (c === '(') {
      let depth = 1;
      let j = i + 1;
      let inClass = false;
      for (; j < pattern.length && depth > 0; j++) {
        const d = pattern[j]!;
        if (d === '\\') j++;
        else if (inClass) inClass = d !== ']';
        else if (d === '[') inClass = true;
        else if (d === '(') depth++;
        else if (d === ')') depth--;
      }
      const body = regexpBody(pattern.slice(i + 1, j - 1));
      if (typeof body === 'string') return body;
      spanning += body.unbounded;
      i = j - 1;
      afterPart = true;
      continue;
    }
    if (c === '*') {
      spanning++;
      afterPart = true;
      continue;
    }
    if (c === '}') {
      afterPart = true;
      continue;
    }
    afterPart = false;
    if (c === '{') continue;
    if (separator !== '' && c === separator) {
      busiestRun = Math.max(busiestRun, run);
      run = 0;
    }
  }
  return { degree: spanning + Math.max(busiestRun, run), spanning };
}

/** A compiled URL pattern, ready to test topics. */
export interface CompiledUrlPattern {
  /** Whether `topic` (absolute, or relative to the hub URL) matches; a topic that is no URL never does. */
  test(topic: string): boolean;
}

/**
 * Compiles a Mercure `urlpattern` matcher (https://mercure.rocks/spec#url-pattern): the WHATWG URL Pattern Standard, relative
 * patterns and topics resolved against `hubUrl`, `ignoreCase` off. Returns the reason when the value is
 * not a well-formed URL pattern or exceeds {@link MAX_URL_PATTERN_DEGREE}; callers answer 400 (subscribe)
 * or reject the token (authorization details).
 */
export function compileUrlPattern(pattern: string, hubUrl: string): CompiledUrlPattern | string {
  let compiled: URLPattern;
  try {
    compiled = new URLPattern(pattern, hubUrl);
  } catch (error) {
    return `not a well-formed URL pattern (${(error as Error).message})`;
  }
  for (const [component, separator] of COMPONENTS) {
    const cost = componentCost(compiled[component], separator);
    if (typeof cost === 'string') return `its ${component} ${cost}`;
    if (cost.degree > MAX_URL_PATTERN_DEGREE) {
      return `its ${component} has ${cost.degree} variable parts competing for the same characters; at most ${MAX_URL_PATTERN_DEGREE} are accepted (denial-of-service bound)`;
    }
    if (cost.spanning > MAX_SPANNING_PARTS) {
      return `its ${component} has ${cost.spanning} wildcards or unbounded repetitions; at most ${MAX_SPANNING_PARTS} is accepted (denial-of-service bound)`;
    }
  }
  return {
    test(topic: string): boolean {
      try {
        return compiled.test(topic, hubUrl);
      } catch {
        return false;
      }
    },
  };
}
