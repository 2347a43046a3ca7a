/**
 * Replay after failover, for bench/redis/run.ts: `subscribers` streams on the victim node, which is then
 * SIGKILLed; `missed` updates are published to the survivor; then every subscriber reconnects to the
 * survivor at once with its Last-Event-ID (as a load balancer would send them). Measures the time from
 * the reconnections until every subscriber received the last missed update, and checks that each got
 * exactly the missed updates, in order.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { EventStreamParser } from '../../src/protocol/index.js';

interface Node {
  proc: ChildProcess;
  port: number;
  token: string;
}

const TOPIC = 'failover';
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/** Opens a stream; calls `onId` for every event id; resolves once the response head arrived. */
function open(
  port: number,
  lastEventId: string | undefined,
  onId: (id: string) => void,
): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        agent,
        path: `/.well-known/mercure?topic=${TOPIC}`,
        headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      },
      (res) => {
        const parser = new EventStreamParser({ onEvent: (e) => onId(e.lastEventId) });
        res.on('data', (chunk: Buffer) => parser.feed(chunk));
        res.on('error', () => {});
        resolve(req);
      },
    );
    req.on('error', reject);
  });
}

async function publish(node: Node, data: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${node.port}/.well-known/mercure`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ topic: TOPIC, data }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`publish: ${res.status} ${text}`);
  return text;
}

export async function replayAfterFailover(options: {
  victim: Node;
  survivor: Node;
  subscribers: number;
  missed: number;
}): Promise<Record<string, number>> {
  const { victim, survivor, subscribers, missed } = options;
  const last: (string | undefined)[] = new Array(subscribers).fill(undefined);
  const requests: http.ClientRequest[] = [];
  for (let i = 0; i < subscribers; i++) {
    requests.push(
      await open(victim.port, undefined, (id) => {
        last[i] = id;
      }),
    );
  }
  const before = await publish(survivor, 'before the failover');
  while (last.some((id) => id !== before)) await new Promise((r) => setTimeout(r, 20));

  const exited = new Promise((resolve) => victim.proc.once('exit', resolve));
  victim.proc.kill('SIGKILL');
  await exited;
  for (const req of requests) req.destroy();
  const expected: string[] = [];
  for (let i = 0; i < missed; i++) expected.push(await publish(survivor, `missed ${i}`));
  const finalId = expected.at(-1)!;

  const received: string[][] = Array.from({ length: subscribers }, () => []);
  let done = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const started = performance.now();
  const resumed = await Promise.all(
    last.map((id, i) =>
      open(survivor.port, id, (got) => {
        received[i]!.push(got);
        if (got === finalId && ++done === subscribers) resolveAll();
      }),
    ),
  );
  await all;
  const elapsed = performance.now() - started;
  for (const req of resumed) req.destroy();
  const exact = received.filter((ids) => ids.join() === expected.join()).length;
  return {
    subscribers,
    missed_updates: missed,
    all_resumed_ms: Math.round(elapsed),
    exact_and_in_order: exact,
  };
}
