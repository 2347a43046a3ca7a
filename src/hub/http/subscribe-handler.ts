import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EncodedEvent } from '../../protocol/index.js';
import { encodeHeaderText, lastEventIdRequest, openStream, type SseStream } from '../../server/index.js';
import type { HubContext } from '../hub-context.js';
import { type ReplayResult, TransportUnavailableError } from '../storage/transport.js';
import type { Update } from '../storage/update.js';
import { Subscriber, type SubscriberDropReason } from '../subscribers/subscriber.js';
import { topicProblem } from '../topics/topic-limits.js';
import { HubHttpError } from './http-error.js';

/** Cursor value asking for the whole history (Mercure §Reconciliation). */
export const EARLIEST = 'earliest';

/** Query parameters carrying a cursor, in precedence order: Mercure 0.x, Mercure 1.0, protocol-7 compat. */
const CURSOR_PARAMS = ['lastEventID', 'last_event_id', 'Last-Event-ID'] as const;

/** Longest delay `setTimeout` accepts (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * The cursor a subscriber asked for: the `Last-Event-ID` header first, then the query parameters.
 * `requested` is true whenever one was sent, even if invalid (too long, control characters): such a
 * cursor is unusable and answered `earliest` so the client knows it may have missed updates.
 */
export function readCursor(req: IncomingMessage): { requested: boolean; cursor: string | undefined } {
  const { sent, lastEventId } = lastEventIdRequest(req.headers['last-event-id'], req.url, CURSOR_PARAMS);
  return { requested: sent, cursor: lastEventId };
}

/**
 * One connection's maximum lifetime (Mercure `write_timeout`, mercure-protocol §3.3): randomised to
 * 80-100 % of `writeTimeoutMs` so reconnections spread out instead of arriving in waves, minus one
 * `dispatchTimeoutMs` so the hub closes cleanly before any write deadline would cut it. At least 1 ms.
 */
export function connectionLifetime(
  writeTimeoutMs: number,
  dispatchTimeoutMs: number,
  random: () => number = Math.random,
): number {
  return Math.max(1, Math.round(writeTimeoutMs * (0.8 + 0.2 * random())) - dispatchTimeoutMs);
}

/** Runs `fn` at epoch time `at`, re-arming past `setTimeout`'s range; returns the canceller. */
function runAt(at: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const delay = at - Date.now();
    if (delay <= 0) {
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_TIMEOUT));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * `GET /.well-known/mercure?topic=…` (mercure-protocol §3.3-3.4). In order: validate the selectors,
 * take a connection slot (over the cap: `200 text/event-stream`, a jittered `retry:` and close, so
 * EventSource comes back later instead of failing for good), authorise, register for live updates,
 * replay history after the cursor (re-authorised against the current token, scan-bounded), answer the
 * cursor headers, then stream: replay, de-duplicated queued live updates, live. The stream closes at the
 * token's `exp`, at the randomised maximum lifetime, on a stalled write and on queue overflow.
 */
