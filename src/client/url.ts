/**
 * Resolves the URL given to a client face. Windows and workers resolve a relative URL against `location`
 * (never `document`); where there is none (Node) a relative URL fails like the spec's parse failure in
 * the EventSource constructor (https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface step 5): a `SyntaxError` DOMException.
 */
export function resolveUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return new URL(url, base).href;
  } catch {
    throw new DOMException(
      `Cannot open an event stream at the invalid URL "${String(url)}"${base ? '' : ' (relative URLs need a location, as in a browser)'}`,
      'SyntaxError',
    );
  }
}
