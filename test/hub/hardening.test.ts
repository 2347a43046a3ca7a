import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHub, startHub, token } from './support/harness.js';

let h: RunningHub | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Writes `request` on a raw socket and resolves with everything the hub sent until it closed. */
function raw(port: number, request: string, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(request);
    if (!keepOpen) socket.end();
  });
}

describe('hub hardening: request bodies', () => {
  it('answers 408 and closes the connection when a publish body trickles past bodyTimeoutMs', async () => {
    h = await startHub({ bodyTimeoutMs: 300 });
    const jwt = await token({ publish: ['*'] });
    // Declares 100 bytes, sends 10, then nothing: the hub must give up, not wait for ever.
    const answer = await raw(
      h.port,
      'POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${jwt}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        'Content-Length: 100\r\n\r\ntopic=abcd',
      true,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('did not arrive within 300 ms');
  });
});
