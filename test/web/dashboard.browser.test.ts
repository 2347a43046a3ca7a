/**
 * The dashboard in production (keys configured, `demo: false`, `dashboard: 'token'`) in headless Chromium:
 * the page asks for a token with the hub's reason, then shows the operator's own topic and its counts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamEvents } from '../../src/client/index.js';
import { createAuthorizer, createToken } from '../../src/hub/auth/index.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { ARTIFACTS, buildWebUi, launchChromium, startHub, type TestHub, watchPage } from './harness.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);
const POLL = { timeout: 10_000, interval: 50 };
const KEY = 'a-dashboard-browser-secret-of-32-bytes-or-more';
const TOPIC = 'https://shop.example/orders/{id}';
/** Screenshots for people (the README, reviews), outside the repository when SSEHUB_SCREENS says so. */
const SCREENS = process.env.SSEHUB_SCREENS ?? ARTIFACTS;

describe.skipIf(!enabled)('the production dashboard in headless Chromium', () => {
  let web: ReturnType<typeof buildWebUi>;
  let server: TestHub;
  let browser: Browser;
  let subscriber: ReturnType<typeof streamEvents>;

  beforeAll(async () => {
    web = buildWebUi();
    const authorizer = await createAuthorizer({ key: { key: KEY } });
    server = await startHub(web.dir, { demo: false, dashboard: 'token', statsIntervalMs: 100 }, authorizer);
    browser = await launchChromium();
    // The operator's own subscriber, with its own token.
    const token = await createToken({ subscribe: [TOPIC] }, KEY);
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    subscriber = streamEvents(`${server.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`, {
      headers: { authorization: `Bearer ${token}` },
      onResponse: (response) => {
        if (response.status === 200) opened();
      },
    });
    void (async () => {
      for await (const _ of subscriber) {
      }
    })().catch(() => undefined);
    await open;
    await server.hub.publish({ topics: ['https://shop.example/orders/7'], data: 'shipped' });
    mkdirSync(SCREENS, { recursive: true });
  });

  afterAll(async () => {
    subscriber?.close();
    await browser?.close();
    await server?.close();
    web?.remove();
  });

  it("asks for a token with the hub's reason, then shows the operator's topic; the token survives a reload", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchPage(page, server.origin);
    await page.goto(`${server.origin}/dashboard`);
    await page.locator('#access:not([hidden])').waitFor();
    expect(await page.textContent('#access-reason')).toContain(
      "Reading the hub's subscriptions needs a subscriber token whose mercure.subscribe claim matches",
    );
    await page.screenshot({ path: join(SCREENS, 'dashboard-production-token-form.png') });
    // The demo pages are not served here: their links are hidden once the feed says so.
    const wrong = await createToken({ subscribe: [TOPIC] }, KEY);
    await page.fill('#token', wrong);
    await page.click('#token-form button[type="submit"]');
    await expect
      .poll(() => page.textContent('#access-reason'), POLL)
      .toContain("does not allow reading the hub's subscriptions");

    const reader = await createToken(
      { subscribe: ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'] },
      KEY,
    );
    await page.fill('#token', `Bearer ${reader}`);
    await page.click('#token-form button[type="submit"]');
    await page.locator('#state[data-state="open"]').waitFor();
    await page.locator('#access[hidden]').waitFor({ state: 'attached' });
    const row = page.locator('#topics-body tr', { hasText: TOPIC });
    await row.waitFor();
    expect(await row.locator('td.num').textContent()).toBe('1');
    await expect.poll(() => page.textContent('#f-connections'), POLL).toBe('1');
    await expect.poll(() => page.textContent('#f-published'), POLL).toBe('1');
    expect(await page.locator('#view-note').isHidden()).toBe(true);
    expect(await page.locator('nav a[data-demo]').first().isHidden()).toBe(true);
    expect(await page.locator('#forget-token').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENS, 'dashboard-production-desktop.png'), fullPage: true });

    await page.reload();
    await page.locator('#topics-body tr', { hasText: TOPIC }).waitFor();
    expect(await page.locator('#access').isHidden()).toBe(true);
    await page.click('#forget-token');
    await page.locator('#access:not([hidden])').waitFor();
    // The refusals are answered 401/403, which Chromium logs as failed resources: nothing else may appear.
    expect(problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
    await context.close();
  });

  it('fits a phone: the token form and then the figures, without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/dashboard`);
    await page.locator('#access:not([hidden])').waitFor();
    const reader = await createToken(
      { subscribe: ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'] },
      KEY,
    );
    await page.fill('#token', reader);
    await page.click('#token-form button[type="submit"]');
    await page.locator('#topics-body tr', { hasText: TOPIC }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENS, 'dashboard-production-phone.png'), fullPage: true });
    await context.close();
  });

  it("in development, names every topic at once with the demo's development token", async () => {
    const local = buildWebUi();
    const devToken = await createToken({ subscribe: ['*'] }, KEY);
    const authorizer = await createAuthorizer({ key: { key: KEY }, anonymous: true });
    const dev = await startHub(local.dir, { devToken, statsIntervalMs: 100 }, authorizer);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const problems = watchPage(page, dev.origin);
      const own = streamEvents(`${dev.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`, {
        headers: { authorization: `Bearer ${devToken}` },
      });
      void (async () => {
        for await (const _ of own) {
        }
      })().catch(() => undefined);
      await page.goto(`${dev.origin}/dashboard`);
      await page.locator('#topics-body tr', { hasText: TOPIC }).waitFor();
      expect(await page.locator('#view-note').isHidden()).toBe(true);
      expect(await page.locator('#forget-token').isHidden()).toBe(true);
      expect(await page.locator('nav a[data-demo]').first().isVisible()).toBe(true);
      expect(problems).toEqual([]);
      own.close();
    } finally {
      await context.close();
      await dev.close();
      local.remove();
    }
  });
});
