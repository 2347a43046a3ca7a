import { type EncodedEvent, preEncode, type SseEvent, SsehubError } from '../protocol/index.js';
import {
  type ChannelCloseOptions,
  type ChannelOptions,
  resolveChannelCloseOptions,
  resolveChannelOptions,
} from './channel-options.js';
import { Coalescer } from './coalescer.js';
import { History } from './history.js';
import { IdGenerator } from './id-generator.js';
import { jitteredRetry } from './jitter.js';
import { CLOSE_REASONS, type CloseReason } from './options.js';
import type { SseStream } from './stream.js';

/** Thrown by {@link Channel.broadcast} for an event whose encoded size exceeds `maxEventBytes`. */
export class EventTooLargeForChannelError extends SsehubError {
  static readonly code = 'SSEHUB_CHANNEL_EVENT_TOO_LARGE';
  override readonly name = 'EventTooLargeForChannelError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      EventTooLargeForChannelError.code,
      `Event of ${size} bytes exceeds the channel's maxEventBytes (${limit}); it would disconnect every ` +
        "member. Split it, or raise maxEventBytes together with the streams' maxBufferedBytes.",
    );
  }
}

/** Which streams a broadcast goes to. */
export interface BroadcastOptions {
  /**
   * Deliver only to streams for which this returns true; replay applies the same filter. A filter that
   * throws skips that stream (counted in `stats.filterErrors`).
   */
  filter?: (stream: SseStream) => boolean;
}

/** How a join went. */
export interface JoinResult {
  /**
   * `fresh`: no Last-Event-ID; `replayed`: history held the id and `replayed` events followed it (0 when
   * up to date); `unknown`: the id is not in history (a reset control event was sent if configured).
   */
  status: 'fresh' | 'replayed' | 'unknown';
  replayed: number;
}

