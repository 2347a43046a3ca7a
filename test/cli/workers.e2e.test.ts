/**
 * `ssehub --workers N --transport redis://...` end to end, on a real redis-server: N worker processes
 * share one port and, through Redis, every update; a worker killed with SIGKILL is replaced; SIGTERM
 * drains every worker and the command exits 0.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { subscribe, subscribeUrl, type TestSubscriber } from '../hub/support/harness.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../support/redis-server.js';
import { killAndWait, publish, spawnCli, startCli, workerPids } from './cli-process.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ssehub --workers', () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('refuses more than one worker without Redis, saying how to start one', async () => {
    const child = spawnCli(['--workers', '2']);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.stderr()).toMatch(/--workers 2 needs --transport redis:\/\/.*Start one with "redis-server"/);
  });

  it.runIf(REDIS_ENABLED)(
    'shares every update across worker processes, replaces a killed worker, and drains all on SIGTERM',
    async () => {
      const redis: RedisServer = await startRedisServer();
      cleanup.push(() => redis.dispose());
      const cli = await startCli(['--port', '0', '--workers', '2', '--transport', `${redis.url}/0`]);
      cleanup.push(() => killAndWait(cli));
      await vi.waitFor(() => expect(workerPids(cli)).toHaveLength(2), { timeout: 20_000 });
      const topic = 'https://example.com/workers';
      // New connections are spread over the workers by the primary: several subscribers land on both.
      const subscribers: TestSubscriber[] = [];
      for (let i = 0; i < 6; i++) {
        const s = await subscribe(subscribeUrl(cli.origin, [topic]), { connection: 'close' });
        cleanup.push(() => s.abort());
        subscribers.push(s);
      }
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await publish(cli.origin, cli.publisherToken!, { topic, data: `${i}` });
        expect(res.status).toBe(200);
        ids.push(await res.text());
      }
      for (const s of subscribers) {
        await s.waitFor(10);
        expect(s.events.map((e) => e.lastEventId)).toEqual(ids);
      }

      const [victim] = workerPids(cli);
      process.kill(victim!, 'SIGKILL');
      await vi.waitFor(() => expect(workerPids(cli)).toHaveLength(3), { timeout: 20_000 });
      expect(cli.stdout()).toMatch(/"msg":"worker died: starting another"/);
      const after = await publish(cli.origin, cli.publisherToken!, { topic, data: 'after' });
      expect(after.status).toBe(200);

      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      for (const pid of workerPids(cli)) expect(alive(pid)).toBe(false);
    },
    // Three process starts (primary, two workers) and a restart: slow on a loaded machine.
    120_000,
  );
});
