import { afterEach, describe, expect, it } from 'vitest';
import { DuplicateUpdateIdError, type Transport } from '../../../src/hub/storage/transport.js';
import type { Update } from '../../../src/hub/storage/update.js';

/** Builds a fresh, empty transport holding at most `historySize` updates (a count, or every update). */
export type TransportFactory = (options: {
  historySize: number | 'unbounded';
}) => Transport | Promise<Transport>;

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
    const make = async (historySize: number | 'unbounded' = 100) => {
      const transport = await factory({ historySize });
      open.push(transport);
      return transport;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });

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
