import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../src/hub/auth/index.js';
import { createHub, type Hub } from '../../src/hub/index.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { launchChromium } from '../support/chromium.js';
import { SECRET, token } from './support/harness.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);

/** The page the hub serves through `fallback`: it only needs to exist on the hub's origin. */
const PAGE = '<!doctype html><title>hub test</title><p>ssehub</p>';

describe.skipIf(!enabled)('the hub and headless Chromium EventSource', () => {
  let hub: Hub;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    hub = createHub({
      authorizer: await createAuthorizer({ key: { key: SECRET }, anonymous: true }),
      maxConnections: 2,
      reconnectRetryMs: 200,
      fallback: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      },
    });
    server = createServer(hub.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.addCookies([
      {
        name: 'mercureAuthorization',
        value: await token({ subscribe: ['https://example.com/private/{id}'] }),
        url: origin,
      },
    ]);
    page = await context.newPage();
    await page.goto(`${origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  /** Opens an EventSource in the page, stored as window.sources[name], recording events. */
  async function openSource(name: string, topic: string): Promise<void> {
    await page.evaluate(
      ({ name, url }) => {
        const w = window as unknown as { sources: Record<string, { es: EventSource; log: string[] }> };
        w.sources ??= {};
        const es = new EventSource(url);
        const log: string[] = [];
        es.onopen = () => log.push('open');
        es.onerror = () => log.push(`error:${es.readyState}`);
        es.onmessage = (e) => log.push(`${e.data}@${e.lastEventId}`);
        w.sources[name] = { es, log };
      },
      { name, url: `/.well-known/mercure?topic=${encodeURIComponent(topic)}` },
    );
  }

  function waitForLog(name: string, predicate: string): Promise<unknown> {
    return page.waitForFunction(
      ({ name, predicate }) => {
        const w = window as unknown as { sources: Record<string, { log: string[] }> };
        return w.sources[name]?.log.some((l) => l.startsWith(predicate));
      },
      { name, predicate },
    );
  }

  const log = (name: string) =>
    page.evaluate(
      (n) => (window as unknown as { sources: Record<string, { log: string[] }> }).sources[n]!.log,
      name,
    );
  const closeSource = (name: string) =>
    page.evaluate(
      (n) => (window as unknown as { sources: Record<string, { es: EventSource }> }).sources[n]!.es.close(),
      name,
    );

  it('receives updates, reconnects after the hub drops it and resumes from Last-Event-ID', async () => {
    await openSource('books', 'https://example.com/books/{id}');
    await waitForLog('books', 'open');
    const first = await hub.publish({ topics: 'https://example.com/books/1', data: 'one', retry: 100 });
    await waitForLog('books', 'one@');
    server.closeAllConnections(); // drop every stream: the browser must reconnect on its own
    await hub.publish({ topics: 'https://example.com/books/2', data: 'two' });
    await waitForLog('books', 'two@');
    expect(await log('books')).toEqual(expect.arrayContaining([`one@${first.id}`, 'open']));
    await closeSource('books');
  });

  it('receives private updates with the cookie, and never ones its claim does not cover', async () => {
    await openSource('private', 'https://example.com/private/{id}');
    await waitForLog('private', 'open');
    await hub.publish({ topics: 'https://example.com/private/1', data: 'mine', private: true });
    await hub.publish({
      topics: ['https://example.com/private/2', 'https://example.com/other'],
      data: 'routed',
      private: true,
    });
    await hub.publish({ topics: 'https://example.com/private/3', data: 'public' });
    await waitForLog('private', 'public@');
    expect((await log('private')).filter((l) => l.includes('@')).map((l) => l.split('@')[0])).toEqual([
      'mine',
      'routed',
      'public',
    ]);
    await closeSource('private');
  });

  it('over the connection cap, EventSource keeps retrying instead of failing for good', async () => {
    // The cap is 2: wait until the previous tests' streams are gone, then hold both slots.
    while (hub.stats().connections > 0) await new Promise((r) => setTimeout(r, 20));
    await openSource('a', 'cap');
    await openSource('b', 'cap');
    await waitForLog('a', 'open');
    await waitForLog('b', 'open');
    await openSource('c', 'cap');
    await waitForLog('c', 'error:0'); // readyState CONNECTING: the browser will retry
    await closeSource('a');
    await page.waitForFunction(() => {
      const w = window as unknown as { sources: Record<string, { log: string[] }> };
      return w.sources.c!.log.filter((l) => l === 'open').length >= 2;
    });
    while (hub.stats().connections < 2) await new Promise((r) => setTimeout(r, 20));
    await hub.publish({ topics: 'cap', data: 'finally' });
    await waitForLog('c', 'finally@');
    expect((await log('c')).some((l) => l === 'error:2')).toBe(false); // never CLOSED
    await closeSource('b');
    await closeSource('c');
  });
});