/** Channel counters for dashboards and tests. */
export interface ChannelStats {
  broadcasts: number;
  /** Writes made by broadcasts (one per stream per event). */
  deliveries: number;
  /** Of those, writes that reported backpressure. */
  backpressured: number;
  /** Members skipped because a broadcast `filter` threw for them. */
  filterErrors: number;
  joins: number;
  replayedEvents: number;
  resets: number;
  /** Streams that left because they closed, by reason. */
  closes: Record<CloseReason, number>;
}

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** A zero-copy Buffer view of `bytes` where Node's Buffer exists (other runtimes keep the Uint8Array). */
function toNodeBytes(bytes: Uint8Array): Uint8Array {
  return NodeBuffer === undefined ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isEncoded(event: SseEvent | EncodedEvent): event is EncodedEvent {
  return (event as EncodedEvent).bytes instanceof Uint8Array;
}

/**
 * A set of streams that receive the same events. `broadcast` serialises once ({@link preEncode}) and
 * writes the same bytes to every member: no per-connection serialisation. With history, `join` replays
 * exactly the events after the stream's Last-Event-ID and adds it to the set in the same synchronous
 * step, so nothing published meanwhile can fall between replay and live delivery, or arrive twice.
 * Closed streams leave automatically.
 */
export class Channel {
  readonly #streams = new Set<SseStream>();
  /** One listener for every member: no closure per stream. */
  readonly #onMemberClose = (reason: CloseReason, stream: SseStream): void => {
    this.#streams.delete(stream);
    this.stats.closes[reason]++;
  };
  readonly #history: History | undefined;
  readonly #resetEvent: string | false;
  readonly #maxEventBytes: number;
  readonly #coalescer: Coalescer<Pending>;
  readonly #ids: IdGenerator | undefined;
  #cursor: string | undefined;
  readonly stats: ChannelStats = {
    broadcasts: 0,
    deliveries: 0,
    backpressured: 0,
    filterErrors: 0,
    joins: 0,
    replayedEvents: 0,
    resets: 0,
    closes: Object.fromEntries(CLOSE_REASONS.map((r) => [r, 0])) as Record<CloseReason, number>,
  };

  /** Throws {@link InvalidOptionError} naming the option for a value out of its bounds (CHANNEL_SETTINGS). */
  constructor(options: ChannelOptions = {}) {
    const resolved = resolveChannelOptions(options);
    const history = resolved.history;
    this.#history = history === false ? undefined : new History(history === true ? {} : history);
    this.#resetEvent = resolved.resetEvent;
    this.#maxEventBytes = resolved.maxEventBytes;
    this.#ids = resolved.generateIds ? new IdGenerator() : undefined;
    this.#coalescer = new Coalescer<Pending>({
      windowMs: resolved.coalesceMs,
      run: (batch) => this.#write(batch),
      bytes: (pending) => pending.bytes.byteLength,
    });
  }

  /** Streams currently in the channel. */
  get size(): number {
    return this.#streams.size;
  }

  /** The id of the latest broadcast that had one: the resume point a client at the head would report. */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  /** The history, when enabled (read-only use). */
  get history(): History | undefined {
    return this.#history;
  }

  /** The member streams. */
  streams(): IterableIterator<SseStream> {
    return this.#streams.values();
  }

  /** Whether `stream` is a member. */
  has(stream: SseStream): boolean {
    return this.#streams.has(stream);
  }

  /**
   * Adds `stream`, first replaying what it missed after `lastEventId` (default: the stream's own
   * Last-Event-ID). Replay bytes bypass the stream's buffer bound; they are bounded by the history size.
   */
  join(stream: SseStream, options: { lastEventId?: string } = {}): JoinResult {
    if (stream.closed || this.#streams.has(stream)) return { status: 'fresh', replayed: 0 };
    // Broadcasts waiting in the coalescing window are in history already: the members get them first,
    // so the replay below neither misses nor repeats them.
    this.#coalescer.flush();
    this.stats.joins++;
    const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
    let result: JoinResult = { status: 'fresh', replayed: 0 };
    if (lastEventId !== undefined) {
      const missed = lastEventId === this.#cursor ? [] : this.#history?.after(lastEventId);
      if (missed === undefined) {
        result = { status: 'unknown', replayed: 0 };
        if (this.#resetEvent !== false) {
          this.stats.resets++;
          const data = JSON.stringify({
            reason: 'unknown-last-event-id',
            lastEventId,
            cursor: this.#cursor ?? null,
          });
          const reset: SseEvent = { event: this.#resetEvent, data };
          if (this.#cursor !== undefined) reset.id = this.#cursor;
          stream.writeUnbounded(preEncode(reset).bytes);
        }
      } else {
        let replayed = 0;
        for (const entry of missed) {
          if (entry.filter && !entry.filter(stream)) continue;
          stream.writeUnbounded(entry.frame.bytes);
          replayed++;
        }
        this.stats.replayedEvents += replayed;
        result = { status: 'replayed', replayed };
      }
    }
    if (stream.closed) return result;
    stream.onClose(this.#onMemberClose);
    this.#streams.add(stream);
    return result;
  }

  /** Removes `stream` without closing it. */
  leave(stream: SseStream): boolean {
    if (!this.#streams.has(stream)) return false;
    this.#coalescer.flush();
    this.#streams.delete(stream);
    stream.offClose(this.#onMemberClose);
    return true;
  }

  /**
   * Serialises `event` once and writes the same bytes to every member (that passes `filter`), recording
   * it in history. Accepts an already pre-encoded event. Returns the encoded frame. Throws
   * {@link EventTooLargeForChannelError} (writing nothing, recording nothing) past `maxEventBytes`.
   * Under load the write happens within `coalesceMs` (see {@link ChannelOptions.coalesceMs}); `filter` runs
   * then.
   */
  broadcast(event: SseEvent | EncodedEvent, options: BroadcastOptions = {}): EncodedEvent {
    let frame: EncodedEvent;
    if (isEncoded(event)) {
      const withId = this.#withId(event.event);
      frame = withId === event.event ? event : preEncode(withId);
    } else {
      frame = preEncode(this.#withId(event));
    }
    if (frame.bytes.length > this.#maxEventBytes) {
      throw new EventTooLargeForChannelError(frame.bytes.length, this.#maxEventBytes);
    }
    const filter = options.filter;
    this.stats.broadcasts++;
    if (frame.event.id !== undefined) this.#cursor = frame.event.id;
    this.#history?.append({ frame, filter });
    // One Node Buffer view for all members: Node would otherwise wrap the Uint8Array once per write.
    this.#coalescer.push({ bytes: toNodeBytes(frame.bytes), filter });
    return frame;
  }
  /** `event` with a generated id when it dispatches without one and ids are generated, else itself. */
  #withId(event: SseEvent): SseEvent {
    if (this.#ids === undefined || event.id !== undefined || event.data === undefined) return event;
    return { ...event, id: this.#ids.next() };
  }

  /**
   * Closes every member gracefully. With `retry` (ms), each member first gets its own final `retry:` drawn
   * from [`retry`, `retry` × (1 + `retryJitter`)], so the members do not all reconnect in the same instant
   * (docs/shutdown.md#spreading-the-reconnections). `retryJitter` defaults to the shutdown helpers' (1).
   * Throws {@link InvalidOptionError} for a negative or non-finite value, before closing anything.
   */
  closeAll(options: ChannelCloseOptions = {}): void {
    const { retry, retryJitter: jitter } = resolveChannelCloseOptions(options);
    this.#coalescer.flush();
    for (const stream of [...this.#streams]) {
      stream.close(retry === undefined ? {} : { retry: jitteredRetry(retry, jitter) });
    }
  }

  /** Writes broadcasts to the members, in order: one tick, so each socket sends the batch in one write. */
  #write(batch: readonly Pending[]): void {
    let deliveries = 0;
    let backpressured = 0;
    for (const { bytes, filter } of batch) {
      for (const stream of this.#streams) {
        if (filter !== undefined && !this.#passes(filter, stream)) continue;
        deliveries++;
        if (!stream.writeBytes(bytes)) backpressured++;
      }
    }
    this.stats.deliveries += deliveries;
    this.stats.backpressured += backpressured;
  }

  /** Runs a broadcast filter; one that throws excludes the stream (the write may run from a timer). */
  #passes(filter: (stream: SseStream) => boolean, stream: SseStream): boolean {
    try {
      return filter(stream);
    } catch {
      this.stats.filterErrors++;
      return false;
    }
  }
}

/** A broadcast waiting to be written. */
interface Pending {
  bytes: Uint8Array;
  filter: ((stream: SseStream) => boolean) | undefined;
}
