import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStreamParser } from '../../src/protocol/index.js';
import { publish, type RunningCli, startCli } from './cli-process.js';

const SECRET = 'restart-test-secret-of-at-least-32-bytes';
const TOPIC = 'https://example.com/orders';
let dir: string;
const running: RunningCli[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssehub-restart-'));
});
afterAll(async () => {
  for (const cli of running)
    if (cli.proc.exitCode === null && cli.proc.signalCode === null) cli.proc.kill('SIGKILL');
  // Wait until they are gone: a hub still closing its database can write the WAL back while the folder is
  // removed (ENOTEMPTY, seen on a loaded machine).
  await Promise.all(running.map((cli) => cli.exited));
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

async function until(condition: () => boolean, what: string, tries = 600) {
  for (let i = 0; i < tries && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** Reads a raw subscribe request up to the event `lastId`; returns the ids and the response cursor header. */
async function replay(origin: string, query: string, headers: Record<string, string>, lastId: string) {
  const controller = new AbortController();
  const res = await fetch(`${origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}${query}`, {
    headers,
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const ids: string[] = [];
  const parser = new EventStreamParser({ onEvent: (e) => ids.push(e.lastEventId) });
  const reader = res.body!.getReader();
  while (ids.at(-1) !== lastId) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  controller.abort();
  await reader.cancel().catch(() => undefined);
  return { ids, cursor: res.headers.get('last-event-id') };
}

describe('hub on SQLite storage, killed with SIGKILL and restarted', () => {
  it('loses no acknowledged publish, and a reconnecting EventSource resumes from its Last-Event-ID', async () => {
    const db = join(dir, 'hub.db');
    const args = [
      '--no-ui',
      '--storage',
      `sqlite:${db}`,
      '--jwt-key',
      SECRET,
      '--anonymous',
      '--log-level',
      'warn',
    ];
    const first = await startCli(['--port', '0', ...args]);
    running.push(first);
    const { createToken } = await import('../../src/hub/auth/index.js');
    const token = await createToken({ publish: ['*'] }, SECRET);

    const received: string[] = [];
    const es = new EventSource(`${first.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`);
    es.addEventListener('message', (e) => received.push(e.lastEventId));
    await new Promise((resolve) => es.addEventListener('open', resolve, { once: true }));

    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await publish(first.origin, token, { topic: TOPIC, data: `before ${i}` });
      expect(res.status).toBe(200);
      acked.push(await res.text());
    }
    await until(() => received.length === 5, 'the first five updates');

    // Kill mid-stream: many publishes in flight, SIGKILL once some are acknowledged.
    const inFlight = Array.from({ length: 40 }, (_, i) =>
      publish(first.origin, token, { topic: TOPIC, data: `during ${i}` }).then(
        async (res) => {
          if (res.status === 200) acked.push(await res.text());
        },
        () => undefined, // cut by the kill: not acknowledged
      ),
    );
    await until(() => acked.length >= 10, 'some in-flight publishes to be acknowledged');
    first.proc.kill('SIGKILL');
    await Promise.all(inFlight);
    expect((await first.exited).signal).toBe('SIGKILL');

    // Restart on the same port, so the EventSource reconnects on its own with Last-Event-ID.
    const second = await startCli(['--port', String(first.port), ...args]);
    running.push(second);
    for (let i = 0; i < 5; i++) {
      const res = await publish(second.origin, token, { topic: TOPIC, data: `after ${i}` });
      expect(res.status).toBe(200);
      acked.push(await res.text());
    }

    // The store holds every acknowledged id (plus any commit whose response the kill cut off).
    const newest = acked.at(-1)!;
    const everything = await replay(second.origin, '&lastEventID=earliest', {}, newest);
    const stored = everything.ids;
    for (const id of acked) expect(stored).toContain(id);
    expect(everything.cursor).toBe('earliest');

    // The EventSource got exactly the stored sequence: live before the kill, replay + live after.
    await until(() => received.length >= stored.length, 'the EventSource to catch up after the restart');
    es.close();
    expect(received).toEqual(stored);
    expect(new Set(received).size).toBe(received.length);

    // A client resuming from the fifth update gets everything after it, with the cursor echoed.
    const resumed = await replay(second.origin, '', { 'last-event-id': acked[4]! }, newest);
    expect(resumed.ids).toEqual(stored.slice(5));
    expect(resumed.cursor).toBe(acked[4]);

    second.proc.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    // A budget for two process starts and a replay, sized for a loaded two-core machine.
  }, 180_000);
});
