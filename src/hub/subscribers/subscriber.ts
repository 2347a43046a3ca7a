import { randomUUID } from 'node:crypto';
import type { EncodedEvent } from '../../protocol/index.js';
import type { SseStream } from '../../server/index.js';
import { type Access, grantsOf } from '../auth/access.js';
import type { Generation } from '../http/subscribe-matchers.js';
import type { Update } from '../storage/update.js';
import type { TopicMatcher, TopicMatcherStore } from '../topics/topic-matcher.js';

/** Every reason the hub disconnects a subscriber rather than its client (a metric label each). */
export const SUBSCRIBER_DROP_REASONS = [
  'queue-overflow',
  'overflow',
  'dispatch-timeout',
  'heartbeat-failed',
] as const;

/** Why a subscriber was disconnected by the hub rather than by its client. */
export type SubscriberDropReason = (typeof SUBSCRIBER_DROP_REASONS)[number];

/** Matches nothing; running it makes V8 flatten the string it is given. */
const FLATTEN = /\0/;

/**
 * A new subscriber id, `urn:uuid:` and a random UUID (docs/security.md#private-updates). Node builds the
 * UUID by concatenating 20 pieces, a tree of cons strings (~0.5 KiB) kept for as long as the subscriber
 * lives; a regular expression run over the id flattens it in place into one 45-character string.
 */
export function newSubscriberId(): string {
  const id = `urn:uuid:${randomUUID()}`;
  FLATTEN.test(id);
  return id;
}

/**
 * What a subscriber reports to: the request that holds it. An object rather than two callbacks, so an idle
 * subscriber holds no closures of its own.
 */
export interface SubscriberOwner {
  /** The subscriber could not keep up and is closed: disconnect it. */
  subscriberDropped(reason: SubscriberDropReason): void;
  /** Delivers now the live updates the hub holds back in its coalescing window (before going live). */
  flushPending(): void;
}

/**
 * One subscriber connection: its query selectors, its rights, and the gap-free switch from history
 * replay to live delivery (https://mercure.rocks/spec#reconciliation; reference hub `localsubscriber.go`).
 *
 * It is registered for live updates *before* history is read. While `buffering`, live updates wait in a
 * queue bounded by `queueSize` (overflow disconnects: "unable to receive updates fast enough"). Once
 * replay is written, queued updates whose id was part of the replay are skipped and the rest flushed;
 * from then on updates go straight to the stream, whose own byte bound and dispatch deadline apply, and
 * at most `queueSize` of them may wait while its socket is congested.
 */
export class Subscriber {
  /** Hub-generated, random, the same for every subscription of this connection (docs/security.md#private-updates). */
  readonly id: string;
  /** The request's matchers (1.0 `match`/`match_<type>`, or 0.x `topic` selectors), deduplicated, in order. */
  readonly matchers: readonly TopicMatcher[];
  /** The generation the subscribe request spoke: its subscription events and API documents use its shape. */
  readonly generation: Generation;
  readonly access: Access;
  /** What the access grants for reading private updates, whichever generation issued it. */
  readonly #grants: readonly TopicMatcher[];
  readonly #matcher: TopicMatcherStore;
  readonly #queueSize: number;
  #state: 'buffering' | 'live' | 'closed' = 'buffering';
  /** Live updates waiting behind the replay; the shared empty {@link NO_QUEUE} until the first one. */
  #queue: Queued[] = NO_QUEUE;
  #stream: SseStream | undefined;
  readonly #owner: SubscriberOwner;
  /** Live updates written while the stream was congested, since it last drained. */
  #waiting = 0;
  /**
   * Ids the replay covered, kept after {@link start} until the first live update outside them: a node whose
   * transport reader lags (Redis) can hand over, live, updates the replay already wrote. Live updates come in
   * the transport's order, so the first one not covered proves every later one is new, and the set goes.
   */
  #lateCopies: ReadonlySet<string> | undefined;

  constructor(init: {
    id: string;
    matchers: readonly TopicMatcher[];
    generation?: Generation;
    access: Access;
    matcher: TopicMatcherStore;
    queueSize: number;
    /** Default: nobody is told (a subscriber outside a hub, in tests). */
    owner?: SubscriberOwner;
  }) {
    this.id = init.id;
    this.matchers = init.matchers;
    this.generation = init.generation ?? '0.x';
    this.access = init.access;
    this.#grants = grantsOf(init.access);
    this.#matcher = init.matcher;
    this.#queueSize = init.queueSize;
    this.#owner = init.owner ?? NO_OWNER;
  }

  /** The matcher patterns, for display (stats, logs). */
  get selectors(): readonly string[] {
    return this.matchers.map((m) => m.pattern);
  }

  /** Whether one of the update's topics matches one of the request's matchers. */
  matches(update: Update): boolean {
    return this.#matcher.matchAny(update.topics, this.matchers);
  }

