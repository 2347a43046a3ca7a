/**
 * Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): either delay-seconds or an HTTP date.
 * Returns milliseconds, capped at `max`, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null,
  max: number,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^[0-9]+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    // An HTTP date always has a day or month name; this keeps Date.parse from reading "-5" as a year.
    if (!/[a-z]/i.test(trimmed)) return undefined;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, ms), max);
}
