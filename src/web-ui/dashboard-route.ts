import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_TIMER_MS } from '../protocol/index.js';
import { openStream, type SseStream, type StreamOptions, sendErrorReply } from '../server/index.js';
import { DemoHttpError, sendError } from './http-error.js';
import type { WebUiHub } from './hub-port.js';
import type { StatsFeed } from './stats-feed.js';

/** Where the dashboard page reads its figures: a `history` event, then a `sample` per interval. */
export const DASHBOARD_FEED_PATH = '/dashboard/feed';

/**
 * Who may read the dashboard feed:
 * - `demo`: anyone; the topic list names the demo's selectors only, and every selector for a request
 *   whose token may read the hub's subscriptions (a token that does not is not refused: the demo's view).
 * - `token`: only a request whose subscriber token may read the hub's subscriptions
 *   (`hub.authorizeSubscriptionsReader`); anything else gets 401 or 403 with the reason.
 */
export type DashboardAccess = 'demo' | 'token';

/** The feed's first event (`view`): what the page is shown. */
export interface DashboardView {
  /** True: the topic list names every selector; false: the demo's only. */
  readonly everySelector: boolean;
  /** The demo pages (`/`, `/chat`) are served too. */
  readonly demo: boolean;
}

/**
 * The dashboard's stream: the server library's defaults (heartbeats, a reader that falls behind is
 * disconnected and reconnects: the next sample carries every figure) with a smaller buffer than theirs.
 */
const DASHBOARD_STREAM: StreamOptions = { maxBufferedBytes: 256 * 1024 };

/** What a refusal by `authorizeSubscriptionsReader` carries (the hub's `HubHttpError`, read structurally). */
interface Refusal {
  readonly status: number;
  readonly message: string;
  readonly code?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function isRefusal(error: unknown): error is Refusal {
  const e = error as Partial<Refusal> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.status === 400 || e.status === 401 || e.status === 403) &&
    typeof e.message === 'string'
  );
}

/**
 * `GET /dashboard/feed`: checks access, then attaches the request to the feed. A token's stream ends at
 * the token's expiry (as the hub ends a subscriber's), so an expired token stops showing figures.
 */
export class DashboardRoute {
  constructor(
    private readonly hub: WebUiHub,
    private readonly feed: StatsFeed,
    private readonly access: DashboardAccess,
    /** Whether the demo pages are served too (the page links to them). */
    private readonly demo: boolean,
  ) {}

  /** Answers one request for the feed. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      sendError(
        res,
        new DemoHttpError(
          'SSEHUB_DEMO_METHOD_NOT_ALLOWED',
          'Use GET for the dashboard feed',
          undefined,
          false,
          'GET',
        ),
      );
      return;
    }
    let reader: { expiresAt: number | undefined } | undefined;
    try {
      reader = await this.#reader(req);
      this.feed.assertRoom();
    } catch (error) {
      if (isRefusal(error)) {
        sendErrorReply(
          res,
          { status: error.status, message: error.message, code: error.code, headers: error.headers },
          'json',
        );
        return;
      }
      sendError(res, error);
      return;
    }
    const stream = openStream(req, res, DASHBOARD_STREAM);
    // First, what this page is shown: every selector, or the demo's only (then a token would show all).
    const view: DashboardView = { everySelector: reader !== undefined, demo: this.demo };
    stream.send({ event: 'view', data: JSON.stringify(view) });
    this.feed.attach(stream, view.everySelector);
    if (reader?.expiresAt !== undefined) closeAt(stream, reader.expiresAt);
  }

  /** The request's reader grant: undefined for the demo's view; rejects with a refusal in `token` mode. */
  async #reader(req: IncomingMessage): Promise<{ expiresAt: number | undefined } | undefined> {
    const check = this.hub.authorizeSubscriptionsReader;
    if (check === undefined) return undefined;
    if (this.access === 'token') return check.call(this.hub, req);
    return check.call(this.hub, req).catch(() => undefined);
  }
}

/** Ends `stream` at `epochMs` (a token's expiry); the client reconnects and is asked for a new token. */
function closeAt(stream: SseStream, epochMs: number): void {
  // setTimeout holds at most 2^31-1 ms (~24.8 days); a longer wait re-arms itself.
  const wait = Math.min(Math.max(0, epochMs - Date.now()), MAX_TIMER_MS);
  const timer = setTimeout(() => {
    if (Date.now() >= epochMs) stream.close();
    else closeAt(stream, epochMs);
  }, wait);
  timer.unref();
  stream.onClose(() => clearTimeout(timer));
}
