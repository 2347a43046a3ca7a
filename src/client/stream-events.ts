import type { ReceivedEvent } from '../protocol/index.js';
import { type ClientCloseReason, Connection } from './connection.js';
import type { SseError } from './errors.js';
import type { ClientOptions } from './options.js';
import { resolveUrl } from './url.js';

/** One event yielded by {@link streamEvents}: the parser's event plus the origin of the final URL. */
export interface StreamedEvent extends ReceivedEvent {
  /** Origin of the URL that served the event, after redirects (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation step 4). */
  origin: string;
}

/** The async iterable returned by {@link streamEvents}, with the state a resuming caller needs. */
export interface EventStream extends AsyncIterable<StreamedEvent> {
  /** The last event id string: save it to resume later with the `lastEventId` option. */
  readonly lastEventId: string;
  /** The latest HTTP response (status, headers such as `Mercure-Last-Event-ID`), once one arrived. */
  readonly response: Response | undefined;
  /** Ends the iteration: the pending `next()` resolves done and the request is aborted. */
  close(): void;
}

/**
 * Streams events from `url` as an async iterable. It connects when iteration starts, re-connects as the
 * spec and `options` say, and ends cleanly on `break`, `close()` or `options.signal`; a 204 or (with
 * `reconnectOnEnd: false`) a clean end also ends it. An error that is not retried is thrown from the loop.
 * Reading pauses while the loop body runs, so a slow consumer holds at most one chunk's events.
 */
export function streamEvents(url: string | URL, options: ClientOptions = {}): EventStream {
  const queue: StreamedEvent[] = [];
  let finished: ClientCloseReason | undefined;
  let failure: SseError | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeEngine: (() => void) | undefined;
  let iterating = false;

  const notifyReader = () => {
    const wake = wakeReader;
    wakeReader = undefined;
    wake?.();
  };
  const notifyEngine = () => {
    const wake = wakeEngine;
    wakeEngine = undefined;
    wake?.();
  };

  const connection = new Connection(resolveUrl(url), options, {
    onOpen: () => undefined,
    onEvent: (event, origin) => {
      queue.push({ type: event.type, data: event.data, lastEventId: event.lastEventId, origin });
      notifyReader();
    },
    onReconnect: () => undefined,
    onClose: (reason) => {
      finished = reason;
      if (reason.kind === 'failed') failure = reason.error;
      notifyReader();
      notifyEngine();
    },
    drain: () => {
      if (queue.length === 0 || finished) return undefined;
      return new Promise<void>((resolve) => {
        wakeEngine = resolve;
      });
    },
  });

  async function* iterate(): AsyncGenerator<StreamedEvent, void, undefined> {
    try {
      connection.start();
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (queue.length === 0) notifyEngine();
          yield next;
          continue;
        }
        if (finished) {
          if (failure) {
            const error = failure;
            failure = undefined;
            throw error;
          }
          return;
        }
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
        });
      }
    } finally {
      // `break`, `return()` or a throw in the loop body: stop the request and any re-connection.
      connection.close();
    }
  }

  return {
    get lastEventId() {
      return connection.lastEventId;
    },
    get response() {
      return connection.response;
    },
    close() {
      queue.length = 0;
      connection.close();
    },
    [Symbol.asyncIterator]() {
      if (iterating)
        throw new TypeError('This event stream is already being iterated; call streamEvents() again');
      iterating = true;
      return iterate();
    },
  };
}
