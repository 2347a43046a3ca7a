/** Longest Last-Event-ID we accept; ids are cursors, not payloads (sse-rules §1.7, §3.1 rule 5). */
export const MAX_LAST_EVENT_ID_LENGTH = 1024;

/** Whether `value` holds a C0 control or DEL: never part of an id a sane server sends. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Validates a client-supplied Last-Event-ID. It is hostile input (sse-rules §3.1 rule 5): values longer
 * than {@link MAX_LAST_EVENT_ID_LENGTH} or holding control characters are treated as absent, so they can
 * never be reflected into an `id:` field or a history lookup.
 */
export function validLastEventId(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value.length > MAX_LAST_EVENT_ID_LENGTH || hasControl(value)) return undefined;
  return value;
}

/**
 * Reads Last-Event-ID: the header when present (what EventSource sends on reconnect, HTML §9.2.3),
 * otherwise the query parameter `param` (for a first connection from a client that cannot set headers).
 */
export function readLastEventId(
  header: string | string[] | undefined | null,
  url: string | undefined,
  param: string | false,
): string | undefined {
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined && fromHeader !== null && fromHeader !== '')
    return validLastEventId(fromHeader);
  if (param === false || url === undefined) return undefined;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return validLastEventId(new URLSearchParams(url.slice(q + 1)).get(param));
}
