import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStreamParser, type ReceivedEvent } from '../../src/protocol/index.js';
import { Channel } from '../../src/server/index.js';

/**
 * Channel ids survive a process restart: a Last-Event-ID from the previous process is `unknown` to the
 * new one (the client is told to reset), never the id of some other event there, which would make replay
 * skip events silently. Two real processes, one killed, the client's id carried from one to the other.
 */

const fixture = fileURLToPath(new URL('./fixtures/channel-server.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function start(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  return { child, base: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
}

/** Reads `/events` (with `lastEventId` when given) until `n` events arrived, then lets go. */
async function read(base: string, n: number, lastEventId?: string, during?: () => Promise<void>) {
  const controller = new AbortController();
  const response = await fetch(`${base}/events`, {
    headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const parser = new EventStreamParser({ onEvent: (e) => events.push(e) });
  await during?.();
  const reader = response.body!.getReader();
  while (events.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  controller.abort();
  return events;
}

describe('Channel ids across a process restart', () => {
  it('answers a stale id from the previous process as unknown (reset), never replaying from another event', async () => {
    const first = await start();
    const [live] = await read(first.base, 1, undefined, async () => {
      await fetch(`${first.base}/publish`, { method: 'POST', body: 'before the restart' });
    });
    expect(live?.data).toBe('before the restart');
    const staleId = live!.lastEventId;
    expect(staleId).not.toBe('');
    first.child.kill('SIGKILL');

    // The new process has published five events of its own; none of them may answer to the old id.
    const second = await start();
    const [reset] = await read(second.base, 1, staleId);
    expect(reset?.type).toBe('ssehub-reset');
    expect(JSON.parse(reset!.data)).toMatchObject({ reason: 'unknown-last-event-id', lastEventId: staleId });
    // The reset carries the new process's cursor, from which the client resumes with nothing skipped.
    const cursor = reset!.lastEventId;
    const after = await read(second.base, 1, cursor, async () => {
      await fetch(`${second.base}/publish`, { method: 'POST', body: 'after the restart' });
    });
    expect(after.map((e) => e.data)).toEqual(['after the restart']);
  });

  it('generates ids only for events that dispatch and carry none, and keeps given ids', () => {
    const channel = new Channel({ history: true });
    const [a, b] = [channel.broadcast({ data: 'a' }), channel.broadcast({ data: 'b' })];
    expect(a.event.id).toMatch(/^[0-9a-z]+-1$/);
    expect(b.event.id).toBe(a.event.id!.replace(/-1$/, '-2'));
    expect(channel.broadcast({ id: 'mine', data: 'c' }).event.id).toBe('mine');
    expect(channel.broadcast({ comment: 'keep-alive' }).event.id).toBeUndefined();
    expect(new Channel({ generateIds: false }).broadcast({ data: 'd' }).event.id).toBeUndefined();
    // Two channels (two processes) never share an epoch.
    expect(new Channel().broadcast({ data: 'x' }).event.id).not.toBe(a.event.id);
  });
});
