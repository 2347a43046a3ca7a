/**
 * HTTP/1.1 chunked framing of one event, built once per frame and shared by every connection that
 * writes it (the broadcast path), so a fan-out of N costs N single-buffer socket writes instead of N
 * rounds of Node's per-write chunk header, data and CRLF writes. Keyed weakly by the frame's bytes.
 */
const cache = new WeakMap<Uint8Array, Buffer>();
/** Made on first use, so importing this module needs no Node `Buffer` (Fetch-only runtimes). */
let CRLF: Buffer | undefined;

/** `bytes` as one HTTP/1.1 chunk: size in hex, CRLF, the bytes, CRLF (RFC 9112 §7.1). */
export function chunkFramed(bytes: Uint8Array): Buffer {
  let framed = cache.get(bytes);
  if (framed === undefined) {
    CRLF ??= Buffer.from('\r\n');
    framed = Buffer.concat([Buffer.from(`${bytes.byteLength.toString(16)}\r\n`, 'latin1'), bytes, CRLF]);
    cache.set(bytes, framed);
  }
  return framed;
}
