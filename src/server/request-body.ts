import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

/** Bounds of {@link readRequestBody}, and the errors it rejects with (the caller's own, with its wording). */
export interface RequestBodyLimits {
  /** Most bytes accepted. */
  maxBytes: number;
  /** A body still incomplete after this many ms is refused (slow-loris); 0 or absent: no bound. */
  timeoutMs?: number;
  /** The error for a body over `maxBytes` (declared or counted). */
  tooLarge: () => Error;
  /** The error for a body that did not arrive within `timeoutMs`. */
  timedOut: () => Error;
  /** The error for a body that failed mid-way (connection reset). */
  unreadable: (cause: Error) => Error;
}

/**
 * Reads a Node request body (HTTP/1.x or HTTP/2) into bytes, within bounds. A declared `Content-Length`
 * over `maxBytes` is refused before anything is read; a chunked body is counted as it arrives and
 * abandoned at the limit. Past the limit the rest is read and discarded, so the refusal can still be
 * answered; after a timeout the request is paused. Either way answer with `Connection: close`: the rest
 * of the body is not worth waiting for.
 */
export function readRequestBody(
  req: IncomingMessage | Http2ServerRequest,
  limits: RequestBodyLimits,
): Promise<Buffer> {
  const { maxBytes, timeoutMs = 0 } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(limits.tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        fail(limits.tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => fail(limits.unreadable(error));
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            fail(limits.timedOut());
            req.pause();
          }, timeoutMs)
        : undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
