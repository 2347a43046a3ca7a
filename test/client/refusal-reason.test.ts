/**
 * An SseHttpError carries what the server said about the refusal, so a client sees "Token expired at ..."
 * rather than a bare 401: RFC 6750 `error_description`, else a short text or JSON body, never a page.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHttpError, streamEvents } from '../../src/client/index.js';
import { createAuthorizer, createHub, createToken } from '../../src/hub/index.js';
import { type Handler, startServer, type TestServer } from './test-server.js';

const servers: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function refusal(handler: Handler): Promise<SseHttpError> {
  const server: TestServer = await startServer(handler);
  servers.push(server);
  const stream = streamEvents(server.origin, { reconnectionTime: 1 });
  const error = await stream[Symbol.asyncIterator]()
    .next()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(SseHttpError);
  return error as SseHttpError;
}

describe('the reason of a refusal', () => {
  it.each([
    [
      'RFC 6750 error_description',
      {
        'www-authenticate':
          'Bearer realm="hub", error="invalid_token", error_description="Token expired at 2026-11-30T10:00:00Z"',
      },
      'text/html',
      '<html>ignored</html>',
      'Token expired at 2026-11-30T10:00:00Z',
    ],
    [
      'RFC 6750 error alone',
      { 'www-authenticate': 'Bearer error="insufficient_scope"' },
      '',
      '',
      'insufficient_scope',
    ],
    ['a text body', {}, 'text/plain; charset=utf-8', 'Token expired\n  at noon\n', 'Token expired at noon'],
    [
      'a JSON body',
      {},
      'application/json',
      '{"status":401,"message":"Bad token signature"}',
      'Bad token signature',
    ],
    ['an HTML page (not a reason)', {}, 'text/html', '<html><body>Login</body></html>', undefined],
  ])('%s', async (_name, headers, type, body, expected) => {
    const error = await refusal((_req, res) => {
      res.writeHead(401, { ...headers, ...(type ? { 'content-type': type } : {}) });
      res.end(body);
    });
    expect(error.reason).toBe(expected);
    if (expected !== undefined) expect(error.message).toContain(JSON.stringify(expected));
  });

  it('reads at most the start of a long or endless body, in one line of at most 300 characters', async () => {
    const error = await refusal((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.write('x'.repeat(5000)); // and never ends
    });
    expect(error.reason).toHaveLength(300);
    expect(error.reason!.endsWith('…')).toBe(true);
  });

  it("carries the hub's own words for an expired token", async () => {
    const secret = 'k'.repeat(40);
    const hub = createHub({ authorizer: await createAuthorizer({ subscriberKey: { key: secret } }) });
    const server = createServer(hub.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(
      { close: () => new Promise<void>((r) => server.close(() => r())) },
      { close: () => hub.close() },
    );
    const token = await createToken({ subscribe: ['*'], expiresInSeconds: -60 }, secret);
    const { port } = server.address() as AddressInfo;
    const stream = streamEvents(`http://127.0.0.1:${port}/.well-known/mercure?topic=x`, {
      headers: { authorization: `Bearer ${token}` },
      reconnectionTime: 1,
    });
    const error = (await stream[Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e)) as SseHttpError;
    expect(error).toBeInstanceOf(SseHttpError);
    expect(error.status).toBe(401);
    expect(error.reason).toMatch(/expired/i);
  });
});
