import { type ErrorCode, SsehubError } from '../protocol/index.js';

/**
 * The errors `ssehub/client` reports. Each one says what went wrong and what to do about it; the
 * classes let callers branch with `instanceof` instead of parsing messages.
 */

/**
 * Base class of every error the client raises itself (network failures are wrapped in {@link SseNetworkError}).
 * Raised as such when a user hook (`onReconnect`, a listener) threw and the client stopped.
 */
export class SseError extends SsehubError {
  static readonly code: ErrorCode = 'SSEHUB_HOOK_FAILED';
  override readonly name: string = 'SseError';
  constructor(message: string, options?: ErrorOptions, code: ErrorCode = SseError.code) {
    super(code, message, options);
  }
}

/**
 * The server answered with a status other than 200 (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model: "if res's status is not 200 … fail the
 * connection"). `status` and `headers` are those of the final response, after redirects.
 */
export class SseHttpError extends SseError {
  static override readonly code = 'SSEHUB_HTTP_STATUS';
  override readonly name = 'SseHttpError';
  constructor(
    /** The HTTP status code, e.g. 401. */
    readonly status: number,
    /** The status text sent by the server (may be empty over HTTP/2). */
    readonly statusText: string,
    /** The URL that answered (the final URL, after redirects). */
    readonly url: string,
    /** The response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
    readonly headers: Headers,
    /** Milliseconds the server asked us to wait (`Retry-After`), after capping; undefined when absent. */
    readonly retryAfter?: number,
    /**
     * What the server said about the refusal, e.g. `Token expired at 2026-11-30T10:00:00Z`: the RFC 6750
     * `error_description` of `WWW-Authenticate`, else the start of a text or JSON body (one line, at most
     * 300 characters). Undefined when the server gave none.
     */
    readonly reason?: string,
  ) {
    super(
      `SSE request to ${url} failed with HTTP ${status}${statusText ? ` ${statusText}` : ''}${reason ? ` (${JSON.stringify(reason)})` : ''}: ${advice(status)}`,
      undefined,
      SseHttpError.code,
    );
  }
}

function advice(status: number): string {
  if (status === 401 || status === 403) {
    return 'the server refused the credentials; refresh them in the `headers` hook and return true from `shouldRetry` to try again';
  }
  if (status === 404 || status === 410)
    return 'check the URL; the client will not reconnect to a missing resource';
  if (status === 429 || status === 503)
    return 'the server is overloaded; the client waits for Retry-After before reconnecting';
  if (status >= 500) return 'a server or proxy error; the client reconnects with backoff';
  return 'an event stream must be answered with 200; the client stops here';
}

/**
 * The server answered 200 but not with `text/event-stream` (MIME essence compared; parameters ignored,
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model). Typically a login page, a proxy error page or a JSON error body.
 */
export class SseContentTypeError extends SseError {
  static override readonly code = 'SSEHUB_CONTENT_TYPE';
  override readonly name = 'SseContentTypeError';
  constructor(
    /** The HTTP status code of the response (200 in practice). */
    readonly status: number,
    /** The `Content-Type` header as sent, or `''` when absent. */
    readonly contentType: string,
    /** The URL that answered (after redirects). */
    readonly url: string,
  ) {
    super(
      `SSE request to ${url} answered HTTP ${status} with Content-Type ${contentType ? `"${contentType}"` : '(none)'}` +
        ' instead of "text/event-stream": is the URL right, or is a login page or proxy answering?',
      undefined,
      SseContentTypeError.code,
    );
  }
}

/**
 * No bytes arrived for `timeout` milliseconds (the `heartbeatTimeout` option). The connection is dropped
 * and re-established, instead of hanging forever behind a proxy that lost the stream.
 */
export class SseStalledError extends SseError {
  static override readonly code = 'SSEHUB_STALLED';
  override readonly name = 'SseStalledError';
  constructor(
    /** The configured heartbeat timeout, in milliseconds. */
    readonly timeout: number,
  ) {
    super(
      `No bytes received for ${timeout} ms; reconnecting. Make the server send heartbeat comments more often` +
        ' than heartbeatTimeout, or raise heartbeatTimeout.',
      undefined,
      SseStalledError.code,
    );
  }
}

/**
 * The request or the response body failed at the network level (connection refused, reset, truncated
 * chunked body). The processing model (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model) says to re-establish the connection, which the client does.
 */
export class SseNetworkError extends SseError {
  static override readonly code = 'SSEHUB_NETWORK';
  override readonly name = 'SseNetworkError';
  constructor(url: string, cause: unknown) {
    super(
      `Network error on SSE connection to ${url}: ${describe(cause)}; reconnecting`,
      { cause },
      SseNetworkError.code,
    );
  }
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
  return `${cause.message}${inner}`;
}

/**
 * One event grew past `maxEventSize` (docs/security.md#limits: bound what a hostile server can make us buffer).
 * Terminal by default: reconnecting would most likely receive the same event again.
 */
export class SseEventTooLargeError extends SseError {
  static override readonly code = 'SSEHUB_EVENT_TOO_LARGE';
  override readonly name = 'SseEventTooLargeError';
  constructor(
    /** The configured limit, in characters. */
    readonly limit: number,
    url: string,
    cause?: unknown,
  ) {
    super(
      `An event from ${url} exceeded maxEventSize (${limit} characters); the connection was closed.` +
        ' Raise maxEventSize if such events are expected.',
      { cause },
      SseEventTooLargeError.code,
    );
  }
}

/**
 * The request could not be prepared: the `headers` hook threw (say, a token refresh failed while offline) or
 * produced an invalid header. No request was sent, so retrying costs the server nothing: retried by default.
 */
export class SseRequestError extends SseError {
  static override readonly code = 'SSEHUB_REQUEST_NOT_PREPARED';
  override readonly name = 'SseRequestError';
  constructor(url: string, cause: unknown) {
    super(
      `Could not prepare the SSE request to ${url}: the headers hook threw or returned an invalid header` +
        ` (${cause instanceof Error ? cause.message : String(cause)}); retrying with backoff`,
      { cause },
      SseRequestError.code,
    );
  }
}

/**
 * A client option has a value that cannot work (a negative time, a `ReadableStream` body, a body on a
 * GET): thrown by the `SseEventSource` constructor and `streamEvents`, before any request. `option` names it.
 */
export class SseOptionError extends SseError {
  static override readonly code = 'SSEHUB_INVALID_CLIENT_OPTION';
  override readonly name = 'SseOptionError';
  constructor(
    /** The option's name, e.g. `reconnectionTime`. */
    readonly option: string,
    reason: string,
  ) {
    super(`Invalid ssehub/client option "${option}": ${reason}`, undefined, SseOptionError.code);
  }
}
