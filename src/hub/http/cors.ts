import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers a browser may send to the hub (Mercure ref. impl. plus `content-type` for publish forms). */
const ALLOWED_HEADERS = 'authorization, cache-control, last-event-id, content-type';
/**
 * Response headers cross-origin fetch clients may read: the data-loss cursors (https://mercure.rocks/spec#reconciliation), the
 * subscriptions API's `Link` cursor and the Bearer challenge (Mercure 1.0 §Subscription API, §Error Responses).
 */
const EXPOSED_HEADERS = 'Last-Event-ID, Mercure-Last-Event-ID, Link, WWW-Authenticate';

/**
 * CORS for the hub (docs/security.md#cors). A listed origin is echoed back with
 * `Access-Control-Allow-Credentials: true` (cookies and `withCredentials` work); `*` in the list answers
 * `*` **without** credentials, because browsers refuse credentialed responses from a wildcard. `null` is
 * never allowed (refused at configuration). Unlisted origins get no CORS headers, so the browser blocks.
 */
export class CorsPolicy {
  readonly #origins: ReadonlySet<string>;
  readonly #wildcard: boolean;

  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins.filter((o) => o !== '*'));
    this.#wildcard = origins.includes('*');
  }

  /** Sets the CORS response headers for `req` on `res`; returns whether the origin is allowed. */
  apply(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    // Once per response: a preflight applies the policy a second time.
    if (!/\borigin\b/i.test(String(res.getHeader('vary') ?? ''))) res.appendHeader('vary', 'Origin');
    if (this.#origins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
    } else if (this.#wildcard) {
      res.setHeader('access-control-allow-origin', '*');
    } else {
      return false;
    }
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    return true;
  }

  /** Answers a preflight (`OPTIONS`): 204 with the allowed methods and headers, or 403 for other origins. */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    if (!this.apply(req, res)) {
      res.statusCode = req.headers.origin === undefined ? 204 : 403;
      res.setHeader('allow', 'GET, HEAD, POST, OPTIONS');
      res.end();
      return;
    }
    res.statusCode = 204;
    res.setHeader('access-control-allow-methods', 'GET, HEAD, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
    res.end();
  }
}
