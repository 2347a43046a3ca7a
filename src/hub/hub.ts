import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { EncodedEvent } from '../protocol/index.js';
import {
  Coalescer,
  jitteredRetry,
  MalformedFormError,
  parseUrlEncodedForm,
  requestAuthority,
  SseServerGroup,
  sendErrorReply,
} from '../server/index.js';
import type { Access, Authorizer, Role } from './auth/access.js';
import { HubAuthError } from './auth/errors.js';
import { MissingTokenError } from './auth/missing-token.js';
import { NoKeyAuthorizer } from './auth/no-key-authorizer.js';
import { ConnectionDeadlines } from './http/connection-deadline.js';
import { CorsPolicy } from './http/cors.js';
import { HubHttpError, sendHttpError, sendText } from './http/http-error.js';
import {
  type BearerError,
  bearerChallenge,
  resourceIdentifier,
  resourceMetadataPath,
  sendProtectedResourceMetadata,
} from './http/protected-resource.js';
import { handlePublish } from './http/publish-handler.js';
import { handleSubscribe } from './http/subscribe-handler.js';
import { handleSubscriptionsApi, readsSubscriptions } from './http/subscriptions-api.js';
import type { HubContext } from './hub-context.js';
import { MERCURE_1 } from './mercure-1-names.js';
import { HubMetrics } from './metrics.js';
import { type HubOptions, hubSettingName, type ResolvedHubOptions, resolveHubOptions } from './options.js';
import { type PublishInput, toUpdate } from './publish-input.js';
import { MemoryTransport } from './storage/memory-transport.js';
import { DuplicateUpdateIdError, type Transport, TransportUnavailableError } from './storage/transport.js';
import type { Update } from './storage/update.js';
import { generateUpdateId } from './storage/uuidv7.js';
import { FrameCache } from './subscribers/frame-cache.js';
import {
  parseSubscriptionsPath1,
  subscriptionDocument1,
  subscriptionTopic1,
} from './subscribers/mercure-1-subscriptions.js';
import type { Subscriber } from './subscribers/subscriber.js';
import {
  parseSubscriptionsPath,
  SUBSCRIPTIONS_PATH,
  subscriptionDocument,
  subscriptionEventData,
  subscriptionTopic,
} from './subscribers/subscriptions.js';
import { HUB_PATH } from './topics/reserved-topic.js';
import { SubscriberIndex } from './topics/subscriber-index.js';
import { DEFAULT_HUB_URL, TopicMatcherStore } from './topics/topic-matcher.js';
import { TopicSelectorStore } from './topics/topic-selector.js';

/** A point-in-time view of the hub, for dashboards (`hub.stats()`). */
export interface HubStats {
  /** Subscriber connections open now. */
  connections: number;
  /** Subscriptions (selectors of open connections) now. */
  subscriptions: number;
  /** Open subscriptions per selector (the 100 most subscribed). */
  topSelectors: { selector: string; subscribers: number }[];
  connectionsTotal: number;
  connectionsRefused: number;
  updatesPublished: number;
  updatesDelivered: number;
  slowSubscribersDropped: number;
  /** True while `hub.close()` drains. */
  closing: boolean;
}

/** Express-style continuation: called for requests that are not for the hub when present. */
export type NextFunction = (error?: unknown) => void;

