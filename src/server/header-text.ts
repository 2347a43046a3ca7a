/**
 * Text in HTTP header values. On the wire a field value is bytes (RFC 9110 §5.5); Node's `http` and
 * `http2` and the Fetch `Headers` class all hand it over as a "byte string", one character per byte
 * (U+0000-U+00FF). Browsers send a non-ASCII Last-Event-ID as its UTF-8 bytes (WHATWG HTML,
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model: the header value is
 * the last event ID "encoded as UTF-8"), so those bytes must be decoded before the id is compared with the
 * ids a server sent. This file is the one place that does it, for every face (node:http, node:http2,
 * Fetch) and for the hub.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a header value received as a byte string. Valid UTF-8 bytes give the text they encode
 * (`cafÃ©` → `café`). A value that is not valid UTF-8 is kept as it is (each byte one character): that is
 * what a `fetch()`-based client sends for a character in U+0080-U+00FF, since Fetch transmits such a
 * character as a single byte. A value that already holds characters above U+00FF (a runtime that decoded
 * it itself) is returned unchanged.
 */
export function decodeHeaderText(value: string): string {
  let nonAscii = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) return value;
    if (c > 0x7f) nonAscii = true;
  }
  if (!nonAscii) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  try {
    return utf8.decode(bytes);
  } catch {
    return value;
  }
}

/**
 * The inverse, for a response header: the UTF-8 bytes of `value` as a byte string, which Node and Fetch
 * write one byte per character. Without it a character above U+00FF makes Node throw
 * (`ERR_INVALID_CHAR`, a 500) and Fetch `Headers` throw a `TypeError`. ASCII is returned unchanged.
 */
export function encodeHeaderText(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value;
  let out = '';
  for (const byte of utf8Encoder.encode(value)) out += String.fromCharCode(byte);
  return out;
}
