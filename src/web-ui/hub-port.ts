import type { IncomingMessage } from 'node:http';

/**
 * What the web UI needs from the hub: in-process publishing (so the demo endpoints need no token) and
 * its live figures. A structural type, so the web UI depends on no hub internals.
 */
export interface WebUiHub {
  publish(update: {
    topics: readonly string[];
    data: string;
    type?: string;
    id?: string;
    private?: boolean;
    retry?: number;
  }): Promise<{ readonly id: string }>;
  /** Counters and gauges (`Hub.stats()`); fields the dashboard does not find count as 0. */
  stats(): unknown;
  /**
   * `Hub.authorizeSubscriptionsReader`: resolves (with the token's expiry, epoch ms) when `req` carries a
   * subscriber token that may read every subscription; rejects with an error carrying `status` (401, 403),
   * `message` and `headers` otherwise. Needed for the dashboard's `token` access; without it the
   * dashboard shows the demo's view only.
   */
  authorizeSubscriptionsReader?(req: IncomingMessage): Promise<{ expiresAt: number | undefined }>;
  /** Where the history size comes from when `stats()` does not carry it. */
  readonly transport?: { historySize(): Promise<number> };
}

/** The topics the demo publishes to. Public updates, so anonymous subscribers receive them. */
export interface DemoTopics {
  /** The server-side clock publisher (`connecttime` events, one per second). */
  readonly clock: string;
  /** Messages typed on the live demo page. */
  readonly messages: string;
  /** The chat room (`userconnect`, `usermessage`, `userdisconnect`). */
  readonly room: string;
  /** A URI template (RFC 6570) matching all three, to show template subscriptions. */
  readonly template: string;
}

/** Default base IRI of the demo topics. */
export const DEFAULT_DEMO_TOPIC_BASE = 'https://ssehub.example/demo/';

/** The demo topics under `base` (an IRI ending with `/`). */
export function demoTopics(base = DEFAULT_DEMO_TOPIC_BASE): DemoTopics {
  return {
    clock: `${base}clock`,
    messages: `${base}messages`,
    room: `${base}room`,
    template: `${base}{stream}`,
  };
}
