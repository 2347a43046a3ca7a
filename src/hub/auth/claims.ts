import { selectorProblem } from '../topics/topic-selector.js';
import { HubAuthError } from './errors.js';

/** The `mercure` claim of a token (https://mercure.rocks/spec#authorization): selectors per role and the payload. */
export interface MercureClaim {
  readonly publish: readonly string[] | undefined;
  readonly subscribe: readonly string[] | undefined;
  readonly payload: unknown;
}

/** The namespaced claim name the reference hub also accepts (https://mercure.rocks/spec#authorization). */
export const NAMESPACED_CLAIM = 'https://mercure.rocks/';

/** The reference hub caps every claim array at 1000 selectors. */
export const MAX_CLAIM_SELECTORS = 1000;

/**
 * Reads the `mercure` claim, or its namespaced form `https://mercure.rocks/` when `mercure` is absent.
 * Returns undefined when the token has neither. Throws a 401 {@link HubAuthError} when the claim has the
 * wrong shape, so a publisher sees what to fix instead of a silent "not allowed".
 */
export function readMercureClaim(payload: Record<string, unknown>): MercureClaim | undefined {
  const name = payload.mercure !== undefined ? 'mercure' : NAMESPACED_CLAIM;
  const claim = payload[name];
  if (claim === undefined || claim === null) return undefined;
  if (typeof claim !== 'object' || Array.isArray(claim)) {
    throw new HubAuthError(401, `Invalid token: the "${name}" claim must be an object`);
  }
  const record = claim as Record<string, unknown>;
  return {
    publish: selectors(record.publish, `${name}.publish`),
    subscribe: selectors(record.subscribe, `${name}.subscribe`),
    payload: record.payload,
  };
}

function selectors(value: unknown, where: string): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new HubAuthError(401, `Invalid token: "${where}" must be an array of topic selectors (strings)`);
  }
  if (value.length > MAX_CLAIM_SELECTORS) {
    throw new HubAuthError(
      401,
      `Invalid token: "${where}" has ${value.length} selectors; at most ${MAX_CLAIM_SELECTORS} are allowed`,
    );
  }
  for (const selector of value as string[]) {
    const problem = selectorProblem(selector);
    if (problem !== undefined) {
      throw new HubAuthError(401, `Invalid token: "${where}" selector "${selector}": ${problem}`);
    }
  }
  return value as string[];
}
