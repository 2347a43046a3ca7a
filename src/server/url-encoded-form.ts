import { SsehubError } from '../protocol/index.js';

/**
 * `application/x-www-form-urlencoded` parsing (WHATWG URL, https://url.spec.whatwg.org/#urlencoded-parsing)
 * that refuses what the standard parser silently keeps. `URLSearchParams` turns `%ZZ` into the three
 * characters `%ZZ` and an escape that is not UTF-8 (`%FF`) into U+FFFD, so a client's mistake becomes a
 * different topic, id or cursor than the one it meant. Query strings and form bodies go through here.
 */

/** A form or query string holding a malformed percent-escape; `field` names the parameter. */
export class MalformedFormError extends SsehubError {
  static readonly code = 'SSEHUB_MALFORMED_FORM';
  override readonly name = 'MalformedFormError';
  constructor(
    /** The parameter whose name or value is malformed (as written, undecoded). */
    readonly field: string,
    /** Why, for a person: which escape is wrong. */
    readonly reason: string,
  ) {
    super(
      MalformedFormError.code,
      `Malformed "${field}": ${reason}; percent-encode "%" as %25 and send UTF-8`,
    );
  }
}

const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/** Decodes one name or value; throws {@link MalformedFormError} for `field` when it is malformed. */
function decodePart(text: string, field: string): string {
  const plus = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plus.includes('%')) return plus;
  const bad = BAD_PERCENT.exec(plus);
  if (bad) {
    throw new MalformedFormError(
      field,
      `"${plus.slice(bad.index, bad.index + 3)}" at offset ${bad.index} is a "%" not followed by two hex digits`,
    );
  }
  try {
    return decodeURIComponent(plus);
  } catch {
    throw new MalformedFormError(field, 'its percent-escapes are not UTF-8');
  }
}

/**
 * Parses `text` (a form body, or a query string without its `?`) like `new URLSearchParams(text)`, but
 * throws {@link MalformedFormError} for a `%` not followed by two hex digits or escapes that do not
 * decode as UTF-8, in any name or value.
 */
export function parseUrlEncodedForm(text: string): URLSearchParams {
  const form = new URLSearchParams();
  if (text === '') return form;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decodePart(rawName, rawName);
    form.append(name, eq < 0 ? '' : decodePart(pair.slice(eq + 1), name));
  }
  return form;
}

/** The query string of a request target or absolute URL (`/a?b=c#d` → `b=c`), '' when it has none. */
export function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}
