/**
 * The web UI routes by the request target's path as sent, like the hub: no URL resolution that would
 * read `//dashboard/feed` as a host and a path, or resolve `/%2e%2e/dashboard/feed` into the feed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from './harness.js';

let server: TestHub | undefined;
let root: string | undefined;
afterEach(async () => {
  await server?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  server = undefined;
  root = undefined;
});

interface Answer {
  status: number;
  type: string;
  allow: string | undefined;
  body: string;
}

/** `method` (default GET) `path` exactly as given; resolves with the status, headers and first bytes. */
function get(origin: string, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/`, { path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      const done = (): void => {
        res.destroy();
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          allow: res.headers.allow,
          body,
        });
      };
      res.on('data', (chunk: string) => {
        body += chunk;
        // An event stream never ends: its first bytes are enough.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) done();
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web UI request paths', () => {
  it('serves the dashboard feed at its path only, and names the path as sent when not found', async () => {
    root = mkdtempSync(join(tmpdir(), 'ssehub-web-paths-'));
    server = await startHub(root);
    const feed = await get(server.origin, '/dashboard/feed?x=1');
    expect(feed.status).toBe(200);
    expect(feed.type).toMatch(/^text\/event-stream/);

    const doubled = await get(server.origin, '//dashboard/feed');
    expect(doubled.status).toBe(404);
    expect(doubled.body).toContain('//dashboard/feed');

    const dotted = await get(server.origin, '/%2e%2e/dashboard/feed');
    expect(dotted.status).toBe(404);
    expect(dotted.type).not.toMatch(/^text\/event-stream/);

    const parent = await get(server.origin, '/dashboard/feed/..');
    expect(parent.status).toBe(404);
    expect(parent.type).not.toMatch(/^text\/event-stream/);
  });

  it('answers a method the feed or a demo endpoint does not take with 405, Allow and the reason', async () => {
    root = mkdtempSync(join(tmpdir(), 'ssehub-web-paths-'));
    server = await startHub(root);
    // RFC 9110, section 15.5.6: a 405 names the methods the resource takes in Allow.
    const feed = await get(server.origin, '/dashboard/feed', 'POST');
    expect(feed.status).toBe(405);
    expect(feed.allow).toBe('GET');
    expect(JSON.parse(feed.body)).toEqual({
      error: 'Use GET for the dashboard feed',
      code: 'SSEHUB_DEMO_METHOD_NOT_ALLOWED',
    });
    const config = await get(server.origin, '/demo/config', 'DELETE');
    expect(config.status).toBe(405);
    expect(config.allow).toBe('GET');
    expect(JSON.parse(config.body).code).toBe('SSEHUB_DEMO_METHOD_NOT_ALLOWED');
  });
});
