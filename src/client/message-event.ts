/** The fields of a MessageEvent that an event source dispatches (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation step 4). */
export interface SseMessageInit {
  data: string;
  origin: string;
  lastEventId: string;
}

/**
 * A minimal MessageEvent for runtimes that lack the global (Node has had it since 15, browsers and
 * workers always): the same read-only `data`, `origin`, `lastEventId`, `source` and `ports`.
 */
class FallbackMessageEvent extends Event {
  readonly data: string;
  readonly origin: string;
  readonly lastEventId: string;
  readonly source = null;
  readonly ports: readonly MessagePort[] = [];
  constructor(type: string, init: SseMessageInit) {
    super(type);
    this.data = init.data;
    this.origin = init.origin;
    this.lastEventId = init.lastEventId;
  }
}

/** Creates the `MessageEvent` for one dispatched event, using the runtime's class when there is one. */
export function createMessageEvent(type: string, init: SseMessageInit): MessageEvent<string> {
  const Native: typeof MessageEvent | undefined = globalThis.MessageEvent;
  if (Native) return new Native(type, init);
  return new FallbackMessageEvent(type, init) as unknown as MessageEvent<string>;
}
