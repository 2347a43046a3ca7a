/**
 * `ssehub --history-ttl` as an operator runs it: the flag (or SSEHUB_HISTORY_TTL) reaches the storage
 * engine, the banner says it, and a Last-Event-ID older than the TTL is answered as unknown. The hub runs on
 * the real clock here, so the test only waits for expiry to happen (no bound on how long it takes); what is
 * replayed exactly before and after expiry is checked on a hand-moved clock in test/hub/history-ttl.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, type RunningCli, startsKilledAfterEach } from './cli-process.js';

const TOPIC = 'https://example.com/ttl';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssehub-ttl-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});
const start = startsKilledAfterEach();

/** The cursor the hub answers for `lastEventId` (the response head only; the stream is then dropped). */
async function cursorFor(cli: RunningCli, lastEventId: string): Promise<string | null> {
  const controller = new AbortController();
  const res = await fetch(`${cli.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`, {
    headers: { 'last-event-id': lastEventId },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  controller.abort();
  return res.headers.get('mercure-last-event-id');
}

describe('ssehub --history-ttl', () => {
  it.each<[string, string[], Record<string, string>, string]>([
    ['memory, by flag', ['--history-ttl', '1s'], {}, 'memory (history of 10000 updates up to 1s old'],
    [
      'SQLite, by SSEHUB_HISTORY_TTL',
      ['--storage', 'sqlite:DIR/hub.db', '--history-size', 'unbounded'],
      { SSEHUB_HISTORY_TTL: '1s' },
      '(durability full, history up to 1s old)',
    ],
  ])('%s: expires history by age and says so in the banner', async (_name, args, env, storageLine) => {
    const cli = await start(['--port', '0', '--no-ui', ...args.map((a) => a.replace('DIR', dir))], env);
    expect(cli.stderr()).toContain(storageLine);
    const res = await publish(cli.origin, cli.publisherToken!, { topic: TOPIC, id: 'first', data: 'x' });
    expect(res.status).toBe(200);
    // A newer update, so 'first' is not the newest (whose id stays known after it expired).
    const next = await publish(cli.origin, cli.publisherToken!, { topic: TOPIC, id: 'second', data: 'y' });
    expect(next.status).toBe(200);
    // Held while young; once a second has passed both are gone from history, and 'first' is unknown, as an
    // id evicted by count. Wait for the later one ('second') to expire too: on a loaded machine the two
    // publishes can be far enough apart that 'first' expires alone first.
    expect(['first', 'earliest']).toContain(await cursorFor(cli, 'first'));
    const historySize = async () =>
      /^ssehub_hub_history_size (\d+)$/m.exec(await (await fetch(`${cli.origin}/metrics`)).text())?.[1];
    let size = await historySize();
    for (let i = 0; i < 200 && size !== '0'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      size = await historySize();
    }
    expect(size).toBe('0');
    expect(await cursorFor(cli, 'first')).toBe('earliest');
  });
});
