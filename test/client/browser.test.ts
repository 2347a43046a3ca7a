import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { launchChromium } from '../support/chromium.js';
import { lastEventIdOf, openStream, startServer, type TestServer } from './test-server.js';

/** What the test page puts on `window`: the bundled client and fetch-event-source. */
interface Globals {
  ssehub: typeof import('../../src/client/index.js');
  fes: typeof import('@microsoft/fetch-event-source');
}

const enabled = requireBinary('Chromium', CHROMIUM_PATH);

/** Bundles an entry point to one ESM string, as the web UI would ship it. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    write: false,
    platform: 'browser',
  });
  return result.outputFiles[0]!.text;
}

const WORKER = `
import { streamEvents } from '/client.js';
const seen = [];
for await (const event of streamEvents(self.location.origin + '/stream/worker', { reconnectionTime: 1 })) {
  seen.push(event.data + '@' + event.lastEventId);
  if (seen.length === 2) break;
}
postMessage(seen);
`;

describe.skipIf(!enabled)('ssehub/client in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const client = await bundle(fileURLToPath(new URL('../../src/client/index.ts', import.meta.url)));
    const peer = await bundle(
      fileURLToPath(
        new URL('../../node_modules/@microsoft/fetch-event-source/lib/esm/index.js', import.meta.url),
      ),
    );
    // One counter per path (query included), so each client sees its own first connection.
    const connections = new Map<string, number>();
    server = await startServer((req, res, _i, body) => {
      const path = req.url ?? '/';
      if (path === '/client.js' || path === '/fes.js' || path === '/worker.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(path === '/client.js' ? client : path === '/fes.js' ? peer : WORKER);
        return;
      }
      if (!path.startsWith('/stream/')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          "<!doctype html><title>client</title><script type=module>import * as c from '/client.js';" +
            "import * as f from '/fes.js'; window.ssehub = c; window.fes = f;</script>",
        );
        return;
      }
      const scenario = new URL(path, 'http://x').pathname.slice('/stream/'.length);
      const n = connections.get(path) ?? 0;
      connections.set(path, n + 1);
      if (scenario === 'shed' && n === 0) {
        // A server shedding load: come back in a moment.
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
        return;
      }
      if (scenario === 'unauthorized') {
        res.writeHead(401);
        res.end();
        return;
      }
      openStream(res);
      if (scenario === 'shed') res.write('data: back\n\n');
      if (scenario === 'reconnect' || scenario === 'worker') {
        if (n === 0) res.end('retry: 1\nid: é1\nevent: note\ndata: first\n\n');
        else res.write('data: second\n\n');
      } else if (scenario === 'post') {
        res.write(`data: ${req.method} ${req.headers.authorization} ${body}\n\n`);
      } else if (scenario === 'hidden') {
        res.write('data: before\n\n');
        // The second event is written only after the test has hidden the page (see below).
        hiddenResponses.set(new URL(path, server.origin).searchParams.get('who') ?? '', res);
      }
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => 'ssehub' in window && 'fes' in window);
  });

  const hiddenResponses = new Map<string, ServerResponse>();

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the EventSource-compatible class: named events, reconnect with Last-Event-ID, origin, states', async () => {
    const result = await page.evaluate(async () => {
      const { EventSource } = (window as unknown as Globals).ssehub;
      const source = new EventSource('/stream/reconnect');
      const log: string[] = [];
      source.onopen = () => log.push(`open:${source.readyState}`);
      source.onerror = () => log.push(`error:${source.readyState}`);
      const origin = await new Promise<string>((resolve) => {
        source.addEventListener('note', (e) => log.push(`note:${e.data}:${e.lastEventId}`));
        source.onmessage = (e) => {
          log.push(`message:${e.data}:${e.lastEventId}:${e instanceof MessageEvent}`);
          resolve(e.origin);
        };
      });
      source.close();
      return { log, origin, url: source.url, state: source.readyState };
    });
    expect(result.log).toEqual(['open:1', 'note:first:é1', 'error:0', 'open:1', 'message:second:é1:true']);
    expect(result.origin).toBe(server.origin);
    expect(result.url).toBe(`${server.origin}/stream/reconnect`);
    expect(result.state).toBe(2);
    const reconnect = server.requests.filter((r) => r.path === '/stream/reconnect');
    expect(reconnect[0]!.headers['last-event-id']).toBeUndefined();
    expect(reconnect[0]!.headers.accept).toBe('text/event-stream');
    expect(reconnect[0]!.headers['cache-control']).toBe('no-cache');
    expect(lastEventIdOf(reconnect[1]!)).toBe('é1');
  });

  it('POSTs a body with an Authorization header from the browser', async () => {
    const data = await page.evaluate(async () => {
      const { streamEvents } = (window as unknown as Globals).ssehub;
      for await (const event of streamEvents('/stream/post', {
        method: 'POST',
        headers: { authorization: 'Bearer browser' },
        body: 'prompt=hi',
      })) {
        return event.data;
      }
      return undefined;
    });
    expect(data).toBe('POST Bearer browser prompt=hi');
  });

  it('runs in a module Web Worker (no window, no document)', async () => {
    const seen = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const worker = new Worker('/worker.js', { type: 'module' });
          worker.onmessage = (e) => resolve(e.data as string[]);
          worker.onerror = (e) => reject(new Error(e.message));
        }),
    );
    expect(seen).toEqual(['first@é1', 'second@é1']);
  });

  it('keeps streaming when the tab becomes hidden, where fetch-event-source (default) closes', async () => {
    await page.evaluate(async () => {
      const { EventSource } = (window as unknown as Globals).ssehub;
      const { fetchEventSource } = (window as unknown as Globals).fes;
      const w = window as unknown as { ours: string[]; theirs: string[] };
      w.ours = [];
      w.theirs = [];
      new EventSource('/stream/hidden?who=ours').onmessage = (e) => w.ours.push(e.data);
      void fetchEventSource('/stream/hidden?who=theirs', { onmessage: (e) => w.theirs.push(e.data) });
    });
    await page.waitForFunction(() => {
      const w = window as unknown as { ours: string[]; theirs: string[] };
      return w.ours.length === 1 && w.theirs.length === 1;
    });
    // Simulate the tab going to the background, as a browser does when the user switches tabs.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const theirs = server.requests.find((r) => r.path === '/stream/hidden?who=theirs')!;
    await theirs.closed;
    const ours = hiddenResponses.get('ours')!;
    expect(ours.destroyed).toBe(false);
    ours.write('data: after\n\n');
    await page.waitForFunction(() => (window as unknown as { ours: string[] }).ours.length === 2);
    const result = await page.evaluate(() => {
      const w = window as unknown as { ours: string[]; theirs: string[] };
      return { ours: w.ours, theirs: w.theirs };
    });
    expect(result).toEqual({ ours: ['before', 'after'], theirs: ['before'] });
  });

  it('native EventSource gives up on 503 and hides the status of a 401; ours comes back and reports it', async () => {
    const result = await page.evaluate(async () => {
      const { EventSource: Ours } = (window as unknown as Globals).ssehub;
      const outcome = (source: EventSource | InstanceType<typeof Ours>) =>
        new Promise<string>((resolve) => {
          source.onmessage = (e: MessageEvent) => {
            resolve(`message:${e.data}`);
            source.close();
          };
          source.onerror = (e: Event) => {
            if (source.readyState === 2)
              resolve(`closed:${(e as Event & { status?: number }).status ?? 'none'}`);
          };
        });
      return {
        nativeShed: await outcome(new EventSource('/stream/shed?who=native')),
        // Retry-After: 0 is a minimum wait; the backoff (from a 100 ms base here) still applies.
        oursShed: await outcome(new Ours('/stream/shed?who=ours', { reconnectionTime: 100 })),
        nativeUnauthorized: await outcome(new EventSource('/stream/unauthorized?who=native')),
        oursUnauthorized: await outcome(new Ours('/stream/unauthorized?who=ours')),
      };
    });
    expect(result).toEqual({
      nativeShed: 'closed:none',
      oursShed: 'message:back',
      nativeUnauthorized: 'closed:none',
      oursUnauthorized: 'closed:401',
    });
    expect(server.requests.filter((r) => r.path === '/stream/shed?who=native')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/stream/shed?who=ours')).toHaveLength(2);
  });
});
