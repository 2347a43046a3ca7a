/**
 * Whether a `Content-Type` header names an event stream. The processing model
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model) compares the MIME type essence, so
 * parameters and case do not matter: `Text/Event-Stream; charset=utf-8` and `text/event-stream;` both pass.
 */
export function isEventStreamType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return essence === 'text/event-stream';
}
