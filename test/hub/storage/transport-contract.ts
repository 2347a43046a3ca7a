import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateUpdateIdError, type Transport } from '../../../src/hub/storage/transport.js';
import type { Update } from '../../../src/hub/storage/update.js';

/**
 * Builds a fresh, empty transport holding at most `historySize` updates (a count, or every update) and,
 * when `historyTtlMs` is given, none accepted that long ago by the clock `now`.
 */
export type TransportFactory = (options: {
  historySize: number | 'unbounded';
  historyTtlMs?: number;
  now: () => number;
}) => Transport | Promise<Transport>;

/** Engines that reclaim expired history on a timer also offer to do it at once (tests call it). */
interface Prunable {
  pruneExpired?(): Promise<unknown>;
}

const update = (id: string, extra: Partial<Update> = {}): Update => ({
  id,
  topics: ['https://example.com/t'],
  data: `data of ${id}`,
  private: false,
  ...extra,
});

const ids = (updates: readonly Update[]) => updates.map((u) => u.id);

/**
 * The {@link Transport} contract as a reusable suite: run it for every storage engine (memory, SQLite,
 * Redis) so they all behave the same for the hub: ordering rule, replay after an id and `earliest`, the
 * scan bound, bounded history, duplicate ids, field round-trip, listener isolation, close.
 */
