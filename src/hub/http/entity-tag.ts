/**
 * The subscriptions API's validator: an entity tag made from the hub's last event id (RFC 9110 §8.8.3),
 * and the `If-None-Match` test against it (RFC 9110 §13.1.2).
 */
import { encodeHeaderText } from '../../server/index.js';

/**
 * The strong entity tag for `lastEventId`: `"…"` holding the id with `%`, `"`, space and control
 * characters percent-encoded (none of them may stand in an entity tag, and encoding `%` too keeps two
 * different ids from ever sharing a tag), other characters as their UTF-8 bytes.
 */
export function entityTag(lastEventId: string): string {
  let tag = '';
  for (const c of lastEventId) {
    const code = c.charCodeAt(0);
    const unsafe = c === '%' || c === '"' || code <= 0x20 || code === 0x7f;
    tag += unsafe ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return `"${encodeHeaderText(tag)}"`;
}

/**
 * Whether an `If-None-Match` field value matches `etag` by weak comparison (RFC 9110 §13.1.2): `*`, or a
 * comma-separated list holding `etag` with or without `W/`. A lone unquoted value equal to the tag's
 * content is accepted too, as clients that drop the quotes send it.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  if (value === etag.slice(1, -1)) return true;
  for (const match of value.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (match[1] === etag) return true;
  }
  return false;
}
