/**
 * The `Last-Event-ID` request header a client sends on reconnection (WHATWG HTML,
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model: the last event ID
 * string "encoded as UTF-8"). The id comes from the server, and the format lets it hold characters a
 * fetch request cannot carry in a header value: C0 controls other than TAB and DEL (undici refuses the
 * request, so a client that kept sending them would never reconnect) and leading or trailing spaces and
 * tabs (fetch strips them, which would send another id). Such an id is not sent at all: the server sees
 * a reconnection without a last event id, never a different one, and the connection is re-established.
 */

const utf8 = new TextEncoder();

/** Whether fetch can carry `id` exactly as a header value (RFC 9110 §5.5 field-value, as undici checks it). */
export function isSendableLastEventId(id: string): boolean {
  if (/^[ \t]|[ \t]$/.test(id)) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
    // A lone surrogate has no UTF-8 form: TextEncoder would send U+FFFD, another id.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = id.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * The header value for the last event id `id`: its UTF-8 bytes as a byte string (fetch header values
 * are one character per byte), or undefined when the header must be omitted: `id` is empty (HTML:
 * nothing is sent then) or cannot be sent exactly ({@link isSendableLastEventId}).
 */
export function lastEventIdHeader(id: string): string | undefined {
  if (id === '' || !isSendableLastEventId(id)) return undefined;
  let out = '';
  for (const byte of utf8.encode(id)) out += String.fromCharCode(byte);
  return out;
}