  /**
   * The private-update rule (Mercure 1.0 §Subscribers and §Private Update Audience, 0.x §Authorization):
   * public updates go to anyone subscribed; a private one only if one of its topics (canonical or
   * alternate, not necessarily the one that routed it) is granted by the token: a `subscribe`
   * authorization detail (1.0) or a `mercure.subscribe` selector (0.x). Anonymous subscribers never.
   */
  mayRead(update: Update): boolean {
    if (!update.private) return true;
    if (this.access.anonymous) return false;
    return this.#matcher.matchAny(update.topics, this.#grants);
  }

  /** The full delivery rule: routed by the query selectors and allowed by the claim. */
  wants(update: Update): boolean {
    return this.matches(update) && this.mayRead(update);
  }

  /** Whether the subscriber is closed. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Whether its stream is open (past authorisation and history lookup, not closed): an active subscription. */
  get streaming(): boolean {
    return this.#stream !== undefined && this.#state !== 'closed';
  }

  /**
   * Delivers a live update that already passed {@link wants}; `frame` is the shared serialisation.
   * Returns true when it was handed to the stream now (false when queued behind the replay, or dropped).
   */
  deliver(update: Update, frame: EncodedEvent): boolean {
    if (this.#state === 'live') {
      if (this.#lateCopies !== undefined) {
        if (this.#lateCopies.has(update.id)) return false;
        this.#lateCopies = undefined;
      }
      const stream = this.#stream!;
      if (stream.write(frame)) return true;
      if (stream.closed) return false;
      // Congested: the frame waits in the stream's queue. Count waiting updates like the reference hub's
      // 1,000-update channel, on top of the stream's own byte bound; a drain resets the count.
      if (++this.#waiting > this.#queueSize) {
        this.#owner.subscriberDropped('queue-overflow');
        return false;
      }
      if (this.#waiting === 1) {
        stream.drain().then(() => {
          this.#waiting = 0;
        });
      }
      return true;
    }
    if (this.#state === 'closed') return false;
    if (this.#queue.length >= this.#queueSize) {
      this.#queue = NO_QUEUE;
      this.#owner.subscriberDropped('queue-overflow');
      return false;
    }
    if (this.#queue === NO_QUEUE) this.#queue = [];
    this.#queue.push({ update, frame });
    return false;
  }

  /** Gives the subscriber its open stream (before {@link start}). */
  attach(stream: SseStream): void {
    this.#stream = stream;
  }

  /**
   * Ends the connection: gracefully with an optional `retry:` (shutdown), or at once when `force`.
   * Before the stream is open it only marks the subscriber closed; the handler then turns it away.
   */
  close(retry?: number, force = false): void {
    const stream = this.#stream;
    this.markClosed();
    if (!stream) return;
    if (force) stream.destroy();
    else stream.close(retry === undefined ? {} : { retry });
  }

  /**
   * Writes the replayed history (already filtered with {@link wants}), then the live updates queued
   * meanwhile minus those the replay covered (`replayedIds`), then switches to live delivery. Waits for
   * the socket to drain between writes so a long replay never exceeds the stream's byte bound.
   * Resolves with the number of updates written.
   */
  async start(
    replay: readonly { update: Update; frame: EncodedEvent }[],
    replayedIds: ReadonlySet<string>,
  ): Promise<number> {
    const stream = this.#stream;
    if (!stream) throw new Error('Subscriber.start() called before attach()');
    let written = 0;
    for (const { frame } of replay) {
      if (this.#state === 'closed' || stream.closed) return written;
      if (!stream.write(frame)) await stream.drain();
      written++;
    }
    // Flush the queue; updates keep arriving into it while we await, so loop until it is empty. Updates
    // held in the hub's coalescing window may be in the replay too: have them queued (and skipped) now,
    // not delivered live as duplicates later.
    this.#owner.flushPending();
    while (this.#queue.length > 0) {
      if (this.#state === 'closed' || stream.closed) return written;
      const batch = this.#queue;
      this.#queue = NO_QUEUE;
      for (const { update, frame } of batch) {
        if (replayedIds.has(update.id)) continue;
        if (stream.closed) return written;
        if (!stream.write(frame)) await stream.drain();
        written++;
      }
      if (this.#queue.length === 0) this.#owner.flushPending();
    }
    if (this.#state === 'buffering') {
      this.#state = 'live';
      if (replayedIds.size > 0) this.#lateCopies = replayedIds;
    }
    return written;
  }

  /** Marks the subscriber closed; queued updates are discarded. */
  markClosed(): void {
    this.#state = 'closed';
    this.#queue = NO_QUEUE;
  }
}

function noop(): void {}

/** The owner of a subscriber created outside a hub. */
const NO_OWNER: SubscriberOwner = { subscriberDropped: noop, flushPending: noop };

/** A live update queued behind the replay, with its shared frame. */
interface Queued {
  update: Update;
  frame: EncodedEvent;
}

/** The empty queue every subscriber starts with (idle subscribers allocate none). Never pushed to. */
const NO_QUEUE: Queued[] = [];
