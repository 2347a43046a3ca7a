/** What `GET /demo/config` answers: where the hub is and what the demo publishes to. */
export interface DemoConfig {
  hub: string;
  topics: { clock: string; messages: string; room: string; template: string };
  devToken: boolean;
  clock: { running: boolean };
  room: { members: string[] };
  limits: { promptLength: number; messageLength: number; nameLength: number };
}

import { defaultShouldRetry, type SseError, SseHttpError } from '../../../src/client/index.js';

/** The demo endpoints' prefix. */
export const DEMO = '/demo';

/** Loads the demo configuration; in dev mode with a token, also gets the subscriber cookie first. */
export async function loadConfig(): Promise<DemoConfig> {
  const config = await readConfig();
  // The hub checks subscribers' tokens; the dev endpoint sets one as an HttpOnly cookie for the hub path.
  if (config.devToken) await refreshToken();
  return config;
}

/** Reads `GET /demo/config` afresh (never from a cache): the hub's current state, such as the clock's. */
export async function readConfig(): Promise<DemoConfig> {
  const response = await fetch(`${DEMO}/config`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`Could not load ${DEMO}/config: HTTP ${response.status}`);
  return (await response.json()) as DemoConfig;
}

async function refreshToken(): Promise<void> {
  await fetch(`${DEMO}/token`, { cache: 'no-store' });
}

/**
 * The client's `shouldRetry` for hub subscriptions: after a 401 in dev mode (the hub restarted with a
 * new development key, so the cookie is stale) fetch a fresh token and retry; otherwise the default.
 */
export function retryWithFreshToken(config: DemoConfig): (error: SseError) => Promise<boolean> {
  return async (error) => {
    if (config.devToken && error instanceof SseHttpError && error.status === 401) {
      await refreshToken().catch(() => undefined);
      return true;
    }
    return defaultShouldRetry(error);
  };
}

/** POSTs JSON to a demo endpoint; throws an Error carrying the server's reason. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${DEMO}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}
