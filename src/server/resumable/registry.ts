import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { preEncode } from '../../protocol/index.js';
import { sseResponse } from '../fetch.js';
import { type LastEventIdRequest, lastEventIdRequest } from '../last-event-id.js';
import { openStream } from '../open-stream.js';
import { type ResolvedStreamOptions, resolveStreamOptions, type StreamOptions } from '../options.js';
import type { SseStream } from '../stream.js';
import {
  InvalidStreamCursorError,
  ProducerError,
  StreamLimitError,
  StreamTooLargeError,
  UnknownStreamError,
} from './errors.js';
import { isStreamId, parseStreamEventId, type StreamCursor, streamEventId } from './event-id.js';
import { LiveStream } from './live-stream.js';
import { MemoryStreamStore } from './memory-store.js';
import { RESUMABLE_SETTINGS, type ResumableStreamsOptions, resolveResumableOptions } from './options.js';
import { refuseFetch, refuseNode } from './refusal.js';
import { RemoteFollower } from './remote-follower.js';
import type { ResumableStore, StoredStream } from './store.js';
import { doneEvent, errorEvent, interruptedEvent, isTerminalEvent, type TerminalEvent } from './terminal.js';

/** One event a producer sends: `data` and an optional `event` type. The registry gives it its id. */
export interface ResumableEvent {
  /** Event type; not one of the terminal types (`done`, `error`, `interrupted`). Default `message`. */
  readonly event?: string;
  /** Data; line breaks are split into several `data:` lines. */
  readonly data: string;
}

/** What a callback producer gets. */
export interface ProducerContext {
  /** The id of the stream being produced. */
  readonly streamId: string;
  /** Aborted on `cancel()`, shutdown, or when the stream outgrows `maxStreamBytes`: stop, and abort upstream work. */
  readonly signal: AbortSignal;
  /** Stores the event, then sends it to every reader. Rejects once the stream is ending. */
  send(event: ResumableEvent): Promise<void>;
}

/**
 * What `start` runs: an async iterable of events, or a function that returns one or sends events through
 * its context (and returns when done). It runs to its end whether or not anyone reads.
 */
export type Producer =
  | AsyncIterable<ResumableEvent>
  | ((context: ProducerContext) => AsyncIterable<ResumableEvent> | Promise<void> | void);

/** What an attach resolves to: 204 (nothing left to read) or a response that replays then follows. */
type Plan = { readonly kind: 'no-content' } | { readonly kind: 'stream'; deliver(reader: SseStream): void };

/** Query parameter read for the cursor when the `Last-Event-ID` header is absent (native EventSource's first request). */
const CURSOR_PARAMS = ['lastEventId'];

/** Response header naming the stream a start created (for fetch clients that want it before any event). */
export const STREAM_ID_HEADER = 'sse-stream-id';

class ShutdownSignal extends Error {}
class CancelSignal extends Error {}

/**
 * A registry of resumable streams: an answer produced once and read by any number of readers, any number
 * of times, each continuing where it stopped.
 *
 * - {@link start} (or {@link startResponse} on Fetch) runs a producer under a new stream id and answers the
 *   request with the live stream. Every event gets the id `<stream>:<seq>` (gap-free from 0), is stored,
 *   then fanned out to every attached reader.
 * - {@link attach} (a GET, so a native `EventSource` can attach) replays what the reader missed after its
 *   `Last-Event-ID` (or everything, with none) and follows live; 204 once the stream ended and the reader has
 *   it all, which stops any EventSource (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model "fail the connection" on 204).
 * - Every stream ends with one terminal event (`done`, `error`, `interrupted`); see {@link TERMINAL_EVENTS}.
 *   A stream of a process that was killed reads back as its stored events, then `interrupted`.
 */
export class ResumableStreams {
  readonly #store: ResumableStore;
  readonly #live = new Map<string, LiveStream>();
  readonly #running = new Set<LiveStream>();
  readonly #maxProducers: number;
  readonly #maxPerClient: number;
  readonly #maxStreamBytes: number;
  readonly #maxStreams: number;
  readonly #retentionMs: number;
  readonly #retryAfter: number;
  readonly #streamOptions: ResolvedStreamOptions;
  readonly #clientKey: (typeof RESUMABLE_SETTINGS)['clientKey']['default'];
  readonly #errorMessage: (error: unknown) => string;
  readonly #onError: (error: unknown, streamId: string) => void;
  readonly #now: () => number;
  readonly #leaseMs: number;
  #leaseTimer: ReturnType<typeof setInterval> | undefined;
  #closing = false;

