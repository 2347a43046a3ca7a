import type { IncomingHttpHeaders } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel, openStream, type SseStream } from '../../src/server/index.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { launchChromium } from '../support/chromium.js';
import { startHttp, type TestServer } from './support/servers.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);

const PAGE = `<!doctype html><script>
window.log = [];
window.opens = 0;
const es = new EventSource('/sse');
es.onopen = () => { window.opens++; window.log.push('open'); };
es.onmessage = (e) => window.log.push('message:' + e.data + '@' + e.lastEventId);
es.addEventListener('resumed', (e) => window.log.push('resumed:' + e.data + '@' + e.lastEventId));
es.addEventListener('ssehub-reset', (e) => window.log.push('reset:' + e.data + '@' + e.lastEventId));
window.es = es;
</script>`;

describe.skipIf(!enabled)("headless Chromium's EventSource against openStream", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requests: IncomingHttpHeaders[] = [];
  const streams: SseStream[] = [];
  const channel = new Channel({ history: { maxEvents: 100 }, resetEvent: 'ssehub-reset' });

  beforeAll(async () => {
    server = await startHttp((req, res) => {
      if (req.url === '/sse') {
        requests.push(req.headers);
        const stream = openStream(req, res);
        streams.push(stream);
        channel.join(stream);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens before any event is sent, receives events, reconnects with Last-Event-ID and gets the rest', async () => {
    await page.goto(server.url);
    // Nothing but headers and the opening comment has been written: onopen must fire on those alone.
    await page.waitForFunction(() => (window as unknown as { opens: number }).opens === 1);
    expect(requests[0]!.accept).toBe('text/event-stream');
    expect(requests[0]!['last-event-id']).toBeUndefined();

    channel.broadcast({ id: '1', data: 'one' });
    channel.broadcast({ id: '2', data: 'two' });
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.length === 3);
    // Close with a short retry; the browser comes back with Last-Event-ID: 2. Publish meanwhile.
    streams[0]!.close({ retry: 50 });
    channel.broadcast({ id: '3', event: 'resumed', data: 'three' });
    await page.waitForFunction(() => (window as unknown as { opens: number }).opens === 2);
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.length === 5);
    expect(requests[1]!['last-event-id']).toBe('2');
    expect(streams[1]!.lastEventId).toBe('2');
    const log = await page.evaluate(() => (window as unknown as { log: string[] }).log);
    expect(log).toEqual(['open', 'message:one@1', 'message:two@2', 'open', 'resumed:three@3']);
  });

  it('sees the in-band reset event (with the cursor as its id) when its Last-Event-ID is unknown', async () => {
    await page.evaluate(() => (window as unknown as { es: EventSource }).es.close());
    await page.goto(`${server.url}/?fresh`);
    await page.waitForFunction(() => (window as unknown as { opens: number }).opens === 1);
    // Forget the history, then make the browser reconnect with an id the channel no longer holds.
    for (let i = 100; i < 300; i++) channel.broadcast({ id: String(i), data: 'filler' });
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.length === 201);
    await page.evaluate(() => {
      (window as unknown as { log: string[] }).log = [];
    });
    streams.at(-1)!.close({ retry: 10 });
    for (let i = 300; i < 500; i++) channel.broadcast({ id: String(i), data: 'missed' });
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.length >= 2);
    const log = await page.evaluate(() => (window as unknown as { log: string[] }).log);
    expect(log[0]).toBe('open');
    expect(log[1]).toBe('reset:{"reason":"unknown-last-event-id","lastEventId":"299","cursor":"499"}@499');
  });
});
