import { InvalidFieldError } from './errors.js';
import type { SseEvent } from './event.js';

/** CR, LF or NUL: any of them inside `event` or `id` would end the field early (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */
const FORBIDDEN_IN_FIELD = /[\r\n\0]/;
const LINE_BREAK = /\r\n|\r|\n/;
const utf8 = new TextEncoder();

function checkField(field: 'event' | 'id', value: string): void {
  if (FORBIDDEN_IN_FIELD.test(value)) {
    throw new InvalidFieldError(
      field,
      'it must not contain CR, LF or NUL, which would forge new fields or events',
    );
  }
}

/** Any CR, with the LF that may follow it: both line ends the parser accepts besides LF (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream). */
const CR_LINE_END = /\r\n?/g;

/**
 * Writes `prefix` before every line of `text`, splitting on CRLF, CR and LF so no input can end a
 * field early: this is what makes `data` injection-proof (docs/security.md#field-injection). Every line end becomes LF, which
 * is how the parser would report it anyway: the format has no way to carry a CR inside a value.
 */
function prefixLines(prefix: string, text: string): string {
  const lines = text.indexOf('\r') === -1 ? text : text.replace(CR_LINE_END, '\n');
  if (lines.indexOf('\n') === -1) return `${prefix}${lines}\n`;
  return `${prefix}${lines.replaceAll('\n', `\n${prefix}`)}\n`;
}

/**
 * Comment lines for `text` (keep-alives, https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes): `: ` then the line, which parsers ignore (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation,
 * "starts with a colon"). Split on CRLF, CR and LF so a comment cannot inject a field (docs/security.md#field-injection).
 */
export function encodeComment(text = ''): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += line === '' ? ':\n' : `: ${line}\n`;
  return out;
}

/**
 * Serialises one event to wire text (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream), ending with the blank line that dispatches it; fields in
 * the order comment, `event`, `id`, `retry`, `data`. Throws {@link InvalidFieldError} when `event` or `id`
 * holds CR, LF or NUL, or `retry` is not a non-negative safe integer (docs/security.md#field-injection). A value that starts
 * with a space keeps it: we always write `field: value`, and the parser removes exactly the one space we
 * added. A comment-only event gets no blank line, so it dispatches nothing.
 */
export function encodeEvent(event: SseEvent): string {
  let out = '';
  if (event.comment !== undefined) out += encodeComment(event.comment);
  if (event.event !== undefined) {
    checkField('event', event.event);
    out += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    checkField('id', event.id);
    out += `id: ${event.id}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new InvalidFieldError(
        'retry',
        `expected a non-negative integer of milliseconds, got ${event.retry}`,
      );
    }
    out += `retry: ${event.retry}\n`;
  }
  if (event.data !== undefined) out += prefixLines('data: ', event.data);
  // Only a comment: no blank line, so it cannot dispatch anything on its own.
  if (
    event.event === undefined &&
    event.id === undefined &&
    event.retry === undefined &&
    event.data === undefined
  ) {
    return out;
  }
  return `${out}\n`;
}

/** Serialises one event to UTF-8 bytes. See {@link encodeEvent} for the rules it enforces. */
export function encodeEventBytes(event: SseEvent): Uint8Array {
  return utf8.encode(encodeEvent(event));
}

/**
 * An event serialised once, for writing the same bytes to many connections (the broadcast path).
 * Immutable: `bytes` must not be modified by writers.
 */
export interface EncodedEvent {
  /** The event it was made from (fields as given). */
  readonly event: Readonly<SseEvent>;
  /** The wire text. */
  readonly text: string;
  /** The wire text as UTF-8. */
  readonly bytes: Uint8Array;
}

/** Serialises `event` once; reuse the result for every connection that should receive it. */
export function preEncode(event: SseEvent): EncodedEvent {
  const text = encodeEvent(event);
  return Object.freeze({ event: Object.freeze({ ...event }), text, bytes: utf8.encode(text) });
}
