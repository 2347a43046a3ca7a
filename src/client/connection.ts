import {
  EventStreamParser,
  EventTooLargeError,
  MAX_TIMER_MS,
  type ReceivedEvent,
} from '../protocol/index.js';
import { reconnectDelay } from './backoff.js';
import {
  SseContentTypeError,
  SseError,
  SseEventTooLargeError,
  SseHttpError,
  SseNetworkError,
  SseRequestError,
  SseStalledError,
} from './errors.js';
import { lastEventIdHeader } from './last-event-id-header.js';
import { isEventStreamType } from './mime.js';
import {
  type ClientOptions,
  type ConnectionContext,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './options.js';
import { refusalReason } from './refusal-reason.js';
import { parseRetryAfter } from './retry-after.js';

/** Why a {@link Connection} stopped for good. */
export type ClientCloseReason =
  /** `close()` was called or the `signal` aborted. */
  | { kind: 'closed' }
  /** The server answered 204 No Content: "stop reconnecting" (https://html.spec.whatwg.org/multipage/server-sent-events.html#server-sent-events-intro). */
  | { kind: 'no-content'; response: Response }
  /** The stream ended cleanly and `reconnectOnEnd` is false. */
  | { kind: 'ended' }
  /** An error that `shouldRetry` declined to retry ("fail the connection", https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model). */
  | { kind: 'failed'; error: SseError };

/** What a face (EventSource class, async iterator) hears from the engine. */
export interface ConnectionListener {
  /** A 200 `text/event-stream` response arrived: "announce the connection". `origin` is the final URL's. */
  onOpen(response: Response, origin: string): void;
  /** One dispatched event, with the persisted last event id (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */
  onEvent(event: ReceivedEvent, origin: string): void;
  /** A connection ended and another is scheduled (the face sets CONNECTING and fires `error`). */
  onReconnect(error: SseError | undefined, delay: number): void;
  /** Terminal; called exactly once. */
  onClose(reason: ClientCloseReason): void;
  /** Awaited after each chunk is parsed, so a slow consumer pauses reading instead of queueing events. */
  drain?(): Promise<void> | undefined;
}

type Outcome =
  | { kind: 'end'; healthy: boolean }
  | { kind: 'error'; error: SseError; healthy: boolean }
  | { kind: 'stop'; reason: ClientCloseReason };

/**
 * The engine behind both faces: one logical event-source connection that fetches, validates, parses and
 * re-connects until it fails or is closed (https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface, https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model, plus backoff, status awareness, stall
 * detection). Never touches `window` or `document`, so it runs in Node, browsers and workers, and it
 * ignores page visibility: a hidden tab keeps its stream.
 */
export class Connection {
  readonly url: string;
  #options: ResolvedClientOptions;
  #listener: ConnectionListener;
  #parser: EventStreamParser;
  #fetch: typeof fetch;
  #reconnectionTime: number;
  #closed = false;
  #current: AbortController | undefined;
  #wake: (() => void) | undefined;
  #response: Response | undefined;
  #origin: string;
  #attempt = 0;
  #failures = 0;
  #onAbort = () => this.close();

  /** Throws {@link SseOptionError} for an option that cannot work (see `resolveClientOptions`). */
  constructor(url: string, given: ClientOptions, listener: ConnectionListener) {
    const options = resolveClientOptions(given);
    this.url = url;
    this.#options = options;
    this.#listener = listener;
    this.#fetch = options.fetch;
    this.#reconnectionTime = options.reconnectionTime;
    const minReconnectionTime = options.minReconnectionTime;
    this.#origin = new URL(url).origin;
    this.#parser = new EventStreamParser({
      lastEventId: options.lastEventId,
      maxEventSize: options.maxEventSize,
      // The spec applies `retry:` when the field is read, not at dispatch. The floor keeps a hostile or
      // injected `retry: 0` (docs/security.md#field-injection, docs/security.md#limits) from turning each clean end into an instant reconnect;
      // waiting longer than the reconnection time is allowed ("optionally, wait some more", https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model).
      onRetry: (ms) => {
        this.#reconnectionTime = Math.max(ms, minReconnectionTime);
      },
      onEvent: (event) => {
        if (this.#closed) return;
        this.#options.cursor?.save(event.lastEventId);
        this.#listener.onEvent(event, this.#origin);
      },
    });
  }

  /** Starts connecting; call once. */
  start(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) {
      this.close();
      return;
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#run().catch((cause: unknown) => {
      // Only a throwing user hook (onReconnect, a listener) gets here; end cleanly instead of leaking.
      this.#finish({
        kind: 'failed',
        error: new SseError('An ssehub/client hook threw; the client stopped', { cause }),
      });
    });
  }

  /** The last event id string: what the next request sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#parser.lastEventId;
  }

  /** The current reconnection time in ms (the latest `retry:` or the default). */
  get reconnectionTime(): number {
    return this.#reconnectionTime;
  }

  /** The latest HTTP response (any status), e.g. to read a cursor header. */
  get response(): Response | undefined {
    return this.#response;
  }

  /** Whether the engine stopped for good. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops everything now: aborts the request, cancels any pending re-connection, dispatches nothing more. */
  close(): void {
    this.#finish({ kind: 'closed' });
  }

  #finish(reason: ClientCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#current?.abort();
    this.#wake?.();
    this.#listener.onClose(reason);
  }

  #context(): ConnectionContext {
    return { url: this.url, lastEventId: this.lastEventId, attempt: this.#attempt, failures: this.#failures };
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const outcome = await this.#connectOnce();
      this.#attempt++;
      if (this.#closed) return;
      if (outcome.kind === 'stop') {
        this.#finish(outcome.reason);
        return;
      }
      this.#failures = outcome.healthy ? 0 : this.#failures + 1;
      let error: SseError | undefined;
      if (outcome.kind === 'end') {
        if (this.#options.reconnectOnEnd === false) {
          this.#finish({ kind: 'ended' });
          return;
        }
      } else {
        error = outcome.error;
        let retry: boolean;
        try {
          retry = await this.#options.shouldRetry(error, this.#context());
        } catch (hookError) {
          retry = false;
          error.cause ??= hookError;
        }
        if (this.#closed) return;
        if (!retry) {
          this.#finish({ kind: 'failed', error });
          return;
        }
      }
      const retryAfter = error instanceof SseHttpError ? error.retryAfter : undefined;
      const backoff = reconnectDelay({
        reconnectionTime: this.#reconnectionTime,
        failures: this.#failures,
        maxDelay: this.#options.maxReconnectDelay,
        random: this.#options.random,
        lostToError: error !== undefined,
      });
      // Retry-After is a minimum wait (RFC 9110 §10.2.3), not a replacement for the backoff: a server
      // answering `503 Retry-After: 0` over and over must not get a reconnect loop with no delay.
      const delay = retryAfter === undefined ? backoff : Math.max(retryAfter, backoff);
      this.#options.onReconnect?.({ error, delay, failures: this.#failures });
      this.#listener.onReconnect(error, delay);
      if (this.#closed) return;
      await this.#sleep(delay);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Timers overflow past 2^31 - 1 ms and then fire at once (Node: after 1 ms, browsers: 0): a server's
      // `retry: 9999999999` would otherwise mean "reconnect immediately", forever.
      const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  async #headers(): Promise<Headers> {
    const option = this.#options.headers;
    const given = typeof option === 'function' ? await option(this.#context()) : option;
    const headers = new Headers(this.#options.requestInit?.headers);
    for (const [name, value] of new Headers(given)) headers.set(name, value);
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    // Sent as UTF-8 when non-empty, omitted when empty (WPT format-field-id-3 "resets") or when fetch
    // cannot carry it exactly: a request that can never be sent must not stop reconnection.
    const value = lastEventIdHeader(this.lastEventId);
    if (value === undefined) headers.delete('last-event-id');
    else headers.set('last-event-id', value);
    return headers;
  }

  async #connectOnce(): Promise<Outcome> {
    const controller = new AbortController();
    this.#current = controller;
    const timeout = this.#options.heartbeatTimeout;
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    const armStall = () => {
      clearTimeout(stallTimer);
      if (timeout > 0) stallTimer = setTimeout(() => controller.abort(new SseStalledError(timeout)), timeout);
    };
    const disarmStall = () => clearTimeout(stallTimer);
    let opened = false;
    let healthy = false;
    this.#parser.reset();
    try {
      let headers: Headers;
      try {
        headers = await this.#headers();
      } catch (error) {
        return { kind: 'error', error: new SseRequestError(this.url, error), healthy: false };
      }
      if (this.#closed) return { kind: 'stop', reason: { kind: 'closed' } };
      armStall();
      const target = this.#target();
      const response = await this.#fetch(target.url, {
        ...this.#options.requestInit,
        method: target.method,
        headers,
        body: target.body,
        credentials: this.#options.credentials,
        cache: 'no-store',
        redirect: 'follow',
        signal: controller.signal,
      });
      this.#response = response;
      this.#options.onResponse?.(response);
      const finalUrl = response.url || target.url;
      if (response.status !== 200 || !isEventStreamType(response.headers.get('content-type'))) {
        // Awaited here, inside the try: the finally below aborts the request, which would cut the body off.
        return await this.#refusal(response, finalUrl);
      }
      if (this.#closed) return { kind: 'stop', reason: { kind: 'closed' } };
      this.#origin = new URL(finalUrl).origin;
      opened = true;
      this.#listener.onOpen(response, this.#origin);
      if (!response.body) return { kind: 'end', healthy };
      const reader = response.body.getReader();
      try {
        for (;;) {
          if (this.#closed) return { kind: 'stop', reason: { kind: 'closed' } };
          armStall();
          const { done, value } = await reader.read();
          disarmStall();
          if (done) {
            this.#parser.end();
            return { kind: 'end', healthy };
          }
          if (value.byteLength > 0) healthy = true;
          this.#parser.feed(value);
          const wait = this.#listener.drain?.();
          if (wait) await wait;
        }
      } finally {
        reader.cancel().catch(() => undefined);
      }
    } catch (error) {
      if (this.#closed) return { kind: 'stop', reason: { kind: 'closed' } };
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof SseStalledError) {
        return { kind: 'error', error: reason, healthy };
      }
      if (error instanceof EventTooLargeError) {
        return { kind: 'error', error: new SseEventTooLargeError(error.limit, this.url, error), healthy };
      }
      return { kind: 'error', error: new SseNetworkError(this.url, error), healthy: healthy && opened };
    } finally {
      disarmStall();
      this.#current = undefined;
      controller.abort();
    }
  }

  /**
   * What this attempt requests: the stream's own request, or, for a resumable stream with a last event id,
   * a GET to `resumeUrl` (the first request, e.g. a POSTed prompt, must not be sent twice).
   */
  #target(): { url: string; method: string; body: BodyInit | null } {
    const resume = this.#options.resumeUrl;
    const id = this.lastEventId;
    if (resume !== undefined && id !== '') {
      const url = typeof resume === 'function' ? resume(id) : resume;
      if (url !== undefined) return { url: new URL(url, this.url).href, method: 'GET', body: null };
    }
    return { url: this.url, method: this.#options.method, body: this.#options.body };
  }

  async #refusal(response: Response, finalUrl: string): Promise<Outcome> {
    if (response.status === 204) {
      await response.body?.cancel().catch(() => undefined);
      this.#options.cursor?.clear();
      return { kind: 'stop', reason: { kind: 'no-content', response } };
    }
    if (response.status === 200) {
      await response.body?.cancel().catch(() => undefined);
      const type = response.headers.get('content-type') ?? '';
      return {
        kind: 'error',
        error: new SseContentTypeError(response.status, type, finalUrl),
        healthy: false,
      };
    }
    const retryAfter =
      response.status === 429 || response.status === 503
        ? parseRetryAfter(response.headers.get('retry-after'), this.#options.maxRetryAfter)
        : undefined;
    // The server's reason goes into the error, so a client sees "Token expired at ..." rather than a bare 401.
    const reason = await refusalReason(response);
    const error = new SseHttpError(
      response.status,
      response.statusText,
      finalUrl,
      response.headers,
      retryAfter,
      reason,
    );
    return { kind: 'error', error, healthy: false };
  }
}
