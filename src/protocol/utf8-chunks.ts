/** Chunks up to this many bytes are decoded by hand when they are pure ASCII. */
const SMALL_CHUNK = 64;

type AsciiCheck = (bytes: Uint8Array) => boolean;

/** Whether every byte is below 0x80, four bytes at a time: the portable fallback for {@link isAscii}. */
export function asciiByWords(bytes: Uint8Array): boolean {
  const length = bytes.length;
  // Bytes before the first 4-byte boundary of the underlying buffer, where a Uint32Array view may start.
  const head = (4 - (bytes.byteOffset & 3)) & 3;
  if (length < head + 4) {
    for (let i = 0; i < length; i++) if (bytes[i]! >= 0x80) return false;
    return true;
  }
  for (let i = 0; i < head; i++) if (bytes[i]! >= 0x80) return false;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (length - head) >>> 2);
  for (let w = 0; w < words.length; w++) if ((words[w]! & 0x80808080) !== 0) return false;
  for (let i = head + words.length * 4; i < length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * Node's SIMD `buffer.isAscii` when the runtime offers it (found without importing `node:`, so this module
 * still loads in browsers and workers), else {@link asciiByWords}.
 */
const isAscii: AsciiCheck = (() => {
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const buffer = runtime?.getBuiltinModule?.('node:buffer') as { isAscii?: AsciiCheck } | undefined;
    if (typeof buffer?.isAscii === 'function') return buffer.isAscii;
  } catch {
    // Not Node, or a Node without getBuiltinModule: use the portable check.
  }
  return asciiByWords;
})();

/** Latin-1 (the WHATWG "windows-1252" decoder): the identity on ASCII bytes; stateless when not streaming. */
const latin1 = new TextDecoder('latin1');

/**
 * Streaming UTF-8 decoding of byte chunks for the event-stream parser ("decoded using the UTF-8 decode
 * algorithm", https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). A multi-byte character split across chunks is kept whole, invalid
 * bytes become U+FFFD, and a BOM is passed through so the parser can strip exactly one leading BOM itself.
 *
 * Why not just a UTF-8 `TextDecoder`: most event streams are ASCII (JSON), and ASCII decodes far faster as
 * Latin-1 (one byte per character, identical for bytes below 0x80); and for tiny chunks (a byte at a time
 * from a slow proxy) a decoder call costs far more than the work, so small ASCII chunks are decoded
 * directly. Both shortcuts are only sound while the UTF-8 decoder holds no partial sequence, which is true
 * whenever the last byte it saw was ASCII.
 */
export class Utf8ChunkDecoder {
  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** True when the UTF-8 decoder may hold the first bytes of a character split across chunks. */
  #pending = false;

  /** Decodes the next chunk; bytes of an unfinished character are held until the next call. */
  decode(chunk: Uint8Array): string {
    const length = chunk.length;
    if (length === 0) return '';
    if (!this.#pending) {
      if (length === 1) {
        const byte = chunk[0]!;
        // V8 keeps one-character strings interned: this allocates nothing.
        if (byte < 0x80) return String.fromCharCode(byte);
      } else if (length <= SMALL_CHUNK) {
        let ascii = true;
        for (let i = 0; i < length; i++) {
          if (chunk[i]! >= 0x80) {
            ascii = false;
            break;
          }
        }
        if (ascii) return String.fromCharCode.apply(null, chunk as unknown as number[]);
      } else if (isAscii(chunk)) {
        return latin1.decode(chunk);
      }
    }
    this.#pending = chunk[length - 1]! >= 0x80;
    return this.#decoder.decode(chunk, { stream: true });
  }

  /**
   * Ends the byte stream: returns U+FFFD if it stopped in the middle of a character (the UTF-8 decode
   * algorithm's end-of-queue step), else the empty string, and readies the decoder for a new stream.
   */
  flush(): string {
    if (!this.#pending) return '';
    this.#pending = false;
    return this.#decoder.decode();
  }
}
