/**
 * 10,000 tokens, 100 readers over real sockets attaching at random moments (seeded), some from the start,
 * some from a random earlier cursor, some dropping mid-stream and re-attaching with their last id: each
 * receives every token after its cursor exactly once and in order, then `done`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EventStreamParser } from '../../../src/protocol/index.js';
import { ResumableStreams } from '../../../src/server/index.js';
import { serveRegistry } from './support.js';

const TOKENS = 10_000;
const READERS = 100;

/** mulberry32: seeded, so a failure replays with the same schedule. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const registry = new ResumableStreams({ maxStreamBytes: 64 * 1024 * 1024 });
let produced = 0;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const served = await serveRegistry(registry, () =>
  (async function* () {
    for (let i = 0; i < TOKENS; i++) {
      if (i % 50 === 0) await tick(); // let readers attach between batches
      produced = i + 1;
      yield { event: 'token', data: String(i) };
    }
  })(),
);
afterAll(async () => {
  await registry.close();
  await served.close();
});

/**
 * Reads `url` with `lastEventId`; stops (aborting the request) after `dropAfter` events. Returns the
 * token numbers seen, the last id, and whether `done` arrived.
 */
async function read(
  url: string,
  lastEventId: string | undefined,
  dropAfter: number,
): Promise<{ tokens: number[]; lastEventId: string | undefined; done: boolean }> {
  const controller = new AbortController();
  const headers: Record<string, string> = lastEventId === undefined ? {} : { 'last-event-id': lastEventId };
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.status === 204) return { tokens: [], lastEventId, done: true };
  expect(response.status).toBe(200);
  const tokens: number[] = [];
  let last = lastEventId;
  let done = false;
  let seen = 0;
  const parser = new EventStreamParser({
    onEvent: (event) => {
      if (done || seen >= dropAfter) return;
      seen++;
      last = event.lastEventId;
      if (event.type === 'token') tokens.push(Number(event.data));
      else if (event.type === 'done') done = true;
      else throw new Error(`unexpected ${event.type}`);
    },
  });
  const reader = response.body!.getReader();
  try {
    while (!done && seen < dropAfter) {
      const { done: end, value } = await reader.read();
      if (end) break;
      parser.feed(value);
    }
  } finally {
    controller.abort();
    await reader.cancel().catch(() => undefined);
  }
  return { tokens, lastEventId: last, done };
}

describe('resumable stream with many readers', () => {
  it('gives every reader every token after its cursor, once, in order', { timeout: 120_000 }, async () => {
    const next = random(0x5eed);
    const start = await fetch(`${served.url}/start`, { method: 'POST' });
    const id = start.headers.get('sse-stream-id')!;
    await start.body!.cancel();
    const readers = Array.from({ length: READERS }, async (_, r) => {
      // Attach when the producer has reached a random point (sometimes after it finished).
      const at = Math.floor(next() * TOKENS * 1.1);
      const mode = next();
      const drops = Math.floor(next() * 3);
      const dropSizes = Array.from({ length: drops }, () => 1 + Math.floor(next() * 3000));
      while (produced < Math.min(at, TOKENS) && registry.running > 0) await tick();
      // A cursor: none (from the start), or an earlier token this reader "already had".
      let cursor: string | undefined;
      let expectedFrom = 0;
      if (mode < 0.5) {
        const seq = Math.floor(next() * produced);
        cursor = `${id}:${seq}`;
        expectedFrom = seq + 1;
      }
      const seen: number[] = [];
      let done = false;
      for (let attempt = 0; !done; attempt++) {
        const limit = dropSizes[attempt] ?? Number.POSITIVE_INFINITY;
        const url = attempt % 2 === 0 ? `${served.url}/attach/${id}` : `${served.url}/attach`;
        const result = await read(url, cursor, limit);
        seen.push(...result.tokens);
        cursor = result.lastEventId;
        done = result.done;
        if (cursor === undefined && !done) cursor = undefined; // dropped before the first event
      }
      return { r, expectedFrom, seen };
    });
    for (const { r, expectedFrom, seen } of await Promise.all(readers)) {
      const expected = Array.from({ length: TOKENS - expectedFrom }, (_, i) => expectedFrom + i);
      expect([r, seen.length]).toEqual([r, expected.length]);
      expect(seen).toEqual(expected);
    }
  });
});