/** A running hub. Create it with {@link createHub}. */
export interface Hub {
  /**
   * The request handler: `http.createServer(hub.handler)`, `http2.createSecureServer(opts, hub.handler)`,
   * `app.use(hub.handler)` (Express: other paths go
   * to `next`), or Fastify via `reply.hijack()` and the raw objects. Serves `/.well-known/mercure`
   * (subscribe, publish, CORS preflight), the subscriptions API when enabled, `/metrics`, `/healthz`,
   * `/readyz`; anything else goes to `next`, then `options.fallback`, else 404.
   */
  readonly handler: (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    next?: NextFunction,
  ) => void;
  /** Publishes in-process, with the same validation as HTTP but no authorisation; resolves once stored. */
  publish(input: PublishInput): Promise<Update>;
  /**
   * Drains: new subscribers and publishes are turned away, the open streams are closed spread evenly over
   * `deadlineMs` (default 0: at once), each with a jittered `retry:` so clients come back spread out; a
   * stream still unflushed a second after the deadline is cut; then the transport is closed. Does not
   * close your HTTP server.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /** Counters and gauges, synchronously. */
  stats(): HubStats;
  /**
   * Checks that `req` carries a subscriber token that may read every subscription: one whose
   * `mercure.subscribe` claim (or 1.0 `subscribe` grant) matches `/.well-known/mercure/subscriptions`, as
   * `"/.well-known/mercure/subscriptions{/topic}{/subscriber}"` does (https://mercure.rocks/spec#subscription-api).
   * For pages that show what the hub's subscribers listen to, such as a dashboard. The token is read as for
   * a subscriber (header, cookie, or the `authorization` query parameter). Resolves with the token's
   * expiry (epoch ms, undefined when it has none); rejects with `HubHttpError` 401 (no token, or one that
   * does not verify) or 403 (a valid token without that grant), with a `WWW-Authenticate` challenge in
   * its `headers`.
   */
  authorizeSubscriptionsReader(req: IncomingMessage): Promise<{ expiresAt: number | undefined }>;
  /** The Prometheus registry with the hub's metrics. */
  readonly metrics: HubMetrics['registry'];
  /** The transport in use. */
  readonly transport: Transport;
  /** The options after defaults. */
  readonly options: ResolvedHubOptions;
}

/** Creates a Mercure-compatible hub (https://mercure.rocks/spec). Throws `HubConfigError` on bad options. */
export function createHub(options: HubOptions = {}): Hub {
  return new HubCore(resolveHubOptions(options));
}

class HubCore implements Hub, HubContext {
  readonly options: ResolvedHubOptions;
  readonly transport: Transport;
  readonly matcher: TopicMatcherStore;
  readonly index: SubscriberIndex;
  readonly hubMetrics: HubMetrics;
  readonly cors: CorsPolicy;
  readonly streams = new SseServerGroup();
  readonly deadlines = new ConnectionDeadlines();
  #closing = false;
  #closed: Promise<void> | undefined;
  #reserved = 0;
  readonly #authorizer: Authorizer;
  /** Where the RFC 9728 protected resource metadata is served. */
  readonly #metadataPath: string;
  readonly #frames = new FrameCache();
  readonly #unlisten: () => void;
  /** Live updates from the transport, fanned out at once when idle and in batches under load. */
  readonly #fanOuts: Coalescer<Update>;
  readonly #unresync: () => void;
  readonly #drained = new Set<() => void>();

