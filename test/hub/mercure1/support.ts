import type { HubOptions } from '../../../src/hub/index.js';
import { type RunningHub, SECRET, startHub } from '../support/harness.js';
import { accessToken, detail, ISSUER, ISSUER_SECRET } from './tokens.js';

/** A hub serving both generations: a 0.x key ({@link SECRET}) and one trusted 1.0 issuer. */
export function startDualHub(options: HubOptions = {}, anonymous = true): Promise<RunningHub> {
  return startHub(options, {
    key: { key: SECRET },
    anonymous,
    trustedIssuers: [{ issuer: ISSUER, key: { key: ISSUER_SECRET } }],
  });
}

/** The hub URL of a test hub, which is also its derived resource identifier. */
export const hubUrl = (h: RunningHub): string => `${h.base}/.well-known/mercure`;

/** A 1.0 access token for `h` granting `actions` on `topics` (exact unless a type is given). */
export function grant(
  h: RunningHub,
  actions: readonly string[],
  topics: readonly (string | { match: string; match_type?: string })[],
  payload?: Record<string, unknown>,
): Promise<string> {
  const matchers = topics.map((t) => (typeof t === 'string' ? { match: t } : t));
  return accessToken({ aud: hubUrl(h), details: [detail(actions, matchers, payload)] });
}

/** A 1.0 subscribe URL: `match` values then `match_urlpattern` values, plus extra parameters. */
export function matchUrl(
  h: RunningHub,
  matchers: { match?: readonly string[]; urlpattern?: readonly string[] },
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const m of matchers.match ?? []) params.append('match', m);
  for (const m of matchers.urlpattern ?? []) params.append('match_urlpattern', m);
  for (const [k, v] of Object.entries(extra)) params.append(k, v);
  return `${hubUrl(h)}?${params}`;
}

export { ISSUER };
