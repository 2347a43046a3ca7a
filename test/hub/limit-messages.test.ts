/**
 * Every refusal for a limit names the setting both ways: the `createHub` option and the `ssehub` flag
 * (`maxBodyBytes (--max-body)`), so a user of either knows what to raise. Real requests on a real socket.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubOptions } from '../../src/hub/index.js';
import { publish, type RunningHub, startHub, subscribeUrl, token } from './support/harness.js';

let h: RunningHub | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function hub(options: HubOptions): Promise<RunningHub> {
  h = await startHub(options);
  return h;
}

/** Sends `request` as written and resolves with everything the hub answered before closing. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('limit refusals name the library option and the command flag', () => {
  it('413 for a publish body over maxBodyBytes', async () => {
    const { base } = await hub({ maxBodyBytes: 1000, subscriberMaxBufferedBytes: 1000 });
    const res = await publish(base, { topic: 'a', data: 'x'.repeat(5000) }, await token({ publish: ['*'] }));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('maxBodyBytes (--max-body)');
  });

  it('408 for a publish body slower than bodyTimeoutMs', async () => {
    const { port } = await hub({ bodyTimeoutMs: 300 });
    const jwt = await token({ publish: ['*'] });
    const answer = await raw(
      port,
      'POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${jwt}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        'Content-Length: 100\r\n\r\ntopic=abcd',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('bodyTimeoutMs (--body-timeout)');
  });

  it('400 for more topics than maxTopics, in a publish and in a subscription', async () => {
    const { base } = await hub({ maxTopics: 2 });
    const res = await publish(base, { topic: ['a', 'b', 'c'], data: 'x' }, await token({ publish: ['*'] }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('maxTopics (--max-topics)');
    const sub = await fetch(subscribeUrl(base, ['a', 'b', 'c']), {
      headers: { authorization: `Bearer ${await token({ subscribe: ['*'] })}` },
    });
    expect(sub.status).toBe(400);
    expect(await sub.text()).toContain('maxTopics (--max-topics)');
  });

  it('413 for an update that encodes beyond subscriberMaxBufferedBytes', async () => {
    const { base } = await hub({ subscriberMaxBufferedBytes: 2000 });
    const res = await publish(base, { topic: 'a', data: '\n'.repeat(900) }, await token({ publish: ['*'] }));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('subscriberMaxBufferedBytes (--max-buffered)');
  });

  it('a subscriber over maxConnections is told which setting capped it', async () => {
    const { base } = await hub({ maxConnections: 1 });
    const auth = { headers: { authorization: `Bearer ${await token({ subscribe: ['*'] })}` } };
    const first = new AbortController();
    const open = await fetch(subscribeUrl(base, ['t']), { ...auth, signal: first.signal });
    expect(open.status).toBe(200);
    const refused = await fetch(subscribeUrl(base, ['t']), auth);
    expect(await refused.text()).toContain('maxConnections (--max-connections)');
    first.abort();
  });
});
