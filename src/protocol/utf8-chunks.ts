/** Chunks up to this many bytes are decoded by hand when they are pure ASCII; longer ones by TextDecoder. */
const SMALL_CHUNK = 64;

/**
 * Streaming UTF-8 decoding of byte chunks for the event-stream parser (HTML §9.2.6: "decoded using the UTF-8
 * decode algorithm", sse-rules §1.2). A multi-byte character split across chunks is kept whole, invalid
 * bytes become U+FFFD, and a BOM is passed through so the parser can strip exactly one leading BOM itself.
 *
 * Why not just `TextDecoder`: calling it costs far more than the work for tiny chunks (a byte at a time from
 * a slow proxy), so small pure-ASCII chunks are decoded directly. That is only sound while the TextDecoder
 * holds no partial sequence, which is true whenever the last byte it saw was ASCII.
 */
export class Utf8ChunkDecoder {
  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** True when the TextDecoder may hold the first bytes of a character split across chunks. */
  #pending = false;

  /** Decodes the next chunk; bytes of an unfinished character are held until the next call. */
  decode(chunk: Uint8Array): string {
    const length = chunk.length;
    if (!this.#pending && length <= SMALL_CHUNK) {
      if (length === 1) {
        const byte = chunk[0]!;
        // V8 keeps one-character strings interned: this allocates nothing.
        if (byte < 0x80) return String.fromCharCode(byte);
      } else {
        let ascii = true;
        for (let i = 0; i < length; i++) {
          if (chunk[i]! >= 0x80) {
            ascii = false;
            break;
          }
        }
        if (ascii) return String.fromCharCode.apply(null, chunk as unknown as number[]);
      }
    }
    if (length === 0) return '';
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
