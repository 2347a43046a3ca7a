/**
 * Headers that defeat buffering on the way to the browser: `no-transform` (RFC 9111 section 5.2.2.6) tells
 * proxies and compression middleware not to re-encode, `X-Accel-Buffering: no` turns nginx buffering off
 * per response (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering). `Content-Type` carries `charset=utf-8` (the stream is always UTF-8, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/**
 * Connection-specific headers that HTTP/2 forbids (RFC 9113 §8.2.2); Safari drops a stream that carries
 * them. They are also meaningless inside a Fetch `Response`.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * The response headers for an SSE stream: caller extras first, then the SSE headers (which win), and
 * `Connection: keep-alive` only on HTTP/1.x. On HTTP/2 and Fetch every hop-by-hop header is dropped.
 *
 * One exception: a caller's `Cache-Control` wins over the default, taken verbatim, because protocols on
 * top of SSE prescribe their own (Mercure: `private, no-cache, no-store, must-revalidate, max-age=0`,
 * https://mercure.rocks/spec#subscription). `Content-Type` and `X-Accel-Buffering` are never replaced: without them it is
 * not an unbuffered event stream. A caller that replaces `Cache-Control` should keep `no-transform` in it
 * unless nothing on the path compresses: `compression` middleware and transforming proxies skip only
 * responses that carry it.
 */
export function sseHeaders(
  protocol: 'http1' | 'http2' | 'fetch',
  extra: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) {
    const lower = name.toLowerCase();
    if (protocol !== 'http1' && (HOP_BY_HOP.has(lower) || lower === 'te')) continue;
    out[lower] = value;
  }
  const cacheControl = out['cache-control'];
  Object.assign(out, SSE_HEADERS);
  if (cacheControl !== undefined) out['cache-control'] = cacheControl;
  if (protocol === 'http1') out.connection = 'keep-alive';
  return out;
}
