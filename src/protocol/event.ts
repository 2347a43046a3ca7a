/**
 * One event as a server writes it (input of the encoder). Every field is optional; an event with no field
 * at all encodes to the empty string.
 */
export interface SseEvent {
  /**
   * Payload. Any string: it is split on CRLF, CR and LF into one `data:` line per line, so each line end
   * arrives as LF (the format cannot carry a CR in a value).
   */
  data?: string;
  /** Event type (`event:` field). Must not contain CR, LF or NUL. */
  event?: string;
  /** Event id (`id:` field). Must not contain CR, LF or NUL. */
  id?: string;
  /** Reconnection time in milliseconds (`retry:` field). A non-negative integer. */
  retry?: number;
  /** Comment text, written before the fields; multi-line text becomes several comment lines. */
  comment?: string;
}

/**
 * One event as a client receives it: what the WHATWG dispatch step (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation) produces.
 */
export interface ReceivedEvent {
  /** The event type; `message` when the stream set none. */
  type: string;
  /** The data buffer with its final LF removed. */
  data: string;
  /** The last event id string at dispatch time (persists across events, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation step 1). */
  lastEventId: string;
}
