/**
 * The web UI's streamed chat on `ssehub --workers 2 --transport redis://...` (a real redis-server): the
 * answer is generated once by one worker, and attaches served by either worker (each on a new connection,
 * which the primary spreads over the workers) continue it to its `done` with every token once, in order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStreamParser, type ReceivedEvent } from '../../src/protocol/index.js';
import { generateAnswer } from '../../src/web-ui/index.js';
import { REDIS_ENABLED, type RedisServer, startRedisServer } from '../support/redis-server.js';
import { killAndWait, startCli, workerPids } from './cli-process.js';

/** Reads at most `limit` events from a response on a connection of its own, then closes it. */
async function read(response: Response, limit: number): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  const parser = new EventStreamParser({ onEvent: (event) => events.push(event) });
  const reader = response.body!.getReader();
  while (events.length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  await reader.cancel().catch(() => undefined);
  return events.slice(0, limit);
}

describe('web UI chat on several workers', () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it.runIf(REDIS_ENABLED)('attaches through any worker to the one answer', { timeout: 60_000 }, async () => {
    const redis: RedisServer = await startRedisServer();
    cleanup.push(() => redis.dispose());
    const cli = await startCli(['--port', '0', '--workers', '2', '--transport', `${redis.url}/0`]);
    cleanup.push(() => killAndWait(cli));
    await vi.waitFor(() => expect(workerPids(cli)).toHaveLength(2), { timeout: 20_000 });
    const prompt = 'Which worker answers?';
    const expected = generateAnswer(prompt);
    const start = await fetch(`${cli.origin}/demo/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: cli.origin, connection: 'close' },
      body: JSON.stringify({ prompt }),
    });
    expect(start.status).toBe(200);
    const events = await read(start, 3);
    const answer = (JSON.parse(events[0]!.data) as { answer: string }).answer;
    // Re-attach a few events at a time, each on a new connection (so both workers serve some).
    while (events.at(-1)!.type !== 'done') {
      const response = await fetch(`${cli.origin}/demo/chat/${answer}`, {
        headers: { 'last-event-id': events.at(-1)!.lastEventId, connection: 'close' },
      });
      expect(response.status).toBe(200);
      events.push(...(await read(response, 7)));
    }
    expect(events.map((e) => e.lastEventId)).toEqual(events.map((_, i) => `${answer}:${i}`));
    expect(events.filter((e) => e.type === 'token').map((e) => JSON.parse(e.data))).toEqual(expected);
    expect(events.at(-1)!.data).toBe('{"reason":"complete"}');
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });
});
