import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTransport } from '../../../src/hub/storage/sqlite-transport.js';

const child = fileURLToPath(new URL('./fixtures/sqlite-crash-child.ts', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssehub-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the child until it acknowledged `count` ids, SIGKILLs it, and returns the acknowledged ids. */
function publishThenKill(path: string, durability: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path, durability], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
      if (!killed && acked.length >= count) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}): ${stderr}`));
      // A line cut by the kill is not an acknowledgement.
      else resolve(acked);
    });
  });
}

describe('SqliteTransport survives SIGKILL', () => {
  it.each(['full', 'normal'])(
    'durability %s: every acknowledged id is there, in order',
    async (durability) => {
      const path = join(dir, `crash-${durability}.db`);
      const acked = await publishThenKill(path, durability, 300);
      expect(acked.length).toBeGreaterThanOrEqual(300);

      const reopened = new SqliteTransport({ path, historySize: 'unbounded' });
      try {
        const stored = (await reopened.replay('earliest', Number.MAX_SAFE_INTEGER)).updates.map((u) => u.id);
        // Acknowledged ids are a prefix-ordered subset: the store may also hold commits whose ack line the
        // kill cut off, never fewer.
        expect(stored.length).toBeGreaterThanOrEqual(acked.length);
        const position = new Map(stored.map((id, i) => [id, i]));
        const positions = acked.map((id) => position.get(id));
        expect(positions.every((p) => p !== undefined)).toBe(true);
        const order = positions as number[];
        expect(order).toEqual([...order].sort((a, b) => a - b));
        // And nothing else: the store holds exactly c0..cN, no hole, no stray row.
        expect(stored).toEqual(stored.map((_, i) => `c${i}`));
        // The reopened store accepts new publishes after the crash.
        await reopened.dispatch({ id: 'after-crash', topics: ['t'], data: '', private: false });
        expect(await reopened.lastEventId()).toBe('after-crash');
      } finally {
        await reopened.close();
      }
    },
  );
});
