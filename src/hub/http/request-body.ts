import type { IncomingMessage } from 'node:http';
import { readRequestBody } from '../../server/index.js';
import { hubSettingName } from '../options.js';
import { HubHttpError } from './http-error.js';

/**
 * Reads a request body as UTF-8 text, refusing more than `limit` bytes with 413 (Mercure
 * `max_request_body_size`, docs/security.md#limits). A declared `Content-Length` over the limit is refused before
 * anything is read; a chunked body is counted as it arrives and abandoned at the limit.
 *
 * A body still incomplete after `timeoutMs` (0: no bound) is refused with 408: a client trickling bytes
 * must not hold a request open forever (slow-loris); the hub closes the connection after answering.
 *
 * Bodies already consumed by a framework parser are used as they are: `req.body` as a string or Buffer,
 * or the object `express.urlencoded()` makes (arrays for repeated fields), turned back into a form.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = 0): Promise<string> {
  const preParsed = (req as IncomingMessage & { body?: unknown }).body;
  if (typeof preParsed === 'string' || Buffer.isBuffer(preParsed)) {
    const text = preParsed.toString();
    if (Buffer.byteLength(text) > limit) return Promise.reject(tooLarge(limit));
    return Promise.resolve(text);
  }
  if (isFormObject(preParsed) && req.complete) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(preParsed)) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(name, String(v));
    }
    const text = form.toString();
    if (Buffer.byteLength(text) > limit) return Promise.reject(tooLarge(limit));
    return Promise.resolve(text);
  }
  return readRequestBody(req, {
    maxBytes: limit,
    timeoutMs,
    tooLarge: () => tooLarge(limit),
    timedOut: () =>
      new HubHttpError(
        'SSEHUB_BODY_TIMEOUT',
        `The publish body did not arrive within ${timeoutMs} ms (${hubSettingName('bodyTimeoutMs')}); send it in one go (the connection is closed)`,
      ),
    unreadable: (error) =>
      new HubHttpError('SSEHUB_UNREADABLE_BODY', `The request body could not be read: ${error.message}`),
  }).then((bytes) => bytes.toString('utf8'));
}

function isFormObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);
}

function tooLarge(limit: number): HubHttpError {
  return new HubHttpError(
    'SSEHUB_BODY_TOO_LARGE',
    `The publish body is larger than ${limit} bytes; send less data per update or raise ${hubSettingName('maxBodyBytes')}`,
  );
}
