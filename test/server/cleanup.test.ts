import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/churn.ts', import.meta.url));

interface Snapshot {
  heapUsed: number;
  resources: number;
  serverListeners: number;
  signalListeners: number;
  connections: number;
}

describe('dead-client cleanup', () => {
  it('10,000 open/close cycles (client, server and abort closes) keep heap, handles and listeners flat', async () => {
    // A child process with --expose-gc, so heap figures are measured after real collections.
    // A budget, not a timing assertion: about 10 s alone, but over 120 s on two cores shared with a
    // load average of 30 (other suites, type-checks, browsers).
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, '10000'], {
      timeout: 600_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      opened: number;
      before: Snapshot;
      after: Snapshot;
      channelSize: number;
      groupSize: number;
      closes: Record<string, number>;
    };
    expect(report.opened).toBe(11_000);
    expect(report.channelSize).toBe(0);
    expect(report.groupSize).toBe(0);
    expect(Object.values(report.closes).reduce((a, b) => a + b, 0)).toBe(11_000);
    expect(report.closes.client).toBeGreaterThan(3000);
    expect(report.closes.server).toBeGreaterThan(3000);
    expect(report.closes.aborted).toBeGreaterThan(3000);
    // Handles (timers, sockets) and listeners back to their baseline.
    expect(report.after.resources).toBe(report.before.resources);
    expect(report.after.serverListeners).toBe(report.before.serverListeners);
    expect(report.after.signalListeners).toBe(0);
    expect(report.after.connections).toBe(0);
    // A leak of even one small object graph per stream would be ~10 MB here; allow 2 MB of noise.
    expect(report.after.heapUsed - report.before.heapUsed).toBeLessThan(2 * 1024 * 1024);
  }, 620_000);
});
