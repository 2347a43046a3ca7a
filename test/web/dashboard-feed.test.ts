/**
 * The dashboard feed's access rules over real sockets: the demo's view for anyone, every selector for a
 * token that may read the hub's subscriptions, and a token's stream ended at its expiry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { streamEvents } from '../../src/client/index.js';
import { createAuthorizer, createToken } from '../../src/hub/auth/index.js';
import type { WebUiOptions } from '../../src/web-ui/index.js';
import { buildWebUi, startHub, type TestHub } from './harness.js';

const KEY = 'a-dashboard-feed-secret-of-32-bytes-or-more';
const READER = ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'];
const PRIVATE = 'https://example.com/users/alice/inbox';

let server: TestHub | undefined;
let web: ReturnType<typeof buildWebUi> | undefined;
afterEach(async () => {
  await server?.close();
  web?.remove();
  server = undefined;
  web = undefined;
});

async function hubWith(options: WebUiOptions): Promise<TestHub> {
  web = buildWebUi();
  const authorizer = await createAuthorizer({ key: { key: KEY }, anonymous: true });
  server = await startHub(web.dir, { statsIntervalMs: 50, ...options }, authorizer);
  return server;
}

/** Opens the feed (with `token`) and resolves with its view and the first sample naming a topic. */
async function firstNamedSample(origin: string, token?: string) {
  const feed = streamEvents(`${origin}/dashboard/feed`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  let view: { everySelector: boolean } | undefined;
  try {
    for await (const event of feed) {
      if (event.type === 'view') view = JSON.parse(event.data);
      if (event.type !== 'sample') continue;
      const sample = JSON.parse(event.data) as { subscriptions: number; topics: { topic: string }[] };
      if (sample.subscriptions >= 1) return { view, topics: sample.topics.map((t) => t.topic) };
    }
  } finally {
    feed.close();
  }
  throw new Error('the feed ended');
}

describe('the dashboard feed', () => {
  it("in the demo's mode names the demo's selectors for anyone and every selector for a reader's token", async () => {
    const { origin } = await hubWith({});
    const subscriber = streamEvents(`${origin}/.well-known/mercure?topic=${encodeURIComponent(PRIVATE)}`, {
      headers: { authorization: `Bearer ${await createToken({ subscribe: [PRIVATE] }, KEY)}` },
    });
    void (async () => {
      for await (const _ of subscriber) {
      }
    })().catch(() => undefined);
    try {
      const anonymous = await firstNamedSample(origin);
      expect(anonymous.view).toEqual({ everySelector: false, demo: true });
      expect(anonymous.topics).not.toContain(PRIVATE);
      // A token that cannot read the subscriptions is not refused here: it gets the demo's view.
      const other = await firstNamedSample(origin, await createToken({ subscribe: [PRIVATE] }, KEY));
      expect(other.view?.everySelector).toBe(false);
      const reader = await firstNamedSample(origin, await createToken({ subscribe: READER }, KEY));
      expect(reader.view).toEqual({ everySelector: true, demo: true });
      expect(reader.topics).toContain(PRIVATE);
    } finally {
      subscriber.close();
    }
  });

  it("in the token mode ends a reader's stream when its token expires, and then refuses it", async () => {
    const { origin } = await hubWith({ demo: false, dashboard: 'token' });
    const token = await createToken({ subscribe: READER, expiresInSeconds: 3 }, KEY);
    const feed = streamEvents(`${origin}/dashboard/feed`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const types: string[] = [];
    const ended = (async () => {
      for await (const event of feed) types.push(event.type);
    })();
    // At least two seconds to live (exp is in whole seconds). The stream closes at exp; the client reconnects with the same, now expired, token: 401.
    await expect(ended).rejects.toMatchObject({ status: 401 });
    expect(types.slice(0, 2)).toEqual(['view', 'history']);
  });
});
