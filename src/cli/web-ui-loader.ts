import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Hub } from '../hub/index.js';
import { type ChatOptions, createWebUi, DEFAULT_WEB_ROOT } from '../web-ui/index.js';

/** The web UI as the command uses it: a request handler and a way to stop its demo publishers. */
export interface WebUi {
  /** Answers `req`; what the web UI does not serve goes to `next` when given. */
  readonly handler: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
  close(): Promise<void>;
}

/** What the command passes to the web UI. */
export interface WebUiLoadOptions {
  /** Development subscriber token the pages may use (dev mode only). */
  readonly devToken?: string;
  readonly onError?: (error: unknown) => void;
  /** Streamed-chat options, e.g. a shared answer store when the hub runs on several processes. */
  readonly chat?: ChatOptions;
  /**
   * The dashboard alone (keys configured): no demo endpoints, and its feed only for a subscriber token
   * that may read the hub's subscriptions (`hub.authorizeSubscriptionsReader`).
   */
  readonly dashboardOnly?: boolean;
}

/**
 * The web UI (src/web-ui) when its pages are built (web/dist, produced by `npm run build`);
 * undefined otherwise, so the command serves a landing page instead of broken links.
 */
export function loadWebUi(hub: Hub, options: WebUiLoadOptions, root = DEFAULT_WEB_ROOT): WebUi | undefined {
  const { dashboardOnly, ...rest } = options;
  if (!existsSync(join(root, dashboardOnly ? 'dashboard.html' : 'index.html'))) return undefined;
  const handler = createWebUi(hub, {
    root,
    ...rest,
    ...(dashboardOnly ? { demo: false, dashboard: 'token' as const } : {}),
  });
  return { handler, close: () => handler.close() };
}
