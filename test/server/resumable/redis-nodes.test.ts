/**
 * Two nodes sharing a real redis-server (started by the test): a reader attaches to a stream through the
 * node that does not produce it and follows it live to `done`; when the producing node is killed with
 * SIGKILL, a reader on the other node gets every stored event, then `interrupted` once the node's lease
 * ran out. Skipped outside CI when redis-server is missing; fails in CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamStore } from '../../../src/hub/index.js';
import { ResumableStreams } from '../../../src/server/index.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { Gate, readEvents, serveRegistry, tokens, until } from './support.js';

let redis: RedisServer;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  if (REDIS_ENABLED) redis = await startRedisServer();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.dispose();
});

const fixture = fileURLToPath(new URL('./fixtures/store-server.ts', import.meta.url));

describe.runIf(REDIS_ENABLED)('resumable streams on Redis across nodes', () => {
  it('a reader attached through another node follows the stream live to done', async () => {
    const prefix = `{t-${randomUUID()}}:`;
    const gate = new Gate();
    const nodes = await Promise.all(
      [0, 1].map(async () => {
        const store = new RedisStreamStore({ url: redis.url, keyPrefix: prefix });
        const registry = new ResumableStreams({ store, leaseMs: 1000 });
        const served = await serveRegistry(registry, () => tokens(20, gate.wait));
        cleanups.push(async () => {
          await registry.close();
          await served.close();
        });
        return { store, registry, ...served };
      }),
    );
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const started = await fetch(`${a.url}/start`, { method: 'POST' });
    const id = started.headers.get('sse-stream-id')!;
    await started.body!.cancel();
    for (let i = 0; i < 5; i++) {
      await until(() => gate.waiting > 0);
      gate.open();
    }
    await until(() => gate.waiting > 0);
    // Attach through node B, which does not produce it, after event 2.
    const reading = readEvents(await fetch(`${b.url}/attach`, { headers: { 'last-event-id': `${id}:2` } }));
    while (a.registry.running > 0) {
      gate.open();
      await new Promise((r) => setTimeout(r, 1));
    }
    const events = await reading;
    expect(events.map((e) => e.lastEventId)).toEqual(Array.from({ length: 18 }, (_, i) => `${id}:${3 + i}`));
    expect(events.slice(0, -1).map((e) => e.data)).toEqual(Array.from({ length: 17 }, (_, i) => `t${3 + i}`));
    expect(events.at(-1)!.type).toBe('done');
    // Ended: node B answers 204 for a reader that has it all.
    const after = await fetch(`${b.url}/attach`, { headers: { 'last-event-id': `${id}:20` } });
    expect(after.status).toBe(204);
  });

  it('a killed producing node: the other node replays what was stored, then interrupted', {
    timeout: 30_000,
  }, async () => {
    const prefix = `{t-${randomUUID()}}:`;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, redis.url, prefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const port = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/start`, { method: 'POST' });
    const id = response.headers.get('sse-stream-id')!;
    const seen = await readEvents(response, 20);
    // Node B follows live from event 4 while node A is still producing.
    const store = new RedisStreamStore({ url: redis.url, keyPrefix: prefix });
    const registry = new ResumableStreams({ store, leaseMs: 300 });
    const b = await serveRegistry(registry, () => tokens(1));
    cleanups.push(async () => {
      await registry.close();
      await b.close();
    });
    const following = readEvents(await fetch(`${b.url}/attach`, { headers: { 'last-event-id': `${id}:4` } }));
    child.kill('SIGKILL');
    const events = await following;
    const last = events.at(-1)!;
    expect(last.type).toBe('interrupted');
    expect(last.data).toBe('{"reason":"lost"}');
    expect(events.map((e) => e.lastEventId)).toEqual(events.map((_, i) => `${id}:${5 + i}`));
    expect(events.slice(0, 15).map((e) => e.data)).toEqual(seen.slice(5).map((e) => e.data));
    // A late reader through node B gets the same single terminal event.
    const late = await readEvents(await fetch(`${b.url}/attach/${id}`));
    expect(late.slice(5)).toEqual(events);
  });
});
