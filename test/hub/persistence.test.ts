import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteTransport } from '../../src/hub/index.js';
import { publishOk, SECRET, startHub, subscribe, subscribeUrl, token } from './support/harness.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ssehub-hub-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const auth = { key: { key: SECRET }, anonymous: true };

describe('the hub on the persistent store', () => {
  it('resumes clients from their Last-Event-ID across a hub restart', async () => {
    const path = join(dir, 'hub.db');
    const pub = await token({ publish: ['*'] });
    const first = await startHub({ transport: () => new SqliteTransport({ path }) }, auth);
    const ids: string[] = [];
    for (const data of ['one', 'two', 'three'])
      ids.push(await publishOk(first.base, { topic: 't', data }, pub));
    await first.close();

    const second = await startHub({ transport: () => new SqliteTransport({ path }) }, auth);
    try {
      const sub = await subscribe(subscribeUrl(second.base, ['t']), { 'last-event-id': ids[0]! });
      expect(sub.response.headers.get('last-event-id')).toBe(ids[0]);
      await publishOk(second.base, { topic: 't', data: 'four' }, pub);
      const events = await sub.waitFor(3);
      expect(events.map((e) => e.data)).toEqual(['two', 'three', 'four']);
      expect(events.map((e) => e.lastEventId).slice(0, 2)).toEqual(ids.slice(1));
      sub.abort();
    } finally {
      await second.close();
    }
  });

  it('joins replay and live without gap or duplicate while publishing continues', async () => {
    const h = await startHub(
      { transport: () => new SqliteTransport({ path: join(dir, 'live.db'), durability: 'normal' }) },
      auth,
    );
    try {
      const pub = await token({ publish: ['*'] });
      const total = 120;
      const ids: string[] = [];
      let resumed: Promise<Awaited<ReturnType<typeof subscribe>>> | undefined;
      await Promise.all(
        Array.from({ length: 4 }, async (_, worker) => {
          for (let i = worker; i < total; i += 4) {
            ids.push(await publishOk(h.base, { topic: 't', data: `n${i}` }, pub));
            if (ids.length === 40 && !resumed) {
              resumed = subscribe(subscribeUrl(h.base, ['t']), { 'last-event-id': ids[19]! });
            }
          }
        }),
      );
      const sub = await resumed!;
      // The hub's own order (responses on four connections may arrive in another order than commits).
      const all = await subscribe(subscribeUrl(h.base, ['t'], { lastEventID: 'earliest' }));
      const order = (await all.waitFor(total)).map((e) => e.lastEventId);
      const expected = order.slice(order.indexOf(ids[19]!) + 1);
      const got = (await sub.waitFor(expected.length)).map((e) => e.lastEventId);
      expect(got).toEqual(expected);
      expect(new Set(got).size).toBe(got.length);
      sub.abort();
      all.abort();
    } finally {
      await h.close();
    }
  });
});
