import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, createToken } from '../../src/hub/auth/index.js';
import { generateAnswer } from '../../src/web-ui/index.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { ARTIFACTS, buildWebUi, launchChromium, startHub, type TestHub, watchPage } from './harness.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);
/** Generous: the suite shares two cores with other browser suites under CI. */
const POLL = { timeout: 10_000, interval: 50 };

describe.skipIf(!enabled)('web UI pages in headless Chromium', () => {
  let web: ReturnType<typeof buildWebUi>;
  let server: TestHub;
  let browser: Browser;
  let context: BrowserContext;
  let topics: { clock: string; messages: string; room: string };

  beforeAll(async () => {
    web = buildWebUi();
    server = await startHub(web.dir, { chat: { tokenIntervalMs: 40 } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const config = (await (await fetch(`${server.origin}/demo/config`)).json()) as { topics: typeof topics };
    topics = config.topics;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    web?.remove();
  });

  /** Opens a page and waits until its status pill says it is connected. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems = watchPage(page, server.origin);
    await page.goto(`${server.origin}${path}`);
    return { page, problems };
  }

  const logText = async (page: Page) => (await page.locator('#log').textContent()) ?? '';
  /** Open subscriptions of one selector, from the hub itself. */
  const subscribers = (selector: string) =>
    server.hub.stats().topSelectors.find((entry) => entry.selector === selector)?.subscribers ?? 0;

  it('serves the live demo, which connects and shows published events with type, id and pretty JSON', async () => {
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    await page.fill('#message-type', 'greeting');
    await page.fill('#message-data', '{"hello":"world","n":[1,2]}');
    await page.click('#message-form button[type="submit"]');
    const entry = page.locator('#log .entry.event').filter({ hasText: 'greeting' }).first();
    await entry.waitFor();
    expect(await entry.locator('.data').textContent()).toBe(
      '{\n  "hello": "world",\n  "n": [\n    1,\n    2\n  ]\n}',
    );
    expect(await entry.locator('.id').textContent()).toMatch(/^urn:uuid:/);

    // Multi-line data published by the hub itself arrives with its line breaks.
    await server.hub.publish({ topics: topics.messages, data: 'line one\nline two', type: 'lines' });
    const lines = page.locator('#log .entry.event').filter({ hasText: 'lines' }).first();
    await lines.waitFor();
    expect(await lines.locator('.data').textContent()).toBe('line one\nline two');

    // The server-side clock publisher: connecttime events.
    await page.click('#clock');
    await page.locator('#log .entry.event .type', { hasText: 'connecttime' }).first().waitFor();
    await page.click('#clock');
    await expect.poll(() => page.getAttribute('#clock', 'aria-pressed'), POLL).toBe('false');
    await page.fill('#room-name', 'Ada');
    await page.click('#join');
    await page.fill('#room-text', 'Hello from the live demo');
    await page.press('#room-text', 'Enter');
    await page.locator('#room-log', { hasText: 'Ada: Hello from the live demo' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'live-demo.png'), fullPage: true });

    // A URI template subscription receives every demo topic it matches (RFC 6570).
    await page.click('#use-template');
    await page.locator('#log .entry.note', { hasText: 'Connected to 1 topic' }).waitFor();
    await server.hub.publish({ topics: topics.room, data: 'via the template', type: 'templated' });
    await page.locator('#log .entry.event', { hasText: 'via the template' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the clock publisher state the hub has now, on load and after reconnecting', async () => {
    const setClock = (running: boolean) =>
      fetch(`${server.origin}/demo/clock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: server.origin },
        body: JSON.stringify({ running }),
      });
    expect((await setClock(true)).status).toBe(200);
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    await expect.poll(() => page.getAttribute('#clock', 'aria-pressed'), POLL).toBe('true');
    // Changed behind the page's back (as a hub restart does): a reconnection reads it again.
    expect((await setClock(false)).status).toBe(200);
    await page.click('#toggle-receive');
    await page.locator('#state[data-state="stopped"]').waitFor();
    await page.click('#toggle-receive');
    await expect.poll(() => page.getAttribute('#clock', 'aria-pressed'), POLL).toBe('false');
    expect(await page.textContent('#clock')).toBe('Start the clock');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses an unparsable URI template in the page, keeping the open subscription', async () => {
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    await expect.poll(() => subscribers(topics.messages), POLL).toBe(1);
    await page.fill('#topics', 'https://example.com/{unclosed');
    await page.click('#subscribe-form button[type="submit"]');
    await page.locator('#log .entry.error', { hasText: 'is never closed' }).waitFor();
    expect(await page.textContent('#topics-problem')).toContain('is never closed');
    expect(await page.getAttribute('#state', 'data-state')).toBe('open');
    expect(subscribers(topics.messages)).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on a phone, fits the header in two rows and shows the dashboard chart before the figures', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    await page.goto(`${server.origin}/dashboard`);
    await page.locator('#state[data-state="open"]').waitFor();
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const nav = await box('.topbar nav');
    const brand = await box('.brand');
    // The status pill shares the brand's row; the three page links share one row.
    expect((await box('.topbar .state')).y).toBeLessThan(brand.y + brand.height);
    expect(nav.height).toBeLessThan(2 * (await box('.topbar nav a')).height);
    expect(nav.x + nav.width).toBeLessThanOrEqual(390);
    expect((await box('.chart-card')).y).toBeLessThan((await box('.figure')).y);
    await phone.close();
  });

  it('stops receiving, then resumes and replays what was published meanwhile', async () => {
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    await expect.poll(() => subscribers(topics.messages), POLL).toBe(1);
    await server.hub.publish({ topics: topics.messages, data: 'before-stop' });
    await page.locator('#log .data', { hasText: 'before-stop' }).waitFor();
    await page.click('#toggle-receive');
    await page.locator('#state[data-state="stopped"]').waitFor();
    // The log's subscription is really gone from the hub.
    await expect.poll(() => subscribers(topics.messages), POLL).toBe(0);
    await server.hub.publish({ topics: topics.messages, data: 'while-stopped' });
    expect(await logText(page)).not.toContain('while-stopped');
    await page.click('#toggle-receive');
    await page.locator('#state[data-state="open"]').waitFor();
    await page.locator('#log .data', { hasText: 'while-stopped' }).waitFor();
    await server.hub.publish({ topics: topics.messages, data: 'after-resume' });
    await page.locator('#log .data', { hasText: 'after-resume' }).waitFor();
    expect(await page.locator('#log .data', { hasText: 'while-stopped' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('recovers every event missed while the connection was dropped, via Last-Event-ID', async () => {
    const { page, problems } = await open('/');
    const lastEventIds: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/.well-known/mercure') && request.url().includes('messages')) {
        lastEventIds.push(request.headers()['last-event-id']);
      }
    });
    await page.locator('#state[data-state="open"]').waitFor();
    // Published from the page with a retry: field, which sets the client's reconnection time.
    await page.fill('#message-data', 'before-drop');
    await page.fill('#message-retry', '1200');
    await page.click('#message-form button[type="submit"]');
    await page.locator('#log .data', { hasText: 'before-drop' }).waitFor();
    await page.click('#drop');
    await page.locator('#state[data-state="reconnecting"]').waitFor();
    const missed: string[] = [];
    for (let i = 1; i <= 5; i++) {
      missed.push(`missed-${i}`);
      await server.hub.publish({ topics: topics.messages, data: `missed-${i}` });
    }
    await page.locator('#state[data-state="open"]').waitFor();
    await page.locator('#log .data', { hasText: 'missed-5' }).waitFor();
    // Newest first in the log: reverse to publication order. Every missed event once, in order.
    const shown = (await page.locator('#log .data').allTextContents()).reverse();
    const from = shown.indexOf('before-drop');
    expect(shown.slice(from)).toEqual(['before-drop', ...missed]);
    // The re-connection carried the id of the last event received before the drop.
    expect(lastEventIds.length).toBeGreaterThanOrEqual(2);
    expect(lastEventIds.at(-1)).toMatch(/^urn:uuid:/);
    // The delay honours retry: 1200 (plus the client's jitter of up to one more reconnection time).
    const delay = /Reconnecting in ([\d.]+) s with Last-Event-ID: urn:uuid:/.exec(await logText(page));
    expect(Number(delay?.[1])).toBeGreaterThanOrEqual(1.2);
    expect(Number(delay?.[1])).toBeLessThanOrEqual(2.4);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('counts the reconnection down in the status pill ("Reconnecting… in N s"), then says Connected', async () => {
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    // A retry: of 3 s sets the client's reconnection time, so the countdown starts at 3 s or more.
    await page.fill('#message-data', 'sets the reconnection time');
    await page.fill('#message-retry', '3000');
    await page.click('#message-form button[type="submit"]');
    await page.locator('#log .data', { hasText: 'sets the reconnection time' }).waitFor();
    await page.click('#drop');
    await page.locator('#state[data-state="reconnecting"]').waitFor();
    const seconds = async () =>
      Number(/^Reconnecting… in (\d+) s$/.exec((await page.textContent('#state')) ?? '')?.[1] ?? Number.NaN);
    const first = await seconds();
    expect(first).toBeGreaterThanOrEqual(2);
    // The same pill counts down by itself, without a new state.
    await expect.poll(seconds, POLL).toBeLessThan(first);
    await page.locator('#state[data-state="open"]').waitFor({ timeout: 20_000 });
    expect(await page.textContent('#state')).toBe('Connected');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs the chat room with userconnect, usermessage and userdisconnect', async () => {
    const { page, problems } = await open('/');
    await page.locator('#state[data-state="open"]').waitFor();
    await page.fill('#room-name', 'Ada');
    await page.click('#join');
    await page.locator('#room-log', { hasText: 'Ada joined' }).waitFor();
    await page.fill('#room-text', 'hello room');
    await page.press('#room-text', 'Enter');
    await page.locator('#room-log', { hasText: 'Ada: hello room' }).waitFor();
    expect(await page.textContent('#members')).toBe('Ada');
    await page.click('#leave');
    await page.locator('#room-log', { hasText: 'Ada left' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the streaming chat answer in view on a phone, from the second prompt on', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    await page.goto(`${server.origin}/chat`);
    for (const [i, prompt] of ['first question', 'second question', 'third question'].entries()) {
      await page.fill('#prompt', prompt);
      await page.click('#send');
      await page.locator('.bot[data-done="true"]').nth(i).waitFor({ timeout: 30_000 });
    }
    const last = (await page.locator('.bot').last().boundingBox())!;
    expect(last.y + last.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: join(ARTIFACTS, 'chat-phone.png') });
    await phone.close();
  });

  it('streams a chat answer token by token and resumes it after a reload without starting over', async () => {
    const prompt = 'How does Last-Event-ID work?';
    const expected = generateAnswer(prompt).join('');
    const startedBefore = server.ui.answers.started;
    const { page, problems } = await open('/chat');
    const requests: { method: string; path: string; lastEventId: string | undefined }[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/demo/chat')) {
        requests.push({ method: request.method(), path, lastEventId: request.headers()['last-event-id'] });
      }
    });
    await page.fill('#prompt', prompt);
    await page.click('#send');
    const answer = page.locator('.bubble.bot').last();
    await expect.poll(async () => Number(await answer.getAttribute('data-tokens')), POLL).toBeGreaterThan(5);
    await page.reload();
    // After the reload, the same answer continues: tokens keep the prefix and complete exactly once.
    await page.locator('.bubble.bot[data-done="true"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('.bubble.bot').last().textContent()).toBe(expected);
    expect(server.ui.answers.started).toBe(startedBefore + 1);
    // One POST (the prompt), then the reloaded page attaches by GET with its Last-Event-ID.
    expect(requests.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: '/demo/chat', lastEventId: undefined },
    ]);
    const id = await page.locator('.bubble.bot').last().getAttribute('data-answer');
    expect(requests.filter((r) => r.method === 'GET')[0]).toMatchObject({
      path: `/demo/chat/${id}`,
      lastEventId: expect.stringMatching(new RegExp(`^${id}:\\d+$`)),
    });
    expect(await page.textContent('#progress')).toContain('resumed 1×');
    expect(await page.textContent('#state')).toContain('answer complete');
    await page.screenshot({ path: join(ARTIFACTS, 'streamed-chat.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a second tab follows the same running answer (no second generation) to the same text', async () => {
    const prompt = 'Can two tabs read one answer?';
    const expected = generateAnswer(prompt).join('');
    const startedBefore = server.ui.answers.started;
    const first = await open('/chat');
    await first.page.fill('#prompt', prompt);
    await first.page.click('#send');
    const share = first.page.locator('#share:not([hidden])');
    await share.waitFor();
    const href = (await share.getAttribute('href'))!;
    const second = await open(`/chat${href}`);
    for (const { page } of [first, second]) {
      await page.locator('.bubble.bot[data-done="true"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('.bubble.bot').last().textContent()).toBe(expected);
    }
    expect(await second.page.locator('.bubble.user').last().textContent()).toBe(prompt);
    expect(server.ui.answers.started).toBe(startedBefore + 1);
    expect([...first.problems, ...second.problems]).toEqual([]);
    await first.page.close();
    await second.page.close();
  });

  it('an answer cut off by the hub stopping says interrupted, never "answer complete"', async () => {
    // Its own hub: stopping it must not disturb the other tests.
    const own = await startHub(web.dir, { chat: { tokenIntervalMs: 40 } });
    try {
      const page = await context.newPage();
      const problems = watchPage(page, own.origin);
      await page.goto(`${own.origin}/chat`);
      await page.fill('#prompt', 'Stop the hub halfway, please');
      await page.click('#send');
      const answer = page.locator('.bubble.bot').last();
      await expect
        .poll(async () => Number(await answer.getAttribute('data-tokens')), POLL)
        .toBeGreaterThan(3);
      await own.ui.close(); // what the ssehub command does first on SIGTERM
      await page.locator('.bubble.bot[data-ended="interrupted"]').waitFor({ timeout: 10_000 });
      const status = (await page.textContent('#state')) ?? '';
      expect(status).toContain('interrupted');
      expect(status).not.toContain('complete');
      expect(await answer.getAttribute('data-done')).toBe('false');
      expect(Number(await answer.getAttribute('data-tokens'))).toBeLessThan(
        generateAnswer('Stop the hub halfway, please').length,
      );
      // A reload does not resume or restart it: it stays interrupted.
      await page.reload();
      expect(await page.locator('.bubble.bot').last().getAttribute('data-ended')).toBe('interrupted');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await own.close();
    }
  });

  it('shows live hub figures on the dashboard; the connection count moves when another page subscribes', async () => {
    // Pages of earlier tests are gone, so the figure starts from a known value.
    await expect.poll(() => server.hub.stats().connections, POLL).toBe(0);
    const { page, problems } = await open('/dashboard');
    await page.locator('#state[data-state="open"]').waitFor();
    const connections = async () =>
      Number(((await page.textContent('#f-connections')) ?? '').replace(/\D/g, '') || -1);
    await expect.poll(connections, POLL).toBeGreaterThanOrEqual(0);
    const before = await connections();
    const other = await open('/');
    await other.page.locator('#state[data-state="open"]').waitFor();
    await expect.poll(connections, POLL).toBeGreaterThan(before);
    await server.hub.publish({ topics: topics.messages, data: 'for the chart' });
    await expect.poll(async () => page.textContent('#f-published'), POLL).not.toBe('0');
    expect(await page.locator('#topics-body td.topic').allTextContents()).toContain(topics.messages);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
    await other.page.close();
    await expect.poll(connections, POLL).toBe(before);
    expect([...problems, ...other.problems]).toEqual([]);
    await page.close();
  });

  it('is usable on a phone and from the keyboard', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      colorScheme: 'dark',
    });
    for (const path of ['/', '/chat', '/dashboard']) {
      const page = await phone.newPage();
      const problems = watchPage(page, server.origin);
      await page.goto(`${server.origin}${path}`);
      // Nothing wider than the screen: no horizontal scrolling on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Every form control has a label a screen reader can announce.
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, textarea, select')]
          .filter((c) => (c as HTMLInputElement).labels?.length === 0 && !c.getAttribute('aria-label'))
          .map((c) => c.id),
      );
      expect(unlabelled).toEqual([]);
      if (path === '/') {
        await page.locator('#state[data-state="open"]').waitFor();
        await page.screenshot({ path: join(ARTIFACTS, 'live-demo-phone.png') });
      }
      // The first Tab reaches the skip link, which then shows.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
      expect((await page.locator('.skip').boundingBox())!.y).toBeGreaterThanOrEqual(0);
      expect(problems).toEqual([]);
      await page.close();
    }
    await phone.close();
  });

  it('subscribes through the hub JWT auth with the development token cookie, and fails without it', async () => {
    const secret = 'a-development-secret-of-at-least-32-bytes!';
    const authorizer = await createAuthorizer({ key: { key: secret }, anonymous: false });
    const devToken = await createToken({ subscribe: ['*'] }, secret);
    const secured = await startHub(web.dir, { devToken }, authorizer);
    const closed = await startHub(web.dir, {}, authorizer);
    // Own contexts: cookies are not isolated by port, so the token cookie must not reach other hubs.
    const withToken = await browser.newContext();
    const fresh = await browser.newContext();
    try {
      const page = await withToken.newPage();
      const problems = watchPage(page, secured.origin);
      await page.goto(`${secured.origin}/`);
      await page.locator('#state[data-state="open"]').waitFor();
      await secured.hub.publish({ topics: topics.messages, data: 'authorised', private: true });
      // A private update reaches the page: it subscribed with the token, not anonymously.
      await page.locator('#log .data', { hasText: 'authorised' }).waitFor();
      expect(problems).toEqual([]);
      await page.close();

      // Without a development token the hub refuses the anonymous page with 401, shown as an error.
      const refused = await fresh.newPage();
      await refused.goto(`${closed.origin}/`);
      await refused.locator('#state[data-state="error"]').waitFor();
      expect(await refused.textContent('#state')).toContain('401');
    } finally {
      await withToken.close();
      await fresh.close();
      await secured.close();
      await closed.close();
    }
  });
});
