import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendErrorReply } from '../server/index.js';
import { ChatAnswers, type ChatOptions } from './chat-answers.js';
import { ChatRoom } from './chat-room.js';
import { ClockPublisher } from './clock-publisher.js';
import { DASHBOARD_FEED_PATH, type DashboardAccess, DashboardRoute } from './dashboard-route.js';
import { type DemoLimits, DemoRoutes } from './demo-routes.js';
import { DEFAULT_DEMO_TOPIC_BASE, type DemoTopics, demoTopics, type WebUiHub } from './hub-port.js';
import { PAGES, StaticFiles } from './static-files.js';
import { StatsFeed } from './stats-feed.js';

export { generateAnswer } from './answer-generator.js';
export { ChatAnswers, type ChatOptions } from './chat-answers.js';
export { DASHBOARD_FEED_PATH, type DashboardAccess, type DashboardView } from './dashboard-route.js';
export type { DemoLimits } from './demo-routes.js';
export type { DemoTopics, WebUiHub } from './hub-port.js';
export { DEFAULT_WEB_ROOT } from './static-files.js';
export type { DashboardSample } from './stats-feed.js';

/** Options of {@link createWebUi}. Everything is optional. */
export interface WebUiOptions {
  /** Folder of the built pages. Default: the package's `web/dist` (built by `npm run build`). */
  root?: string;
  /** URL prefix of the demo endpoints. Default `/demo`. */
  prefix?: string;
  /**
   * Serve the demo endpoints at all (publisher, chat room, streamed chat) and the pages that use them
   * (`/`, `/chat`). Default true.
   */
  demo?: boolean;
  /**
   * The dashboard (`/dashboard`, its feed at `GET /dashboard/feed`) and who may read it: `'demo'` (anyone;
   * the demo's topic selectors only, every selector for a token that may read the hub's subscriptions),
   * `'token'` (only such a token: 401/403 otherwise; needs `hub.authorizeSubscriptionsReader`) or
   * `'off'`. Default `'demo'` with the demo, `'off'` without.
   */
  dashboard?: DashboardAccess | 'off';
  /** Base IRI of the demo topics, ending with `/`. Default `https://ssehub.example/demo/`. */
  topicBase?: string;
  /** Path of the hub's subscribe endpoint, told to the pages. Default `/.well-known/mercure`. */
  hubPath?: string;
  /**
   * DEVELOPMENT ONLY: a subscriber JWT the pages may fetch from `<prefix>/token`, which also sets it
   * as the `mercureAuthorization` cookie for the hub path (https://mercure.rocks/spec#cookie). Give it only
   * when the hub runs in dev mode; without it the endpoint does not exist and the pages subscribe
   * anonymously. It is served only to requests with a loopback `Host` (DNS-rebinding guard, 403 otherwise).
   */
  devToken?: string | (() => string | Promise<string>);
  /** Clock publisher period, in ms. Default 1000. */
  clockIntervalMs?: number;
  /** Dashboard sampling period, in ms. Default 1000. */
  statsIntervalMs?: number;
  /** Streamed-chat generator limits and answer store. */
  chat?: ChatOptions;
  /** Input and rate limits of the demo endpoints. */
  limits?: Partial<DemoLimits>;
  /** Called with errors the demo cannot report to a client (a failed background publish). */
  onError?: (error: unknown) => void;
}

/** The web UI request handler, with what a server needs to stop it and a test needs to observe it. */
export interface WebUiHandler {
  /** Answers `req`; what the web UI does not serve goes to `next` when given, else gets a 404. */
  (req: IncomingMessage, res: ServerResponse, next?: () => void): void;
  /** The streamed-chat answers (e.g. `started` counts generations begun). */
  readonly answers: ChatAnswers;
  /**
   * Stops the publisher, the generators and the dashboard feed, and closes their streams. An answer still
   * generating ends with `interrupted` (never looks complete); resolves once its readers were told.
   */
  close(): Promise<void>;
}

/**
 * The web UI: the three pages (`/` live demo, `/chat` streamed chat, `/dashboard`) from `web/dist`,
 * and the demo endpoints under `/demo`, which publish in-process through `hub.publish` (no token).
 * Plug it in as the hub's `fallback` for every path the hub does not serve:
 *
 * ```ts
 * let ui: WebUiHandler | undefined;
 * const hub = createHub({ allowAnonymous: true, fallback: (req, res) => ui?.(req, res) });
 * ui = createWebUi(hub);
 * ```
 */
export function createWebUi(hub: WebUiHub, options: WebUiOptions = {}): WebUiHandler {
  const prefix = (options.prefix ?? '/demo').replace(/\/+$/, '');
  const onError = options.onError ?? (() => undefined);
  const topics: DemoTopics = demoTopics(options.topicBase);
  const answers = new ChatAnswers(options.chat);
  const demo = options.demo ?? true;
  const access = options.dashboard ?? (demo ? 'demo' : 'off');
  if (access === 'token' && hub.authorizeSubscriptionsReader === undefined) {
    throw new TypeError(
      "createWebUi: dashboard 'token' needs a hub with authorizeSubscriptionsReader (ssehub/hub's createHub has it)",
    );
  }
  const clock = new ClockPublisher(hub, topics.clock, options.clockIntervalMs, undefined, onError);
  // Without a reader's token the dashboard names only the demo's own selectors: the others belong to
  // other people's subscriptions.
  const topicBase = options.topicBase ?? DEFAULT_DEMO_TOPIC_BASE;
  const feed =
    access === 'off'
      ? undefined
      : new StatsFeed(hub, options.statsIntervalMs, undefined, undefined, (s) => s.startsWith(topicBase));
  const dashboard =
    feed === undefined || access === 'off' ? undefined : new DashboardRoute(hub, feed, access, demo);
  const files = new StaticFiles(
    options.root,
    Object.keys(PAGES).filter((page) => (page === '/dashboard' ? dashboard !== undefined : demo)),
  );
  const room = demo ? new ChatRoom(hub, topics.room) : undefined;
  const routes =
    room === undefined
      ? undefined
      : new DemoRoutes({
          hub,
          topics,
          hubPath: options.hubPath ?? '/.well-known/mercure',
          devToken: options.devToken,
          clock,
          room,
          answers,
          limits: options.limits,
        });

  const handler = (req: IncomingMessage, res: ServerResponse, next?: () => void): void => {
    // The path as sent, as the hub routes: URL resolution would read `//dashboard/feed` as a host and a
    // path, and turn `/%2e%2e/dashboard/feed` into the feed.
    const target = absolutePath(req.url ?? '/');
    const q = target.indexOf('?');
    const pathname = q < 0 ? target : target.slice(0, q);
    const work =
      dashboard !== undefined && pathname === DASHBOARD_FEED_PATH
        ? dashboard.handle(req, res)
        : routes !== undefined && (pathname === prefix || pathname.startsWith(`${prefix}/`))
          ? routes.handle(req, res, pathname.slice(prefix.length) || '/')
          : files.serve(req, res, pathname, next);
    work.catch((error: unknown) => {
      onError(error);
      sendErrorReply(res, {
        status: 500,
        message: 'The web UI could not answer this request; the error was logged.',
      });
    });
  };
  return Object.assign(handler, {
    answers,
    async close(): Promise<void> {
      clock.stop();
      feed?.close();
      room?.close();
      await answers.close();
    },
  });
}

/** The origin-form request target (RFC 9112, section 3.2) of an absolute-form one; others unchanged. */
function absolutePath(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}
