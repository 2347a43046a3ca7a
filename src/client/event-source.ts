import { type SettingsOf, settingShape } from '../protocol/index.js';
import { Connection } from './connection.js';
import { SseContentTypeError, type SseError, SseHttpError } from './errors.js';
import { createMessageEvent } from './message-event.js';
import type { ClientOptions } from './options.js';
import { resolveUrl } from './url.js';

/** The option {@link SseEventSource} adds to the client options (CLIENT_SETTINGS): the standard one; its prose is in options-help.ts. */
export const EVENT_SOURCE_SETTINGS = {
  withCredentials: settingShape<boolean>({ kind: 'boolean', default: false }),
};

/** Options of {@link SseEventSource}: the standard `withCredentials` plus every client option. */
export type SseEventSourceInit = ClientOptions & Partial<SettingsOf<typeof EVENT_SOURCE_SETTINGS>>;

/**
 * The `error` event: a plain `Event` for standard listeners (the processing model fires a simple event, https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model), carrying
 * what native EventSource hides: the error, and the HTTP status when there was one.
 */
export class SseErrorEvent extends Event {
  /** Why the connection ended; undefined when the stream simply ended or the server answered 204. */
  readonly error: SseError | undefined;
  /** HTTP status of the refusal (e.g. 401, 204), when there was one. */
  readonly status: number | undefined;
  /** A human-readable reason, `''` when there is no error. */
  readonly message: string;
  constructor(error: SseError | undefined, status?: number) {
    super('error');
    this.error = error;
    const answered = error instanceof SseHttpError || error instanceof SseContentTypeError;
    this.status = status ?? (answered ? error.status : undefined);
    this.message = error?.message ?? '';
  }
}

/** Event types of {@link SseEventSource}; any other name is a named event (a `MessageEvent`). */
export interface SseEventSourceEventMap {
  open: Event;
  message: MessageEvent<string>;
  error: SseErrorEvent;
}

type Handler<E extends Event> = ((this: SseEventSource, event: E) => unknown) | null;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * A drop-in `EventSource` (https://html.spec.whatwg.org/multipage/server-sent-events.html#server-sent-events) that runs in Node, browsers and workers, built on fetch. It keeps the
 * standard surface and processing model (CONNECTING/OPEN/CLOSED, `open`/`message`/`error` events,
 * MessageEvent with `data`, `origin` and the persisted `lastEventId`, `close()`) and adds, through
 * {@link SseEventSourceInit}: method, headers and body, a headers hook per connection, an initial last
 * event id, backoff with jitter, `Retry-After`, stall detection and an event size bound.
 *
 * One deliberate difference: 408, 429 and 5xx answers re-connect with backoff (state CONNECTING) instead
 * of closing for good, so a server that sheds load gets its clients back (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model). Use
 * `shouldRetry: () => false` for the strict behaviour.
 */
export class SseEventSource extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;
  declare readonly CONNECTING: typeof CONNECTING;
  declare readonly OPEN: typeof OPEN;
  declare readonly CLOSED: typeof CLOSED;

  /** The resolved URL every connection requests (the original one, even after redirects). */
  readonly url: string;
  /** Whether the credentials mode is `include`. */
  readonly withCredentials: boolean;
  #readyState: number = CONNECTING;
  #connection: Connection;
  #handlers = new Map<string, Handler<Event>>();

  constructor(url: string | URL, init: SseEventSourceInit = {}) {
    super();
    this.url = resolveUrl(url);
    // WebIDL converts the dictionary member to a boolean: no refusal here, unlike the other options.
    this.withCredentials = Boolean(init.withCredentials ?? EVENT_SOURCE_SETTINGS.withCredentials.default);
    const options: ClientOptions = this.withCredentials ? { ...init, credentials: 'include' } : init;
    this.#connection = new Connection(this.url, options, {
      onOpen: () => {
        if (this.#readyState === CLOSED) return;
        this.#readyState = OPEN;
        this.dispatchEvent(new Event('open'));
      },
      onEvent: (event, origin) => {
        if (this.#readyState === CLOSED) return;
        this.dispatchEvent(
          createMessageEvent(event.type, { data: event.data, origin, lastEventId: event.lastEventId }),
        );
      },
      onReconnect: (error) => {
        // "Reestablish the connection", step 1: CONNECTING, then fire error.
        if (this.#readyState === CLOSED) return;
        this.#readyState = CONNECTING;
        this.dispatchEvent(new SseErrorEvent(error));
      },
      onClose: (reason) => {
        if (this.#readyState === CLOSED) return;
        // "Fail the connection": CLOSED, then fire error. A user close() fires nothing.
        this.#readyState = CLOSED;
        if (reason.kind === 'failed') this.dispatchEvent(new SseErrorEvent(reason.error));
        else if (reason.kind === 'no-content') this.dispatchEvent(new SseErrorEvent(undefined, 204));
        else if (reason.kind === 'ended') this.dispatchEvent(new SseErrorEvent(undefined));
      },
    });
    this.#connection.start();
  }

  override addEventListener<K extends keyof SseEventSourceEventMap>(
    type: K,
    listener: (this: SseEventSource, event: SseEventSourceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: (this: SseEventSource, event: MessageEvent<string>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens for `open`, `message`, `error` or a named event (typed as MessageEvent). */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: never) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /** CONNECTING (0), OPEN (1) or CLOSED (2). */
  get readyState(): number {
    return this.#readyState;
  }

  /** The persisted last event id string (extension): save it to resume with the `lastEventId` option. */
  get lastEventId(): string {
    return this.#connection.lastEventId;
  }

  /** The latest HTTP response, any status (extension): e.g. `response.headers.get('Mercure-Last-Event-ID')`. */
  get response(): Response | undefined {
    return this.#connection.response;
  }

  /** The current reconnection time in ms (extension): the latest `retry:` or the default. */
  get reconnectionTime(): number {
    return this.#connection.reconnectionTime;
  }

  /** Aborts the request, cancels re-connection, sets CLOSED; no event is dispatched afterwards. */
  close(): void {
    this.#readyState = CLOSED;
    this.#connection.close();
  }

  get onopen(): Handler<Event> {
    return this.#handlers.get('open') ?? null;
  }
  set onopen(handler: Handler<Event>) {
    this.#setHandler('open', handler);
  }
  get onmessage(): Handler<MessageEvent<string>> {
    return (this.#handlers.get('message') as Handler<MessageEvent<string>> | undefined) ?? null;
  }
  set onmessage(handler: Handler<MessageEvent<string>>) {
    this.#setHandler('message', handler as Handler<Event>);
  }
  get onerror(): Handler<SseErrorEvent> {
    return (this.#handlers.get('error') as Handler<SseErrorEvent> | undefined) ?? null;
  }
  set onerror(handler: Handler<SseErrorEvent>) {
    this.#setHandler('error', handler as Handler<Event>);
  }

  /** Event handler attributes: one listener registered at first assignment, calling the current handler. */
  #setHandler(type: string, handler: Handler<Event>): void {
    const had = this.#handlers.has(type);
    this.#handlers.set(type, typeof handler === 'function' ? handler : null);
    if (!had) {
      this.addEventListener(type, (event: Event) => {
        const current = this.#handlers.get(type);
        if (current) current.call(this, event);
      });
    }
  }
}

for (const [name, value] of [
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSED', CLOSED],
] as const) {
  Object.defineProperty(SseEventSource.prototype, name, { value, enumerable: true });
}