  constructor(options: ResolvedHubOptions) {
    this.options = options;
    const t = options.transport;
    this.transport =
      t === undefined
        ? new MemoryTransport({ historySize: options.historySize, historyTtlMs: options.historyTtlMs })
        : typeof t === 'function'
          ? t()
          : t;
    this.matcher = new TopicMatcherStore(
      new TopicSelectorStore(options.topicSelectorCacheSize),
      options.resourceIdentifier ?? DEFAULT_HUB_URL,
      options.topicSelectorCacheSize,
    );
    this.#metadataPath = resourceMetadataPath(options.resourceIdentifier);
    this.index = new SubscriberIndex(this.matcher);
    this.hubMetrics = new HubMetrics(() => this.transport.historySize());
    this.transport.registerMetrics?.(this.hubMetrics.registry);
    this.cors = new CorsPolicy(options.corsOrigins);
    this.#authorizer = options.authorizer ?? new NoKeyAuthorizer(options.allowAnonymous);
    this.#fanOuts = new Coalescer<Update>({
      windowMs: options.fanOutWindowMs,
      bytes: (update) => this.frame(update).bytes.byteLength,
      run: (batch) => {
        for (const update of batch) this.#fanOut(update);
      },
    });
    this.#unlisten = this.transport.listen((update) => this.#fanOuts.push(update));
    this.#unresync = this.transport.onResync?.(() => this.#resync()) ?? (() => {});
  }

  /**
   * The transport's live feed skipped updates on this node: every open stream may have missed some, so
   * each is closed with a jittered `retry:` and its client reconnects with Last-Event-ID (here or on
   * another node) and replays the gap from history.
   */
  #resync(): void {
    const streams = [...this.index.all()];
    this.options.logger.warn(
      { subscribers: streams.length },
      'live feed skipped updates: subscribers told to reconnect',
    );
    for (const subscriber of streams) subscriber.close(this.jitteredRetry());
  }

  get metrics(): HubMetrics['registry'] {
    return this.hubMetrics.registry;
  }

  get closing(): boolean {
    return this.#closing;
  }

  readonly handler = (
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
    next?: NextFunction,
  ): void => {
    // The HTTP/2 compatibility API offers every member the hub uses (headers, setHeader, appendHeader,
    // writeHead, end, destroy); the SSE stream itself handles both versions (server library).
    const req = request as IncomingMessage;
    const res = response as ServerResponse;
    this.#route(req, res, next).catch((error: unknown) => this.#fail(res, error));
  };

  async #route(req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    // Route on the raw path: subscription ids hold %2F, which must not be decoded (https://mercure.rocks/spec#subscription-api).
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    if (rawPath === HUB_PATH) {
      this.cors.apply(req, res);
      const url = this.#url(req);
      switch (req.method) {
        case 'GET':
          return handleSubscribe(this, req, res, url);
        case 'HEAD':
          await this.authorize(req, url, 'subscribe');
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' }).end();
          return;
        case 'POST':
          return handlePublish(this, req, res, url);
        case 'OPTIONS':
          this.cors.preflight(req, res);
          return;
        default:
          throw new HubHttpError(
            'SSEHUB_METHOD_NOT_ALLOWED',
            `Method ${req.method} is not allowed on ${HUB_PATH}`,
            {
              allow: 'GET, HEAD, POST, OPTIONS',
            },
          );
      }
    }
    if (this.options.subscriptions && rawPath.startsWith(SUBSCRIPTIONS_PATH)) {
      if (parseSubscriptionsPath(rawPath) || parseSubscriptionsPath1(rawPath)) {
        this.cors.apply(req, res);
        if (req.method === 'OPTIONS') return this.cors.preflight(req, res);
        return handleSubscriptionsApi(this, req, res, this.#url(req), rawPath);
      }
    }
    if (rawPath === this.#metadataPath && (req.method === 'GET' || req.method === 'HEAD')) {
      // Public by nature (RFC 9728): any origin may read it, without credentials.
      res.setHeader('access-control-allow-origin', '*');
      const info = this.#authorizer.protectedResource;
      return sendProtectedResourceMetadata(req, res, {
        resource: this.resource(req),
        cookieName: info?.cookieName,
        authorizationServers: info?.authorizationServers ?? [],
        subscriptions: this.options.subscriptions,
      });
    }
    // HEAD too: load balancers often probe health with it (Node leaves the body out by itself).
    if (this.options.metrics && (req.method === 'GET' || req.method === 'HEAD')) {
      if (rawPath === '/metrics') {
        const text = await this.metrics.metrics();
        res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text);
        return;
      }
      if (rawPath === '/healthz') return sendText(res, 200, 'ok\n');
      if (rawPath === '/readyz') return this.#ready(res);
    }
    if (next) return next();
    if (this.options.fallback) return this.options.fallback(req, res);
    sendErrorReply(res, { status: 404, message: `Not found: the hub lives at ${HUB_PATH}` });
  }

  async #ready(res: ServerResponse): Promise<void> {
    if (this.#closing) return sendErrorReply(res, { status: 503, message: 'draining' });
    try {
      await this.transport.lastEventId();
      sendText(res, 200, 'ready\n');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      sendErrorReply(res, { status: 503, message: `transport unavailable: ${reason}` });
    }
  }

  /** The request URL; throws {@link MalformedFormError} (answered 400) for a malformed query string. */
  #url(req: IncomingMessage): URL {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${requestAuthority(req.headers) || 'localhost'}`);
    } catch {
      url = new URL(req.url ?? '/', 'http://localhost');
    }
    // Checked once here for every parameter (topic, authorization, cursors): `searchParams` would keep
    // `%ZZ` as three characters and turn `%FF` into U+FFFD, i.e. another topic or cursor than meant.
    parseUrlEncodedForm(url.search.slice(1));
    return url;
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (error instanceof HubHttpError) {
      sendHttpError(res, error);
      return;
    }
    if (error instanceof TransportUnavailableError) {
      sendHttpError(res, unavailable(error));
      return;
    }
    if (error instanceof MalformedFormError) {
      sendHttpError(res, new HubHttpError(MalformedFormError.code, error.message));
      return;
    }
    this.options.logger.error({ err: error }, 'hub request failed');
    sendErrorReply(res, { status: 500, message: 'Internal hub error; see the hub logs' });
  }

  async authorize(req: IncomingMessage, url: URL, role: Role): Promise<Access> {
    let access: Access;
    try {
      access = await this.#authorizer.authorize(
        { method: req.method ?? 'GET', headers: req.headers, url, resource: this.resource(req) },
        role,
      );
    } catch (error) {
      if (!(error instanceof HubAuthError)) throw error;
      const bearer: BearerError | undefined =
        error.status === 400
          ? 'invalid_request'
          : error.status === 403
            ? 'insufficient_scope'
            : error instanceof MissingTokenError
              ? undefined
              : 'invalid_token';
      throw new HubHttpError(error.code, error.message, this.challenge(req, bearer), { cause: error });
    }
    if (!this.options.mercure0x && !access.anonymous && access.generation !== '1.0') {
      throw new HubHttpError(
        'SSEHUB_UNAUTHORIZED',
        'Mercure 0.x tokens are turned off on this hub: present a Mercure 1.0 access token (typ at+jwt)',
        this.challenge(req, 'invalid_token'),
      );
    }
    return access;
  }

  resource(req: IncomingMessage): string {
    return resourceIdentifier(req, this.options.resourceIdentifier);
  }

  challenge(req: IncomingMessage, error: BearerError | undefined): Record<string, string> {
    return { 'www-authenticate': bearerChallenge(error, this.resource(req)) };
  }

  async dispatch(update: Update): Promise<void> {
    // Every `data` line costs a `data: ` prefix, so a body of line breaks encodes to ~7 times its size. A
    // frame over the per-subscriber bound would disconnect every subscriber it reaches, and again on every
    // replay after they reconnect: a poison update. Refuse it while the publisher can still be told.
    const size = this.frame(update).bytes.byteLength;
    if (size > this.options.subscriberMaxBufferedBytes) {
      throw new HubHttpError(
        'SSEHUB_UPDATE_TOO_LARGE',
        `The update encodes to ${size} bytes on the wire (each line of data becomes a "data:" line), more than the ${this.options.subscriberMaxBufferedBytes} bytes a subscriber may have waiting; send less data or fewer lines, or raise ${hubSettingName('subscriberMaxBufferedBytes')}`,
      );
    }
    try {
      await this.transport.dispatch(update);
    } catch (error) {
      if (error instanceof DuplicateUpdateIdError)
        throw new HubHttpError(DuplicateUpdateIdError.code, error.message);
      if (error instanceof TransportUnavailableError) throw unavailable(error);
      throw error;
    }
    this.hubMetrics.recordPublished();
  }

  frame(update: Update): EncodedEvent {
    return this.#frames.get(update);
  }

  flushFanOut(): void {
    this.#fanOuts.flush();
  }

  /** Routes one update to every subscriber that wants it, serialised once. */
  #fanOut(update: Update): void {
    const routed = this.index.route(update.topics);
    if (routed.size === 0) return;
    const frame = this.frame(update);
    let delivered = 0;
    for (const subscriber of routed) {
      try {
        if (subscriber.mayRead(update) && subscriber.deliver(update, frame)) delivered++;
      } catch (error) {
        // One broken connection must not stop the fan-out to the others.
        this.options.logger.error({ err: error, subscriber: subscriber.id }, 'delivery failed');
        subscriber.close(undefined, true);
      }
    }
    if (delivered > 0) {
      this.hubMetrics.recordDelivered(delivered);
    }
  }

  reserveConnection(): boolean {
    const max = this.options.maxConnections;
    if (max > 0 && this.#reserved >= max) return false;
    this.#reserved++;
    return true;
  }

  releaseConnection(): void {
    this.#reserved--;
    for (const notify of this.#drained) notify();
  }

  jitteredRetry(): number {
    const { retry, retryJitter } = this.#retryWindow();
    return jitteredRetry(retry, retryJitter);
  }

  /** `reconnectRetryMs` jittered to 50-150 %, in the server library's terms: a base and a random extra. */
  #retryWindow(): { retry: number; retryJitter: number } {
    return { retry: this.options.reconnectRetryMs / 2, retryJitter: 2 };
  }

  subscriberStarted(subscriber: Subscriber): void {
    this.hubMetrics.recordOpened(subscriber.matchers.length);
    this.options.logger.debug(
      { subscriber: subscriber.id, topics: subscriber.selectors },
      'subscriber connected',
    );
    this.#subscriptionEvents(subscriber, true);
    this.#shareSubscriptions(subscriber, true);
  }

  subscriberEnded(subscriber: Subscriber): void {
    this.hubMetrics.recordClosed(subscriber.matchers.length);
    this.options.logger.debug({ subscriber: subscriber.id }, 'subscriber disconnected');
    this.#subscriptionEvents(subscriber, false);
    this.#shareSubscriptions(subscriber, false);
  }

  /** Lists (or unlists) the subscriber's subscriptions where every node sees them, when the engine can. */
  #shareSubscriptions(subscriber: Subscriber, active: boolean): void {
    const registry = this.options.subscriptions ? this.transport.subscriptions : undefined;
    if (registry === undefined) return;
    for (const matcher of subscriber.matchers) {
      const modern = subscriber.generation === '1.0';
      const key = modern
        ? subscriptionTopic1(matcher, subscriber.id)
        : subscriptionTopic(matcher.pattern, subscriber.id);
      if (!active) registry.remove(key);
      else if (modern)
        registry.add(key, JSON.stringify(subscriptionDocument1(subscriber, matcher, true, this.matcher)));
      else registry.add(key, JSON.stringify(subscriptionDocument(subscriber, matcher.pattern, true)));
    }
  }

  /**
   * Publishes the private subscription lifecycle updates when enabled, in the subscriber's generation:
   * 0.x documents on `/.well-known/mercure/subscriptions/{topic}/{subscriber}`, or 1.0 ones on
   * `…/subscriptions/{match_type}/{match}/{subscriber}` with the reserved SSE type `mercure`
   * (Mercure 1.0 §Subscription Events, https://mercure.rocks/spec#subscription-events).
   */
  #subscriptionEvents(subscriber: Subscriber, active: boolean): void {
    if (!this.options.subscriptions) return;
    for (const matcher of subscriber.matchers) {
      const modern = subscriber.generation === '1.0';
      const update: Update = Object.freeze({
        id: generateUpdateId(),
        topics: Object.freeze([
          modern
            ? subscriptionTopic1(matcher, subscriber.id)
            : subscriptionTopic(matcher.pattern, subscriber.id),
        ]),
        data: modern
          ? JSON.stringify(subscriptionDocument1(subscriber, matcher, active, this.matcher))
          : subscriptionEventData(subscriber, matcher.pattern, active),
        private: true,
        ...(modern ? { type: MERCURE_1.subscriptionEventType } : {}),
      });
      // Straight to the transport: hub-generated events are not counted as published updates.
      this.transport
        .dispatch(update)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'could not publish a subscription event'),
        );
    }
  }

  async publish(input: PublishInput): Promise<Update> {
    if (this.#closing) throw new HubHttpError('SSEHUB_SHUTTING_DOWN', 'The hub is shutting down');
    const update = toUpdate(input, this.options.maxTopics);
    await this.dispatch(update);
    return update;
  }

  stats(): HubStats {
    const perSelector = new Map<string, number>();
    for (const subscriber of this.index.all()) {
      if (!subscriber.streaming) continue;
      for (const selector of subscriber.selectors)
        perSelector.set(selector, (perSelector.get(selector) ?? 0) + 1);
    }
    const topSelectors = [...perSelector]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 100)
      .map(([selector, subscribers]) => ({ selector, subscribers }));
    const figures = this.hubMetrics.figures();
    let slowSubscribersDropped = 0;
    for (const count of Object.values(figures.slowSubscribersDropped)) slowSubscribersDropped += count;
    return { ...figures, topSelectors, slowSubscribersDropped, closing: this.#closing };
  }

  async authorizeSubscriptionsReader(req: IncomingMessage): Promise<{ expiresAt: number | undefined }> {
    const example = `e.g. {"mercure":{"subscribe":["${SUBSCRIPTIONS_PATH}{/topic}{/subscriber}"]}}`;
    const needed = `Reading the hub's subscriptions needs a subscriber token whose mercure.subscribe claim matches ${SUBSCRIPTIONS_PATH} (${example})`;
    const access = await this.authorize(req, this.#url(req), 'subscribe').catch((error: unknown) => {
      if (!(error instanceof HubHttpError) || error.status !== 401) throw error;
      // No token presented (RFC 6750 §3.1): say what to send. Otherwise why the token failed comes first
      // ("Token expired at ..."), then what it is needed for.
      const presented = !(error.cause instanceof MissingTokenError);
      throw new HubHttpError(
        'SSEHUB_UNAUTHORIZED',
        presented ? `${error.message} (${needed})` : `${needed}; send it as "Authorization: Bearer <token>"`,
        error.headers,
      );
    });
    if (access.anonymous) {
      throw new HubHttpError(
        'SSEHUB_UNAUTHORIZED',
        `${needed}; send it as "Authorization: Bearer <token>"`,
        this.challenge(req, undefined),
      );
    }
    if (!readsSubscriptions(this, access, SUBSCRIPTIONS_PATH)) {
      throw new HubHttpError(
        'SSEHUB_FORBIDDEN',
        access.generation === '1.0'
          ? `The access token does not allow reading the hub's subscriptions: it needs a "subscribe" authorization detail matching ${SUBSCRIPTIONS_PATH}`
          : `The token does not allow reading the hub's subscriptions: its mercure.subscribe claim must match ${SUBSCRIPTIONS_PATH} (${example})`,
        this.challenge(req, 'insufficient_scope'),
      );
    }
    return { expiresAt: access.expiresAt };
  }

  close(options: { deadlineMs?: number } = {}): Promise<void> {
    this.#closed ??= this.#drain(Math.max(0, options.deadlineMs ?? 0));
    return this.#closed;
  }

  async #drain(deadlineMs: number): Promise<void> {
    this.#closing = true;
    this.options.logger.info({ subscribers: this.index.size, deadlineMs }, 'hub draining');
    // What was accepted before the drain reaches its subscribers before their streams close.
    this.#fanOuts.flush();
    const stopAt = Date.now() + deadlineMs + FINAL_FLUSH_MS;
    // Open streams are closed spread evenly over the deadline, each with a jittered `retry:`, and cut if
    // still unflushed a second later; requests still authorising or replaying see `closing` and are
    // turned away, which gives their connection slots back.
    await this.streams.shutdown({
      ...this.#retryWindow(),
      spreadMs: deadlineMs,
      deadlineMs: deadlineMs + FINAL_FLUSH_MS,
    });
    await this.#slotsReleased(stopAt);
    for (const subscriber of this.index.all()) subscriber.close(undefined, true);
    this.#unlisten();
    this.#fanOuts.close();
    this.#unresync();
    await this.transport.close();
    this.options.logger.info({}, 'hub closed');
  }

  /** Resolves once no request holds a connection slot, or at `stopAt` (epoch ms), whichever is first. */
  #slotsReleased(stopAt: number): Promise<void> {
    if (this.#reserved === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.#reserved > 0 && Date.now() < stopAt) return;
        clearTimeout(timer);
        this.#drained.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, stopAt - Date.now()));
      this.#drained.add(done);
    });
  }
}

/** After the last close of a drain, how long streams get to flush before they are cut, in ms. */
const FINAL_FLUSH_MS = 1000;

/** 503 with `Retry-After` (RFC 9110 §10.2.3) for a storage engine that cannot be reached: nothing was stored. */
function unavailable(error: TransportUnavailableError): HubHttpError {
  return new HubHttpError(TransportUnavailableError.code, error.message, {
    'retry-after': String(error.retryAfterSeconds),
  });
}
