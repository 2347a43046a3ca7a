import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeHeaderText, openStream, type SseStream } from '../../server/index.js';
import type { Access } from '../auth/access.js';
import type { HubContext } from '../hub-context.js';
import { hubSettingName } from '../options.js';
import { TransportUnavailableError } from '../storage/transport.js';
import {
  newSubscriberId,
  Subscriber,
  type SubscriberDropReason,
  type SubscriberOwner,
} from '../subscribers/subscriber.js';
import { connectionLifetime, type DeadlineHolder } from './connection-deadline.js';
import { type HistoryReplay, replayHistory } from './history-replay.js';
import { parseSubscribeRequest, type SubscribeRequest } from './subscribe-request.js';

/**
 * `GET /.well-known/mercure?topic=…` (https://mercure.rocks/spec#subscription), in four steps:
 * 1. parse: the matchers (1.0 `match`/`match_urlpattern` or 0.x `topic`) and the cursor ({@link parseSubscribeRequest}; 400 on bad input);
 * 2. admit: a connection slot (over the cap, or while draining: `200 text/event-stream`, a jittered
 *    `retry:` and close, so EventSource comes back later instead of failing for good), then authorise;
 * 3. replay: register for live updates, then read history after the cursor ({@link replayHistory});
 * 4. attach: open the stream with the cursor headers, write the replay, the queued live updates the
 *    replay did not cover, then go live. The stream closes at the token's `exp`, at the randomised
 *    maximum lifetime, on a stalled write and on queue overflow.
 * Whatever ends the subscription, at whichever step, {@link Subscription.end} releases what it held.
 */
export async function handleSubscribe(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const request = parseSubscribeRequest(req, url, ctx);
  const subscription = admit(ctx, req, res);
  if (subscription === undefined) return;
  try {
    const access = await ctx.authorize(req, url, 'subscribe');
    if (subscription.gone()) return subscription.turnAway('draining');
    const subscriber = subscription.register(request, access);
    let replay: HistoryReplay;
    try {
      replay = await replayHistory(ctx, subscriber, request.cursorRequested, request.cursor);
    } catch (error) {
      if (!(error instanceof TransportUnavailableError)) throw error;
      // History is out of reach (Redis down): streaming without it would silently skip what the
      // client missed, and a 503 would make EventSource give up. Come back, with the same cursor.
      return subscription.turnAway('unavailable');
    }
    if (subscription.gone()) {
      return subscription.turnAway(subscription.dropped ? 'too-slow' : 'draining');
    }
    await subscription.attach(subscriber, replay);
  } catch (error) {
    subscription.end();
    throw error;
  }
}

/** Takes a connection slot, or turns the client away (draining, at capacity) and returns undefined. */
function admit(ctx: HubContext, req: IncomingMessage, res: ServerResponse): Subscription | undefined {
  if (ctx.closing) {
    refuse(ctx, req, res, 'draining');
    return undefined;
  }
  if (!ctx.reserveConnection()) {
    refuse(ctx, req, res, 'capacity');
    return undefined;
  }
  return new Subscription(ctx, req, res);
}

/** Close reasons of the stream that mean the subscriber could not keep up. */
const SLOW_CLOSES: ReadonlySet<string> = new Set(['overflow', 'dispatch-timeout', 'heartbeat-failed']);

/**
 * One admitted subscribe request and everything it holds: a connection slot, then a subscriber, a stream, a
 * deadline. It is its subscriber's owner and its own deadline holder, so an idle subscriber costs no
 * closure or timer of its own (memory per connection is what bounds a hub with many idle subscribers).
 */
class Subscription implements SubscriberOwner, DeadlineHolder {
  readonly #ctx: HubContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #subscriber: Subscriber | undefined;
  #stream: SseStream | undefined;
  #drop: SubscriberDropReason | undefined;
  /** Whether the hub was told the subscriber started (and so must be told it ended). */
  #started = false;
  #ended = false;
  deadlineAt = Number.POSITIVE_INFINITY;
  deadlineSlot = -1;

  constructor(ctx: HubContext, req: IncomingMessage, res: ServerResponse) {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
  }

  /** Whether the subscriber was disconnected for being too slow. */
  get dropped(): boolean {
    return this.#drop !== undefined;
  }

  /** Whether there is no point going on: the client left, the hub is draining, or the subscriber was dropped. */
  gone(): boolean {
    return this.#req.destroyed || this.#ctx.closing || this.#subscriber?.closed === true;
  }

  /** Registers the subscriber for live updates; they queue in it until {@link attach} writes the replay. */
  register(request: SubscribeRequest, access: Access): Subscriber {
    const subscriber = new Subscriber({
      id: newSubscriberId(),
      matchers: request.matchers,
      generation: request.generation,
      access,
      matcher: this.#ctx.matcher,
      queueSize: this.#ctx.options.subscriberQueueSize,
      owner: this,
    });
    this.#subscriber = subscriber;
    this.#ctx.index.add(subscriber);
    return subscriber;
  }

  /** @internal {@link SubscriberOwner}: the subscriber's queue overflowed. */
  subscriberDropped(reason: SubscriberDropReason): void {
    this.#drop = reason;
    this.#subscriber?.markClosed();
    this.#stream?.destroy();
  }