export function describeTransportContract(name: string, factory: TransportFactory): void {
  describe(`Transport contract: ${name}`, () => {
    const open: Transport[] = [];
    // A clock the tests move by hand: expiry is checked without sleeping and without timing assertions.
    let clock = 1_700_000_000_000;
    const now = () => clock;
    const make = async (historySize: number | 'unbounded' = 100, historyTtlMs?: number) => {
      const transport = await factory({
        historySize,
        now,
        ...(historyTtlMs === undefined ? {} : { historyTtlMs }),
      });
      open.push(transport);
      return transport;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });
    /** What replay and historySize answer now, then the same after the engine reclaimed expired storage. */
    const readBothWays = async <T>(t: Transport, read: () => Promise<T>): Promise<T> => {
      const before = await read();
      await (t as Transport & Prunable).pruneExpired?.();
      expect(await read()).toEqual(before);
      return before;
    };

    it('starts empty', async () => {
      const t = await make();
      expect(await t.lastEventId()).toBeUndefined();
      expect(await t.historySize()).toBe(0);
      expect(await t.replay('earliest', 100)).toEqual({ found: true, updates: [] });
      expect(await t.replay('nope', 100)).toEqual({ found: false, updates: [] });
    });

    it('delivers live in dispatch order and replays the same order after an id', async () => {
      const t = await make();
      const seen: string[] = [];
      const stop = t.listen((u) => seen.push(u.id));
      for (const id of ['a', 'b', 'c', 'd']) await t.dispatch(update(id));
      stop();
      await t.dispatch(update('e'));
      expect(seen).toEqual(['a', 'b', 'c', 'd']);
      expect(ids((await t.replay('b', 100)).updates)).toEqual(['c', 'd', 'e']);
      expect(ids((await t.replay('earliest', 100)).updates)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await t.replay('e', 100)).toMatchObject({ found: true, updates: [] });
      expect(await t.replay('zzz', 100)).toEqual({ found: false, updates: [] });
      // The cursor's own update, when the transport returns it, is the one the id names.
      const cursor = (await t.replay('b', 100)).cursor;
      if (cursor !== undefined) expect(cursor.id).toBe('b');
      expect(await t.lastEventId()).toBe('e');
      expect(await t.historySize()).toBe(5);
    });

    it('concurrent dispatches are all acknowledged, and live order equals replay order', async () => {
      const t = await make(1000);
      const seen: string[] = [];
      t.listen((u) => seen.push(u.id));
      const all = Array.from({ length: 200 }, (_, i) => `u${i}`);
      await Promise.all(all.map((id) => t.dispatch(update(id))));
      expect(seen).toHaveLength(200);
      expect(new Set(seen).size).toBe(200);
      expect(ids((await t.replay('earliest', 1000)).updates)).toEqual(seen);
    });

    it('a dispatch resolves only after its update reached the listeners and history', async () => {
      const t = await make();
      const seen: string[] = [];
      t.listen((u) => seen.push(u.id));
      await t.dispatch(update('x'));
      expect(seen).toEqual(['x']);
      expect(await t.lastEventId()).toBe('x');
    });

    it('listen, then replay, then drop replayed ids: no gap and no duplicate under concurrent publishing', async () => {
      const t = await make(1000);
      for (let i = 0; i < 20; i++) await t.dispatch(update(`old${i}`));
      const publishing = Promise.all(Array.from({ length: 50 }, (_, i) => t.dispatch(update(`new${i}`))));
      const live: string[] = [];
      t.listen((u) => live.push(u.id));
      const replayed = ids((await t.replay('old9', 1000)).updates);
      await publishing;
      const replayedSet = new Set(replayed);
      const received = [...replayed, ...live.filter((id) => !replayedSet.has(id))];
      const expected = [
        ...Array.from({ length: 10 }, (_, i) => `old${i + 10}`),
        ...Array.from({ length: 50 }, (_, i) => `new${i}`),
      ];
      expect(received).toEqual(expected);
    });

    it('refuses a duplicate id without storing or delivering it again', async () => {
      const t = await make();
      const seen: string[] = [];
      t.listen((u) => seen.push(u.id));
      await t.dispatch(update('x', { data: 'first' }));
      const duplicate = t.dispatch(update('x', { data: 'second' }));
      await expect(duplicate).rejects.toBeInstanceOf(DuplicateUpdateIdError);
      await expect(duplicate).rejects.toThrow(/"x" already exists/);
      expect(seen).toEqual(['x']);
      expect(await t.historySize()).toBe(1);
      expect((await t.replay('earliest', 10)).updates[0]?.data).toBe('first');
    });

    it('a duplicate among concurrent dispatches fails alone', async () => {
      const t = await make();
      await t.dispatch(update('dup'));
      const results = await Promise.allSettled(['a', 'dup', 'b'].map((id) => t.dispatch(update(id))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['dup', 'a', 'b']);
    });

    it('round-trips every field exactly', async () => {
      const t = await make();
      const full: Update = {
        id: 'urn:uuid:0190b3c4-0000-7000-8000-000000000001',
        topics: ['https://example.com/books/1', 'https://example.com/users/kévin/?topic=x', '*'],
        data: 'line 1\r\nline 2\n\nline 4 — ünïcödé 🎉\n',
        private: true,
        type: 'book.updated',
        retry: 2500,
      };
      const bare = update('bare', { data: '' });
      await t.dispatch(full);
      await t.dispatch(bare);
      const replayed = (await t.replay('earliest', 10)).updates;
      expect(replayed).toEqual([full, bare]);
      expect(replayed[1]).not.toHaveProperty('type');
      expect(replayed[1]).not.toHaveProperty('retry');
    });

    it('bounds history by count, forgetting evicted ids', async () => {
      const t = await make(3);
      for (const id of ['a', 'b', 'c', 'd', 'e']) await t.dispatch(update(id));
      expect(await t.historySize()).toBe(3);
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['c', 'd', 'e']);
      expect((await t.replay('b', 10)).found).toBe(false);
      expect(ids((await t.replay('c', 10)).updates)).toEqual(['d', 'e']);
      expect(await t.lastEventId()).toBe('e');
    });

    // historySize has one meaning in every engine (HUB_SETTINGS.historySize): 0 keeps none, 'unbounded' all.
    it('with historySize 0 keeps nothing for replay, yet delivers live and knows the last id', async () => {
      const t = await make(0);
      const seen: string[] = [];
      t.listen((u) => seen.push(u.id));
      for (const id of ['a', 'b', 'c']) await t.dispatch(update(id));
      expect(seen).toEqual(['a', 'b', 'c']);
      expect(await t.historySize()).toBe(0);
      expect(await t.replay('earliest', 10)).toEqual({ found: true, updates: [] });
      expect((await t.replay('b', 10)).found).toBe(false);
      expect((await t.replay('c', 10)).found).toBe(false);
      expect(await t.lastEventId()).toBe('c');
    });

    it("with historySize 'unbounded' keeps every update", async () => {
      const t = await make('unbounded');
      const all = Array.from({ length: 250 }, (_, i) => `u${i}`);
      for (const id of all) await t.dispatch(update(id));
      expect(await t.historySize()).toBe(250);
      expect(ids((await t.replay('earliest', 1000)).updates)).toEqual(all);
      expect(ids((await t.replay('u0', 1000)).updates)).toEqual(all.slice(1));
      // The scan bound still applies to finding the id.
      expect((await t.replay('u0', 10)).found).toBe(false);
      expect(await t.lastEventId()).toBe('u249');
    });

    // historyTtlMs has one meaning in every engine: accepted ttl ms ago or earlier = gone, like an evicted id.
    it('with historyTtlMs, expired updates are not replayed nor counted and their ids are unknown', async () => {
      const t = await make(100, 1000);
      await t.dispatch(update('a'));
      await t.dispatch(update('b'));
      clock += 500;
      await t.dispatch(update('c'));
      await t.dispatch(update('d'));
      clock += 499;
      // Nothing expired yet: a and b are 999 ms old.
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['a', 'b', 'c', 'd']);
      clock += 1;
      const state = () =>
        Promise.all([
          t.replay('earliest', 10),
          t.replay('a', 10),
          t.replay('b', 10),
          t.replay('c', 10),
          t.historySize(),
          t.lastEventId(),
        ]);
      const [earliest, atA, atB, atC, size, last] = await readBothWays(t, state);
      expect(ids(earliest.updates)).toEqual(['c', 'd']);
      expect(atA).toEqual({ found: false, updates: [] });
      expect(atB).toEqual({ found: false, updates: [] });
      expect(atC.found).toBe(true);
      expect(ids(atC.updates)).toEqual(['d']);
      expect(size).toBe(2);
      expect(last).toBe('d');
    });

    it('with historyTtlMs, once every update expired history is empty but the last id is still known', async () => {
      const t = await make(100, 1000);
      for (const id of ['a', 'b']) await t.dispatch(update(id));
      clock += 5000;
      const [earliest, atB, size] = await readBothWays(t, () =>
        Promise.all([t.replay('earliest', 10), t.replay('b', 10), t.historySize()]),
      );
      expect(earliest).toEqual({ found: true, updates: [] });
      // b is the newest update: it stays a known cursor (see the next test), with nothing after it.
      expect(atB).toEqual({ found: true, updates: [], cursor: update('b') });
      expect(size).toBe(0);
      expect(await t.lastEventId()).toBe('b');
      // New updates are kept and replayed as usual after everything before them expired.
      await t.dispatch(update('c'));
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['c']);
      expect(ids((await t.replay('c', 10)).updates)).toEqual([]);
      expect(await t.historySize()).toBe(1);
    });

    // A client that had everything must not be told it may have missed updates after a quiet period.
    it("with historyTtlMs, the newest update's id stays a known cursor after it expired (nothing to replay), other expired ids are unknown", async () => {
      const t = await make(100, 1000);
      const secret = update('c', { private: true, topics: ['https://example.com/secret'] });
      await t.dispatch(update('a'));
      await t.dispatch(update('b'));
      await t.dispatch(secret);
      clock += 1000;
      const [earliest, atA, atB, atC, size] = await readBothWays(t, () =>
        Promise.all([
          t.replay('earliest', 10),
          t.replay('a', 10),
          t.replay('b', 10),
          t.replay('c', 10),
          t.historySize(),
        ]),
      );
      expect(earliest).toEqual({ found: true, updates: [] });
      expect(atA).toEqual({ found: false, updates: [] });
      expect(atB).toEqual({ found: false, updates: [] });
      // The cursor is the update itself, private flag included: the hub still checks the subscriber may read it.
      expect(atC).toEqual({ found: true, updates: [], cursor: secret });
      expect(size).toBe(0);
      expect(await t.replay('c', 0)).toEqual({ found: true, updates: [], cursor: secret });
      // Once a newer update arrives, the expired one is an ordinary expired id: unknown.
      await t.dispatch(update('d'));
      expect(await t.replay('c', 10)).toEqual({ found: false, updates: [] });
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['d']);
      clock += 1000;
      await t.dispatch(update('e'));
      clock += 1000;
      const [atD, atE] = await readBothWays(t, () => Promise.all([t.replay('d', 10), t.replay('e', 10)]));
      expect(atD).toEqual({ found: false, updates: [] });
      expect(atE).toEqual({ found: true, updates: [], cursor: update('e') });
      expect(await t.lastEventId()).toBe('e');
    });

    it('historySize and historyTtlMs combine: whichever keeps fewer updates wins', async () => {
      const t = await make(3, 1000);
      for (const id of ['a', 'b', 'c', 'd']) {
        await t.dispatch(update(id));
        clock += 300;
      }
      // d at +900 ms from a: a is out by count; b (600 ms old) and c, d are kept.
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['b', 'c', 'd']);
      expect((await t.replay('a', 10)).found).toBe(false);
      clock += 200; // b is now 1000 ms old.
      const [earliest, atB, atC, size] = await readBothWays(t, () =>
        Promise.all([t.replay('earliest', 10), t.replay('b', 10), t.replay('c', 10), t.historySize()]),
      );
      expect(ids(earliest.updates)).toEqual(['c', 'd']);
      expect(atB.found).toBe(false);
      expect(ids(atC.updates)).toEqual(['d']);
      expect(size).toBe(2);
      for (const id of ['e', 'f']) await t.dispatch(update(id));
      // Count wins again: three newest.
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['d', 'e', 'f']);
      expect(await t.historySize()).toBe(3);
    });

    it("with historySize 'unbounded' and historyTtlMs, age alone bounds history", async () => {
      const t = await make('unbounded', 60_000);
      const first = Array.from({ length: 150 }, (_, i) => `old${i}`);
      for (const id of first) await t.dispatch(update(id));
      clock += 30_000;
      const second = Array.from({ length: 150 }, (_, i) => `new${i}`);
      for (const id of second) await t.dispatch(update(id));
      expect(await t.historySize()).toBe(300);
      clock += 30_000;
      const [earliest, atOld, size] = await readBothWays(t, () =>
        Promise.all([t.replay('earliest', 1000), t.replay('old149', 1000), t.historySize()]),
      );
      expect(ids(earliest.updates)).toEqual(second);
      expect(atOld.found).toBe(false);
      expect(size).toBe(150);
    });

    it('without historyTtlMs, age does not matter', async () => {
      const t = await make(100);
      for (const id of ['a', 'b']) await t.dispatch(update(id));
      clock += 365 * 24 * 3_600_000;
      await (t as Transport & Prunable).pruneExpired?.();
      expect(ids((await t.replay('earliest', 10)).updates)).toEqual(['a', 'b']);
      expect(ids((await t.replay('a', 10)).updates)).toEqual(['b']);
      expect(await t.historySize()).toBe(2);
    });

    it('honours the scan bound: the id must be within the newest scanLimit entries', async () => {
      const t = await make(100);
      for (let i = 0; i < 50; i++) await t.dispatch(update(`u${i}`));
      expect((await t.replay('u10', 10)).found).toBe(false);
      expect((await t.replay('u39', 10)).updates).toHaveLength(10);
      expect((await t.replay('u38', 10)).found).toBe(false);
      expect((await t.replay('u40', 10)).updates).toHaveLength(9);
    });

    it('keeps delivering to the other listeners when one throws', async () => {
      const t = await make();
      const seen: string[] = [];
      t.listen(() => {
        throw new Error('listener bug');
      });
      t.listen((u) => seen.push(u.id));
      await t.dispatch(update('a'));
      expect(seen).toEqual(['a']);
    });

    it('registers the same function twice as two listeners, removed one at a time', async () => {
      const t = await make();
      const seen: string[] = [];
      const listener = (u: Update) => seen.push(u.id);
      const stopFirst = t.listen(listener);
      t.listen(listener);
      await t.dispatch(update('a'));
      stopFirst();
      stopFirst();
      await t.dispatch(update('b'));
      expect(seen).toEqual(['a', 'a', 'b']);
    });

    it('refuses dispatches after close', async () => {
      const t = await make();
      await t.close();
      await expect(t.dispatch(update('late'))).rejects.toThrow(/closed/);
    });
  });
}
