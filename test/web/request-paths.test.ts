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

/** GET `path` exactly as given; resolves with the status, content type and the first bytes of the body. */
function get(origin: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/`, { path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      const done = (): void => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
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
});