  /** @internal {@link SubscriberOwner}: the subscriber is about to go live. */
  flushPending(): void {
    this.#ctx.flushFanOut();
  }

  /**
   * @internal {@link DeadlineHolder}: the token expired or the maximum lifetime passed. Planned closes tell
   * the client when to come back (a jittered `retry:`), so a fleet whose tokens or lifetimes end together
   * does not reconnect in one wave.
   */
  deadlineReached(): void {
    this.#stream?.close({ retry: this.#ctx.jitteredRetry() });
  }

  /** Opens the stream, arms the deadline, writes the replay and the queued updates, then goes live. */
  async attach(subscriber: Subscriber, replay: HistoryReplay): Promise<void> {
    const ctx = this.#ctx;
    // Mercure's value plus no-transform, so compression middleware and transforming proxies leave the
    // stream alone (the server library lets a caller's Cache-Control win).
    const headers: Record<string, string> = {
      'cache-control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    };
    if (replay.responseCursor !== undefined) {
      // 0.x answered Last-Event-ID; 1.0 registers Mercure-Last-Event-ID for it (§Reconciliation). A 0.x
      // request gets both, as before; a 1.0 one only its own.
      if (subscriber.generation === '0.x') headers['last-event-id'] = encodeHeaderText(replay.responseCursor);
      headers['mercure-last-event-id'] = encodeHeaderText(replay.responseCursor);
    }
    const stream = openStream(this.#req, this.#res, {
      heartbeatMs: ctx.options.heartbeatMs,
      dispatchTimeoutMs: ctx.options.dispatchTimeoutMs,
      maxBufferedBytes: ctx.options.subscriberMaxBufferedBytes,
      overflow: 'disconnect',
      lastEventIdParam: false,
      headers,
    });
    this.#stream = stream;
    subscriber.attach(stream);
    this.#started = true;
    ctx.subscriberStarted(subscriber);
    stream.onClose((reason) => {
      if (this.#drop === undefined && SLOW_CLOSES.has(reason)) this.#drop = reason as SubscriberDropReason;
      this.end();
    });
    // While the hub drains, the group closes a stream added late at once, with a jittered `retry:`.
    ctx.streams.add(stream);
    // One deadline, the earlier of the token's `exp` and the randomised maximum lifetime.
    const expiresAt = subscriber.access.expiresAt;
    if (expiresAt !== undefined) ctx.deadlines.add(this, expiresAt);
    const { writeTimeoutMs, dispatchTimeoutMs } = ctx.options;
    if (writeTimeoutMs > 0) {
      ctx.deadlines.add(this, Date.now() + connectionLifetime(writeTimeoutMs, dispatchTimeoutMs));
    }
    const written = await subscriber.start(replay.updates, replay.coveredIds);
    if (written > 0) {
      ctx.hubMetrics.recordDelivered(written);
    }
  }

  /** Ends the subscription without a stream: releases what it holds, then tells the client to come back. */
  turnAway(why: Exclude<keyof typeof REFUSALS, 'capacity'>): void {
    this.end();
    if (!this.#req.destroyed) refuse(this.#ctx, this.#req, this.#res, why);
  }

  /**
   * The single teardown, whatever ended the subscription and at whichever step: deadline cancelled, the
   * subscriber unregistered, the connection slot given back, a drop counted, the end reported. Idempotent.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#ctx.deadlines.remove(this);
    const subscriber = this.#subscriber;
    if (subscriber !== undefined) {
      subscriber.markClosed();
      this.#ctx.index.remove(subscriber);
    }
    this.#ctx.releaseConnection();
    if (subscriber !== undefined && this.#drop !== undefined) recordDrop(this.#ctx, subscriber, this.#drop);
    if (this.#started) this.#ctx.subscriberEnded(subscriber!);
  }
}

/** Counts and logs a subscriber disconnected for being too slow. */
function recordDrop(ctx: HubContext, sub: Subscriber, reason: SubscriberDropReason): void {
  ctx.hubMetrics.recordDropped(reason);
  ctx.options.logger.warn(
    { subscriber: sub.id, reason },
    'subscriber unable to receive updates fast enough: disconnected',
  );
}

/** Why a subscriber is turned away; told to the client in a comment, for people reading with curl. */
const REFUSALS = {
  capacity: `the hub is at its connection limit (${hubSettingName('maxConnections')}); reconnect after the retry delay`,
  draining: 'the hub is shutting down; reconnect after the retry delay',
  unavailable: 'history is unavailable right now (storage unreachable); reconnect after the retry delay',
  'too-slow': 'too many updates were waiting for this connection; reconnect with Last-Event-ID to catch up',
} as const;

/**
 * Turns a subscriber away so that EventSource retries later: 200, a comment saying why, a jittered
 * `retry:`, then close (a non-200 status would make EventSource give up for good).
 */
function refuse(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  why: keyof typeof REFUSALS,
): void {
  if (why === 'capacity') {
    ctx.hubMetrics.recordRefused();
  }
  const stream = openStream(req, res, { heartbeatMs: 0, lastEventIdParam: false });
  stream.comment(REFUSALS[why]);
  stream.close({ retry: ctx.jitteredRetry() });
}