export async function handleSubscribe(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const selectors = [...new Set(url.searchParams.getAll('topic'))];
  if (selectors.length === 0) {
    throw new HubHttpError(400, 'Missing "topic" parameter: subscribe with ?topic=<topic or URI template>');
  }
  if (selectors.length > ctx.options.maxTopics) {
    throw new HubHttpError(
      400,
      `Too many topics: ${selectors.length} given, at most ${ctx.options.maxTopics} allowed`,
    );
  }
  for (const selector of selectors) {
    const problem = topicProblem(selector);
    if (problem !== undefined) throw new HubHttpError(400, `Invalid "topic" selector: ${problem}`);
  }
  if (ctx.closing) {
    refuse(ctx, req, res, 'draining');
    return;
  }
  if (!ctx.reserveConnection()) {
    refuse(ctx, req, res, 'capacity');
    return;
  }
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      ctx.releaseConnection();
    }
  };
  let subscriber: Subscriber | undefined;
  try {
    const access = await ctx.authorize(req, url, 'subscribe');
    if (req.destroyed || ctx.closing) {
      release();
      // The hub started draining while we authorised: tell the client to come back (to another node).
      if (!req.destroyed) refuse(ctx, req, res, 'draining');
      return;
    }
    let drop: SubscriberDropReason | undefined;
    let stream: SseStream | undefined;
    const sub = new Subscriber({
      id: `urn:uuid:${randomUUID()}`,
      selectors,
      access,
      matcher: ctx.matcher,
      queueSize: ctx.options.subscriberQueueSize,
      onDrop: (reason) => {
        drop = reason;
        sub.markClosed();
        stream?.destroy();
      },
    });
    subscriber = sub;
    // Listen first, then read history: updates published meanwhile wait in the subscriber's queue.
    ctx.index.add(sub);
    const { requested, cursor } = readCursor(req);
    // Mercure's value (mercure-protocol §3.3) plus no-transform, so compression middleware and transforming
    // proxies leave the stream alone (the server library lets a caller's Cache-Control win).
    const headers: Record<string, string> = {
      'cache-control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    };
    let replay: { update: Update; frame: EncodedEvent }[] = [];
    let replayedIds: ReadonlySet<string> = new Set();
    if (requested) {
      let responseCursor = EARLIEST;
      if (cursor !== undefined) {
        let result: ReplayResult;
        try {
          result = await ctx.transport.replay(cursor, ctx.options.historyScanLimit);
        } catch (error) {
          if (!(error instanceof TransportUnavailableError)) throw error;
          // History is out of reach (Redis down): streaming without it would silently skip what the
          // client missed, and a 503 would make EventSource give up. Come back, with the same cursor.
          ctx.index.remove(sub);
          release();
          refuse(ctx, req, res, 'unavailable');
          return;
        }
        // A cursor naming a private update this subscriber may not read is, to it, unknown: echoing it
        // or replaying after it would confirm that the (possibly guessable, client-chosen) id exists.
        if (result.found && (result.cursor === undefined || sub.mayRead(result.cursor))) {
          replayedIds = new Set(result.updates.map((u) => u.id));
          replay = result.updates
            .filter((u) => sub.wants(u))
            .map((update) => ({ update, frame: ctx.frame(update) }));
          // Echo the client's own id only when it is held: an unknown or unusable cursor answers
          // `earliest`, never another (possibly private) id from history (sse-rules §3.4, mercure#1321).
          if (cursor !== EARLIEST) responseCursor = cursor;
        }
      }
      headers['last-event-id'] = encodeHeaderText(responseCursor);
      headers['mercure-last-event-id'] = encodeHeaderText(responseCursor);
    }
    if (req.destroyed || sub.closed) {
      ctx.index.remove(sub);
      release();
      if (drop !== undefined) recordDrop(ctx, sub, drop);
      // Dropped while replaying (queue overflow) or the hub started draining: come back later.
      if (!req.destroyed) refuse(ctx, req, res, drop !== undefined ? 'too-slow' : 'draining');
      return;
    }
    const opened = openStream(req, res, {
      heartbeatMs: ctx.options.heartbeatMs,
      dispatchTimeoutMs: ctx.options.dispatchTimeoutMs,
      maxBufferedBytes: ctx.options.subscriberMaxBufferedBytes,
      overflow: 'disconnect',
      lastEventIdParam: false,
      headers,
    });
    stream = opened;
    sub.attach(opened);
    const ended = ctx.subscriberStarted(sub);
    const timers: (() => void)[] = [];
    opened.onClose((reason) => {
      sub.markClosed();
      for (const cancel of timers) cancel();
      ctx.index.remove(sub);
      release();
      const dropReason =
        drop ??
        (reason === 'overflow' || reason === 'dispatch-timeout' || reason === 'heartbeat-failed'
          ? reason
          : undefined);
      if (dropReason !== undefined) recordDrop(ctx, sub, dropReason);
      ended();
    });
    if (access.expiresAt !== undefined) timers.push(runAt(access.expiresAt, () => opened.close()));
    const { writeTimeoutMs, dispatchTimeoutMs } = ctx.options;
    if (writeTimeoutMs > 0) {
      const lifetime = connectionLifetime(writeTimeoutMs, dispatchTimeoutMs);
      timers.push(runAt(Date.now() + lifetime, () => opened.close()));
    }
    const written = await sub.start(replay, replayedIds);
    if (written > 0) {
      ctx.hubMetrics.updatesDelivered.inc(written);
      ctx.counters.updatesDelivered += written;
    }
  } catch (error) {
    if (subscriber && !res.headersSent) ctx.index.remove(subscriber);
    if (!res.headersSent) release();
    throw error;
  }
}

/** Counts and logs a subscriber disconnected for being too slow (sse-rules §5.1). */
function recordDrop(ctx: HubContext, sub: Subscriber, reason: SubscriberDropReason): void {
  ctx.hubMetrics.slowSubscribersDropped.inc({ reason });
  ctx.counters.slowSubscribersDropped++;
  ctx.options.logger.warn(
    { subscriber: sub.id, reason },
    'subscriber unable to receive updates fast enough: disconnected',
  );
}

/** Why a subscriber is turned away; told to the client in a comment, for people reading with curl. */
const REFUSALS = {
  capacity: 'the hub is at its connection limit; reconnect after the retry delay',
  draining: 'the hub is shutting down; reconnect after the retry delay',
  unavailable: 'history is unavailable right now (storage unreachable); reconnect after the retry delay',
  'too-slow': 'too many updates were waiting for this connection; reconnect with Last-Event-ID to catch up',
} as const;

/**
 * Turns a subscriber away so that EventSource retries later: 200, a comment saying why, a jittered
 * `retry:`, then close (a non-200 status would make EventSource give up for good, sse-rules §1.8).
 */
function refuse(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  why: keyof typeof REFUSALS,
): void {
  if (why === 'capacity') {
    ctx.hubMetrics.connectionsRefused.inc();
    ctx.counters.connectionsRefused++;
  }
  const stream = openStream(req, res, { heartbeatMs: 0, lastEventIdParam: false });
  stream.comment(REFUSALS[why]);
  stream.close({ retry: ctx.jitteredRetry() });
}
