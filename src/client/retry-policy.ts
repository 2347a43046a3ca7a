import { type SseError, SseHttpError, SseNetworkError, SseRequestError, SseStalledError } from './errors.js';

/**
 * The built-in answer to "should the client try again after this error?":
 * - network errors and stalls: yes (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model re-establishes after a network error);
 * - a headers hook that threw: yes (nothing was sent, and a token refresh may work next time);
 * - HTTP 408, 429 and 5xx: yes, with backoff or after `Retry-After` (a load-shedding server gets its
 *   clients back later, unlike native EventSource, which gives up for good: https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model);
 * - any other status (401, 403, 404, …), a wrong content type, an oversized event: no.
 */
export function defaultShouldRetry(error: SseError): boolean {
  if (
    error instanceof SseNetworkError ||
    error instanceof SseStalledError ||
    error instanceof SseRequestError
  ) {
    return true;
  }
  if (error instanceof SseHttpError)
    return error.status === 408 || error.status === 429 || error.status >= 500;
  return false;
}
