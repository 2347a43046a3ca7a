import { describe, expect, it } from 'vitest';
import { generateUpdateId, UuidV7Generator } from '../../src/hub/storage/uuidv7.js';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UUIDv7 ids', () => {
  it('are urn:uuid URNs with version 7 and the RFC 9562 variant', () => {
    const id = generateUpdateId();
    expect(id.startsWith('urn:uuid:')).toBe(true);
    expect(id.slice(9)).toMatch(FORMAT);
  });

  it('encode the millisecond timestamp in the first 48 bits', () => {
    const gen = new UuidV7Generator(() => 0x0190_f0b2_1234);
    expect(gen.next().replace(/-/g, '').slice(0, 12)).toBe('0190f0b21234');
  });

  it('stay strictly increasing within one millisecond and when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const gen = new UuidV7Generator(() => now);
    let previous = gen.next();
    for (let i = 0; i < 20_000; i++) {
      if (i === 5_000) now -= 10_000; // clock steps back
      if (i === 15_000) now += 20_000;
      const id = gen.next();
      expect(id).toMatch(FORMAT);
      expect(id > previous).toBe(true);
      previous = id;
    }
  });
});
