import { hasControlCharacter } from './control-character.js';
import { decodeHeaderText } from './header-text.js';
import { MalformedFormError, parseUrlEncodedForm, queryOf } from './url-encoded-form.js';

/** Longest Last-Event-ID we accept; ids are cursors, not payloads. */
export const MAX_LAST_EVENT_ID_LENGTH = 1024;

/**
 * Validates a client-supplied Last-Event-ID. It is hostile input: values longer than
 * {@link MAX_LAST_EVENT_ID_LENGTH} or holding control characters are treated as absent, so they can never
 * be reflected into an `id:` field or a history lookup.
 */
export function validLastEventId(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value.length > MAX_LAST_EVENT_ID_LENGTH || hasControlCharacter(value)) return undefined;
  return value;
}

/** What a request says about its Last-Event-ID. */
export interface LastEventIdRequest {
  /** Whether the client sent one, in the header or a listed query parameter, even an unusable one. */
  readonly sent: boolean;
  /** The id, decoded and validated ({@link validLastEventId}); undefined when absent or unusable. */
  readonly lastEventId: string | undefined;
}

const NOT_SENT: LastEventIdRequest = Object.freeze({ sent: false, lastEventId: undefined });

/**
 * Reads a request's Last-Event-ID: the `Last-Event-ID` header when present and not empty (what
 * EventSource sends on reconnect, WHATWG HTML
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model), decoded from its
 * UTF-8 bytes ({@link decodeHeaderText}); otherwise the first of the query parameters `params`, in order,
 * that is present and not empty (for a first connection from a client that cannot set headers).
 *
 * `header` is the raw value as Node (`req.headers['last-event-id']`) or Fetch (`headers.get(…)`) gives it;
 * `url` the request target or absolute URL (`req.url`, `request.url`).
 */
export function lastEventIdRequest(
  header: string | readonly string[] | undefined | null,
  url: string | undefined,
  params: readonly string[],
): LastEventIdRequest {
  const fromHeader = typeof header === 'string' ? header : header?.[0];
  if (fromHeader !== undefined && fromHeader !== '') {
    return { sent: true, lastEventId: validLastEventId(decodeHeaderText(fromHeader)) };
  }
  if (params.length === 0 || url === undefined) return NOT_SENT;
  const text = queryOf(url);
  if (text === '') return NOT_SENT;
  let query: URLSearchParams;
  try {
    query = parseUrlEncodedForm(text);
  } catch (error) {
    if (!(error instanceof MalformedFormError)) throw error;
    // A malformed cursor (`%ZZ`) is unusable, never read as another id; a malformed parameter of the
    // application's own is the application's to refuse.
    if (params.includes(error.field)) return { sent: true, lastEventId: undefined };
    query = new URLSearchParams(text);
  }
  for (const name of params) {
    const value = query.get(name);
    if (value !== null && value !== '') return { sent: true, lastEventId: validLastEventId(value) };
  }
  return NOT_SENT;
}

/**
 * The validated Last-Event-ID of a request ({@link lastEventIdRequest}); `param` names the query
 * parameter (or parameters, in precedence order) read when the header is absent, `false` none.
 */
export function readLastEventId(
  header: string | readonly string[] | undefined | null,
  url: string | undefined,
  param: string | readonly string[] | false,
): string | undefined {
  const params = param === false ? [] : typeof param === 'string' ? [param] : param;
  return lastEventIdRequest(header, url, params).lastEventId;
}
