import { randomFillSync } from 'node:crypto';

/**
 * Monotonic UUIDv7 generation (RFC 9562 §5.7, counter method §6.2 "Fixed Bit-Length Dedicated Counter").
 * Layout: 48-bit Unix milliseconds, version 7, a 42-bit counter spread over `rand_a` and the top of
 * `rand_b`, the variant, then 32 random bits. Within one millisecond the counter increments, so ids sort
 * in generation order even when the clock stalls or steps back; a new millisecond reseeds the counter
 * randomly (top bit clear, so increments never overflow in practice).
 */
export class UuidV7Generator {
  #lastMs = -1;
  /** High 18 bits of the counter. */
  #hi = 0;
  /** Low 24 bits of the counter. */
  #lo = 0;
  #pool = new Uint8Array(4096);
  #poolPos = this.#pool.length;
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #random(count: number): Uint8Array {
    if (this.#poolPos + count > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#poolPos = 0;
    }
    const out = this.#pool.subarray(this.#poolPos, this.#poolPos + count);
    this.#poolPos += count;
    return out;
  }

  /** The next id as the 36-character lowercase UUID string. */
  next(): string {
    let ms = this.#now();
    if (ms > this.#lastMs) {
      const r = this.#random(6);
      this.#hi = ((r[0]! << 16) | (r[1]! << 8) | r[2]!) & 0x1ffff; // 17 bits: the top counter bit stays 0
      this.#lo = (r[3]! << 16) | (r[4]! << 8) | r[5]!;
      this.#lastMs = ms;
    } else {
      ms = this.#lastMs;
      this.#lo = (this.#lo + 1) & 0xffffff;
      if (this.#lo === 0) {
        this.#hi = (this.#hi + 1) & 0x3ffff;
        if (this.#hi === 0) {
          // 2^42 ids in one millisecond: borrow the next millisecond rather than repeat.
          this.#lastMs = ms = ms + 1;
        }
      }
    }
    const b = new Uint8Array(16);
    // 48-bit big-endian timestamp (numbers above 2^32 need division, not bit shifts).
    const high = Math.floor(ms / 0x1000000);
    const low = ms % 0x1000000;
    b[0] = (high >>> 16) & 0xff;
    b[1] = (high >>> 8) & 0xff;
    b[2] = high & 0xff;
    b[3] = (low >>> 16) & 0xff;
    b[4] = (low >>> 8) & 0xff;
    b[5] = low & 0xff;
    // Counter: hi = 18 bits -> 4 (byte 6) + 8 (byte 7) + 6 (byte 8); lo = 24 bits -> bytes 9-11.
    b[6] = 0x70 | ((this.#hi >>> 14) & 0x0f);
    b[7] = (this.#hi >>> 6) & 0xff;
    b[8] = 0x80 | (this.#hi & 0x3f);
    b[9] = (this.#lo >>> 16) & 0xff;
    b[10] = (this.#lo >>> 8) & 0xff;
    b[11] = this.#lo & 0xff;
    b.set(this.#random(4), 12);
    const hex = Buffer.from(b).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

const shared = new UuidV7Generator();

/** A new monotonic UUIDv7 string, e.g. `0190f0b2-...`. */
export function uuidv7(): string {
  return shared.next();
}

/** A new hub update id: `urn:uuid:<UUIDv7>` like the reference hub (https://mercure.rocks/spec#publication: every event has an id). */
export function generateUpdateId(): string {
  return `urn:uuid:${shared.next()}`;
}
