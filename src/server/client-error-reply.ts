// Types only: the server entry is bundled for runtimes without Node's built-ins (test/server/runtime-neutral).
import type { Duplex } from 'node:stream';

/** Reason phrases of the statuses this file answers (RFC 9110 §15, RFC 6585 §5). */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

/** Node's limit in force (`http.maxHeaderSize`, set by --max-http-header-size), read without importing node:http. */
function nodeMaxHeaderSize(): number {
  const http = process.getBuiltinModule?.('node:http') as { maxHeaderSize?: number } | undefined;
  return http?.maxHeaderSize ?? 16 * 1024;
}

/**
 * A server whose HTTP/1.1 parser reports `clientError`: `http.Server`, `https.Server`, or
 * `http2.createSecureServer({ allowHTTP1: true })` (for its HTTP/1.1 connections).
 */
export interface ClientErrorSource {
  on(event: 'clientError', listener: (error: Error & { code?: string }, socket: Duplex) => void): unknown;
}

/** What Node's HTTP parser reports on `clientError` (an `llhttp` code, or a Node error code). */
type ParserError = Error & { code?: string };

/** The status and reason for a request Node refused before any handler ran; undefined: just close. */
function replyFor(error: ParserError, maxHeaderSize: number): { status: number; reason: string } | undefined {
  switch (error.code) {
    case 'ECONNRESET':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: `The request line and headers are over ${maxHeaderSize} bytes (Node's maxHeaderSize): a long URL (many topic= selectors), a large cookie or token. Send fewer or shorter query parameters (a URI template can stand for many topics), or start Node with --max-http-header-size=<bytes> (NODE_OPTIONS) to allow more.`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'The chunk extensions of the request body are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: "The request did not arrive in time (Node's headersTimeout or requestTimeout).",
      };
    default:
      return { status: 400, reason: `Malformed HTTP request (${error.code ?? 'unparsable'}).` };
  }
}

/**
 * Answers the requests Node's HTTP/1.1 parser refuses before any handler runs with a plain-text reason,
 * instead of Node's bare status line: 431 for a request line and headers over `maxHeaderSize` (RFC 6585
 * §5), 413 for oversized chunk extensions, 408 for a request that did not arrive within the server's
 * timeouts, 400 for anything unparsable; a reset connection is just closed. Listens to the server's
 * `clientError`, which replaces Node's own answer (https://nodejs.org/api/http.html#event-clienterror).
 *
 * @param maxHeaderSize the limit in force, in bytes, for the message. Default Node's (`http.maxHeaderSize`).
 */
export function explainClientErrors(server: ClientErrorSource, maxHeaderSize = nodeMaxHeaderSize()): void {
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    const reply = replyFor(error, maxHeaderSize);
    // Nothing more can be said once a response started on this socket, or when it cannot be written.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (reply === undefined || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const body = `${reply.reason}\n`;
    socket.end(
      `HTTP/1.1 ${reply.status} ${STATUS_TEXT[reply.status]}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}
