/**
 * A registry on the SQLite store, killed with SIGKILL mid-stream and restarted on the same file: a reader
 * attaching afterwards gets every stored event after its cursor (those it saw before the kill, unchanged),
 * then `interrupted`, never a silent end or a duplicate; then 204.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStreamStore } from '../../../src/hub/index.js';
import { EventStreamParser, type ReceivedEvent } from '../../../src/protocol/index.js';
import { ResumableStreams } from '../../../src/server/index.js';
import { readEvents, tokens, until } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ssehub-resumable-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const fixture = fileURLToPath(new URL('./fixtures/store-server.ts', import.meta.url));

async function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  // One process (tsx as a loader, not its CLI wrapper), so SIGKILL kills the one holding the file.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, db], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

describe('resumable streams on SQLite across a SIGKILL', () => {
  it('replays the stored part, then interrupted; then 204', { timeout: 60_000 }, async () => {
    const db = join(dir, 'streams.db');
    const first = await startServer(db);
    const response = await fetch(`${first.url}/start`, { method: 'POST' });
    const id = response.headers.get('sse-stream-id')!;
    const seen: ReceivedEvent[] = [];
    const parser = new EventStreamParser({ onEvent: (event) => seen.push(event) });
    const reader = response.body!.getReader();
    while (seen.length < 30) parser.feed((await reader.read()).value!);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await reader.cancel().catch(() => undefined);

    const second = await startServer(db);
    // A reader that had seen up to event 9 re-attaches to the restarted process.
    const resumed = await readEvents(
      await fetch(`${second.url}/attach`, { headers: { 'last-event-id': `${id}:9` } }),
    );
    const last = resumed.at(-1)!;
    expect(last.type).toBe('interrupted');
    expect(last.data).toBe('{"reason":"lost"}');
    const stored = resumed.slice(0, -1);
    expect(stored.length).toBeGreaterThanOrEqual(seen.length - 10); // everything it was sent was stored
    // Gap-free ids from 10 to the terminal event, no duplicate.
    expect(resumed.map((e) => e.lastEventId)).toEqual(resumed.map((_, i) => `${id}:${10 + i}`));
    // What the reader saw before the kill reads back unchanged.
    expect(stored.slice(0, seen.length - 10).map((e) => e.data)).toEqual(seen.slice(10).map((e) => e.data));
    expect(stored.map((e) => e.data)).toEqual(stored.map((_, i) => String(10 + i)));
    // A second reader from the start gets the same events and the same single terminal event.
    const all = await readEvents(await fetch(`${second.url}/attach/${id}`));
    expect(all.slice(10)).toEqual(resumed);
    const after = await fetch(`${second.url}/attach`, { headers: { 'last-event-id': last.lastEventId } });
    expect(after.status).toBe(204);
    second.child.kill('SIGKILL');
  });

  it('an in-process restart on the same file: a finished stream replays whole after reopening', async () => {
    const path = join(dir, 'reopen.db');
    const first = new ResumableStreams({ store: new SqliteStreamStore({ path }) });
    const id = await first.begin(tokens(3));
    await until(() => first.running === 0);
    await first.close();
    const second = new ResumableStreams({ store: new SqliteStreamStore({ path }) });
    const events = await readEvents(await second.attachResponse(new Request('http://x/a'), id));
    expect(events.map((e) => e.data)).toEqual(['t0', 't1', 't2', '{"reason":"complete"}']);
    await second.close();
  });

  it('a second process cannot open the same stream store', () => {
    const path = join(dir, 'locked.db');
    const first = new SqliteStreamStore({ path });
    first.create('a', 0); // the first write takes the exclusive lock
    expect(() => new SqliteStreamStore({ path })).toThrow(/in use by another process/);
    first.close();
  });
});