  /** Throws {@link InvalidOptionError} naming the option for a value out of its bounds (RESUMABLE_SETTINGS). */
  constructor(options: ResumableStreamsOptions = {}) {
    const resolved = resolveResumableOptions(options);
    // A store holds this registry's streams: the default is a new one per registry, not a shared value.
    this.#store = resolved.store ?? new MemoryStreamStore();
    this.#maxProducers = resolved.maxProducers;
    this.#maxPerClient = resolved.maxProducersPerClient;
    this.#maxStreamBytes = resolved.maxStreamBytes;
    this.#maxStreams = resolved.maxStreams;
    this.#retentionMs = resolved.retentionMs;
    this.#retryAfter = resolved.retryAfterSeconds;
    // Given reader options replace the default's field by field; checked now rather than at the first attach.
    this.#streamOptions = resolveStreamOptions({ ...RESUMABLE_SETTINGS.stream.default, ...resolved.stream });
    this.#clientKey = resolved.clientKey;
    this.#errorMessage = resolved.errorMessage;
    this.#onError = resolved.onError;
    this.#now = resolved.now;
    this.#leaseMs = resolved.leaseMs;
  }

  /** Producers running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Streams this process holds in memory (running, and ended ones within retention). */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Runs `producer` under a new stream id and returns the id, without answering any request (the faces
   * below do that). Throws {@link StreamLimitError} (503, or 429 for one client) when a limit is reached.
   */
  async begin(producer: Producer, client?: string): Promise<string> {
    if (this.#closing)
      throw new StreamLimitError(
        'SSEHUB_STREAMS_SHUTTING_DOWN',
        'The server is shutting down',
        this.#retryAfter,
      );
    if (this.#running.size >= this.#maxProducers) {
      throw new StreamLimitError(
        'SSEHUB_TOO_MANY_PRODUCERS',
        `${this.#running.size} streams are already being produced; try again shortly`,
        this.#retryAfter,
      );
    }
    if (client !== undefined) {
      let mine = 0;
      for (const live of this.#running) if (live.client === client) mine++;
      if (mine >= this.#maxPerClient) {
        throw new StreamLimitError(
          'SSEHUB_TOO_MANY_PRODUCERS_FOR_CLIENT',
          `You already have ${mine} streams being produced; wait for one to finish`,
          this.#retryAfter,
        );
      }
    }
    const now = this.#now();
    this.#forgetLocal(now);
    await this.#store.prune(now - this.#retentionMs, this.#maxStreams - 1);
    if (this.#live.size >= this.#maxStreams) {
      throw new StreamLimitError(
        'SSEHUB_TOO_MANY_STREAMS',
        `${this.#live.size} streams are kept and none has ended; try again shortly`,
        this.#retryAfter,
      );
    }
    const live = new LiveStream(globalThis.crypto.randomUUID(), now, client);
    await this.#store.create(live.id, now);
    if (this.#store.shared) await this.#store.renew?.([live.id], this.#leaseMs);
    this.#live.set(live.id, live);
    this.#running.add(live);
    this.#renewLeases();
    void this.#run(live, producer);
    return live.id;
  }

  /**
   * Node face (http, http2, Express, Fastify raw, Koa raw): starts `producer` and answers the request with
   * the live stream (header `SSE-Stream-Id`). Read the request body before calling it. A limit is
   * answered with 503/429 JSON `{ error, code }` and `Retry-After`. Resolves to the stream id, or
   * undefined when refused.
   */
  async start(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    producer: Producer,
  ): Promise<string | undefined> {
    let id: string;
    try {
      id = await this.begin(producer, this.#clientKey(req));
    } catch (error) {
      refuseNode(res, error);
      return undefined;
    }
    const reader = openStream(req, res, this.#readerOptions({ [STREAM_ID_HEADER]: id }));
    const live = this.#live.get(id);
    if (live === undefined) reader.close();
    else live.follow(reader, -1);
    return id;
  }

  /**
   * Node face: attaches the request to stream `streamId` (or the one its `Last-Event-ID` names), replaying
   * what it missed after `Last-Event-ID` (header, else the `lastEventId` query parameter) and following
   * live. 204 when the reader has everything of an ended stream; 400 for a cursor of another stream or a
   * malformed one; 404 for an unknown or expired stream.
   */
  async attach(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    streamId?: string,
  ): Promise<void> {
    const lastEventId = lastEventIdRequest(req.headers['last-event-id'], req.url, CURSOR_PARAMS);
    let plan: Plan;
    try {
      plan = await this.#plan(streamId, lastEventId);
    } catch (error) {
      refuseNode(res, error);
      return;
    }
    if (plan.kind === 'no-content') {
      (res as ServerResponse).writeHead(204, { 'cache-control': 'no-store' });
      res.end();
      return;
    }
    plan.deliver(openStream(req, res, this.#readerOptions()));
  }

  /** Fetch face (Hono, Deno, Bun, Workers): {@link start} answering with a `Response`. */
  async startResponse(request: Request, producer: Producer): Promise<Response> {
    let id: string;
    try {
      id = await this.begin(producer, this.#clientKey(request));
    } catch (error) {
      return refuseFetch(error);
    }
    return sseResponse(
      request,
      (reader) => {
        const live = this.#live.get(id);
        if (live === undefined) reader.close();
        else live.follow(reader, -1);
      },
      this.#readerOptions({ [STREAM_ID_HEADER]: id }),
    );
  }

  /** Fetch face: {@link attach} answering with a `Response`. */
  async attachResponse(request: Request, streamId?: string): Promise<Response> {
    const lastEventId = lastEventIdRequest(request.headers.get('last-event-id'), request.url, CURSOR_PARAMS);
    let plan: Plan;
    try {
      plan = await this.#plan(streamId, lastEventId);
    } catch (error) {
      return refuseFetch(error);
    }
    if (plan.kind === 'no-content')
      return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
    return sseResponse(request, (reader) => plan.deliver(reader), this.#readerOptions());
  }

  /**
   * Stops the producer of `streamId` (its `signal` aborts, which should abort its upstream request); the
   * stream ends with `done` `{"reason":"cancelled"}`. Resolves false when this process is not producing it.
   */
  async cancel(streamId: string): Promise<boolean> {
    const live = this.#live.get(streamId);
    if (live === undefined || live.ending) return false;
    await this.#stop(live, new CancelSignal(), doneEvent('cancelled'));
    return true;
  }

  /**
   * Shuts down: refuses new streams (503), stops every producer and ends its stream with `interrupted`
   * `{"reason":"shutdown"}` after every stored event, closes the readers, then closes the store. Call it
   * before stopping the HTTP server, so readers receive the terminal event.
   */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      [...this.#running].map((live) => this.#stop(live, new ShutdownSignal(), interruptedEvent('shutdown'))),
    );
    clearInterval(this.#leaseTimer);
    this.#leaseTimer = undefined;
    await this.#store.close();
  }

  /** Shared stores: keeps renewing the leases of this process's running streams while there are some. */
  #renewLeases(): void {
    if (!this.#store.shared || this.#leaseTimer !== undefined) return;
    this.#leaseTimer = setInterval(() => {
      if (this.#running.size === 0) {
        clearInterval(this.#leaseTimer);
        this.#leaseTimer = undefined;
        return;
      }
      const ids = [...this.#running].map((live) => live.id);
      Promise.resolve(this.#store.renew?.(ids, this.#leaseMs)).catch((error: unknown) =>
        this.#onError(error, ids[0] ?? ''),
      );
    }, this.#leaseMs / 3);
    (this.#leaseTimer as { unref?: () => void }).unref?.();
  }

  #readerOptions(headers?: Record<string, string>): StreamOptions {
    if (headers === undefined) return this.#streamOptions;
    return { ...this.#streamOptions, headers: { ...this.#streamOptions.headers, ...headers } };
  }

  async #plan(streamId: string | undefined, lastEventId: LastEventIdRequest): Promise<Plan> {
    const cursor = resolveCursor(streamId, lastEventId);
    const live = this.#live.get(cursor.streamId);
    if (live !== undefined) {
      if (cursor.seq > live.lastSeq) throw beyondEnd(cursor);
      if (live.endedAt !== undefined && cursor.seq >= live.lastSeq) return { kind: 'no-content' };
      return { kind: 'stream', deliver: (reader) => live.follow(reader, cursor.seq) };
    }
    return this.#remotePlan(cursor);
  }

  /**
   * An attach to a stream this process does not produce. Ended: replay from the store. Running in a shared
   * store with a live lease: replay, then follow the store's live events. Running otherwise: its producer
   * was lost (restart, dead node), so it is ended here with `interrupted` `{"reason":"lost"}` through the
   * store's compare-and-set (two racing attaches store one terminal event), then replayed.
   */
  async #remotePlan(cursor: StreamCursor): Promise<Plan> {
    const store = this.#store;
    for (;;) {
      // Listen before reading, so an event stored between the read and the listening is not missed.
      const follower = store.shared ? await RemoteFollower.listen(store, cursor) : undefined;
      let stored: StoredStream | undefined;
      try {
        stored = await store.read(cursor.streamId, cursor.seq);
        if (stored === undefined) throw new UnknownStreamError(cursor.streamId);
        if (cursor.seq > stored.lastSeq) throw beyondEnd(cursor);
      } catch (error) {
        follower?.stop();
        throw error;
      }
      if (stored.endedAt !== undefined) {
        follower?.stop();
        if (stored.endedAt < this.#now() - this.#retentionMs) throw new UnknownStreamError(cursor.streamId);
        if (stored.frames.length === 0) return { kind: 'no-content' };
        const frames = stored.frames;
        return {
          kind: 'stream',
          deliver: (reader) => {
            for (const frame of frames) reader.writeUnbounded(frame);
            reader.close();
          },
        };
      }
      if (follower !== undefined && (await store.produced?.(cursor.streamId))) {
        const from = stored;
        return {
          kind: 'stream',
          deliver: (reader) => follower.deliver(reader, from, () => this.#watch(cursor)),
        };
      }
      follower?.stop();
      await this.#interruptLost(cursor.streamId, stored.lastSeq + 1);
    }
  }

  /** Ends a stream whose producer was lost with `interrupted` at `seq` (a no-op when another got there first). */
  async #interruptLost(streamId: string, seq: number): Promise<void> {
    const frame = encodeTerminal(streamId, seq, interruptedEvent('lost'));
    await this.#store.append(streamId, seq, frame, this.#now());
  }

  /** A remote follower's watchdog: ends the stream as lost once no process holds its lease. */
  #watch(cursor: StreamCursor): () => void {
    const timer = setInterval(async () => {
      try {
        if (await this.#store.produced?.(cursor.streamId)) return;
        const stored = await this.#store.read(cursor.streamId, Number.MAX_SAFE_INTEGER);
        if (stored !== undefined && stored.endedAt === undefined) {
          await this.#interruptLost(cursor.streamId, stored.lastSeq + 1);
        }
      } catch (error) {
        this.#onError(error, cursor.streamId);
      }
    }, this.#leaseMs);
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  async #run(live: LiveStream, producer: Producer): Promise<void> {
    const context: ProducerContext = {
      streamId: live.id,
      signal: live.controller.signal,
      send: (event) => this.#emit(live, event),
    };
    let terminal: TerminalEvent;
    try {
      const source = typeof producer === 'function' ? producer(context) : producer;
      if (source !== undefined && source !== null && Symbol.asyncIterator in source) {
        for await (const event of source) {
          if (live.ending) break;
          await this.#emit(live, event);
        }
      } else {
        await source;
      }
      terminal = doneEvent('complete');
    } catch (error) {
      if (live.ending) return;
      if (!(error instanceof StreamTooLargeError)) this.#onError(error, live.id);
      terminal =
        error instanceof ProducerError
          ? errorEvent(error.code, error.message)
          : errorEvent(ProducerError.code, this.#errorMessage(error));
      live.controller.abort(error);
    }
    if (live.ending) return;
    live.ending = true;
    await this.#end(live, terminal);
  }

  /** Stores one producer event, then delivers it; serialised per stream so ids follow call order. */
  #emit(live: LiveStream, event: ResumableEvent): Promise<void> {
    const next = live.tail.then(async () => {
      if (live.ending) throw live.controller.signal.reason ?? new Error(`Stream ${live.id} has ended`);
      if (isTerminalEvent(event.event)) {
        throw new TypeError(`A producer may not send "${event.event}": the registry sends terminal events`);
      }
      const seq = live.lastSeq + 1;
      const frame = preEncode({
        id: streamEventId(live.id, seq),
        event: event.event,
        data: event.data,
      }).bytes;
      if (live.bytes + frame.byteLength > this.#maxStreamBytes) {
        throw new StreamTooLargeError(this.#maxStreamBytes);
      }
      if (!(await this.#store.append(live.id, seq, frame))) {
        throw new Error(`The store refused event ${seq} of stream ${live.id} (ended elsewhere)`);
      }
      live.push(frame);
    });
    live.tail = next.catch(() => undefined);
    return next;
  }

  /** Ends a running stream now with `terminal`, aborting its producer with `reason`. */
  async #stop(live: LiveStream, reason: Error, terminal: TerminalEvent): Promise<void> {
    if (live.ending) return;
    live.ending = true;
    live.controller.abort(reason);
    await this.#end(live, terminal);
  }

  /** Stores and delivers the terminal event after every event already on its way. */
  async #end(live: LiveStream, terminal: TerminalEvent): Promise<void> {
    const done = live.tail.then(async () => {
      const seq = live.lastSeq + 1;
      const frame = encodeTerminal(live.id, seq, terminal);
      const endedAt = this.#now();
      try {
        await this.#store.append(live.id, seq, frame, endedAt);
      } catch (error) {
        // Readers attached now still learn how it ended; a later attach reads the store's version.
        this.#onError(error, live.id);
      }
      live.push(frame, endedAt);
      this.#running.delete(live);
    });
    live.tail = done.catch(() => undefined);
    await live.tail;
  }

  /** Forgets local streams past retention, then the oldest ended ones beyond `maxStreams - 1`. */
  #forgetLocal(now: number): void {
    for (const [id, live] of this.#live) {
      if (live.endedAt !== undefined && live.endedAt < now - this.#retentionMs) this.#live.delete(id);
    }
    for (const [id, live] of this.#live) {
      if (this.#live.size < this.#maxStreams) break;
      if (live.endedAt !== undefined) this.#live.delete(id);
    }
  }
}

function encodeTerminal(streamId: string, seq: number, terminal: TerminalEvent): Uint8Array {
  return preEncode({ id: streamEventId(streamId, seq), event: terminal.event, data: terminal.data }).bytes;
}

/** Where an attach starts: the stream named by the path or by `Last-Event-ID`, after the id's seq (or -1). */
function resolveCursor(streamId: string | undefined, request: LastEventIdRequest): StreamCursor {
  if (request.sent) {
    const lastEventId = request.lastEventId;
    if (lastEventId === undefined) {
      throw new InvalidStreamCursorError(
        'Malformed "lastEventId": the Last-Event-ID header or lastEventId query parameter is too long, ' +
          'holds control characters, or is not valid percent-encoding',
      );
    }
    const cursor = parseStreamEventId(lastEventId);
    if (cursor === undefined) {
      throw new InvalidStreamCursorError(`Last-Event-ID "${lastEventId}" is not a "<stream>:<seq>" event id`);
    }
    if (streamId !== undefined && cursor.streamId !== streamId) {
      throw new InvalidStreamCursorError(
        `Last-Event-ID "${lastEventId}" belongs to another stream than ${streamId}`,
      );
    }
    return cursor;
  }
  if (streamId === undefined || !isStreamId(streamId)) {
    throw new InvalidStreamCursorError(
      streamId === undefined
        ? 'Name the stream: a stream id, or a Last-Event-ID "<stream>:<seq>"'
        : 'A stream id is 1 to 64 letters, digits, "_" or "-"',
    );
  }
  return { streamId, seq: -1 };
}

function beyondEnd(cursor: StreamCursor): InvalidStreamCursorError {
  return new InvalidStreamCursorError(
    `Last-Event-ID "${streamEventId(cursor.streamId, cursor.seq)}" names an event that stream has not sent`,
  );
}
