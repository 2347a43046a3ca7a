import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/hub/auth/index.js';
import { createHub, type Hub } from '../../../src/hub/index.js';
import { selfSignedCert } from '../../server/support/tls.js';
import { CHROMIUM_PATH, requireBinary } from '../../support/binaries.js';
import { launchChromium } from '../../support/chromium.js';
import { SECRET, token } from '../support/harness.js';
import { accessToken, detail, ISSUER, ISSUER_SECRET } from './tokens.js';

/**
 * A Mercure 0.x browser client and a Mercure 1.0 browser client on the same hub and the same topics at
 * once, in headless Chromium, over HTTPS (the 1.0 cookie is `__Secure-` prefixed, which browsers only keep
 * from secure origins). Each page has its own cookie jar, as two applications at different migration
 * stages would: the 0.x page holds a `mercureAuthorization` token whose `mercure.subscribe` claim grants
 * books 1 and 2, and subscribes to every book with a URI template `topic=`; the 1.0 page holds an `at+jwt`
 * access token in `__Secure-mercure_access_token` whose URL-pattern `subscribe` detail grants the same two,
 * and subscribes to every book with `match_urlpattern=`. A 0.x publisher and a 1.0 publisher both publish private updates.
 */

const enabled = requireBinary('Chromium', CHROMIUM_PATH);
const PAGE = '<!doctype html><title>mercure 1.0 and 0.x</title><p>ssehub</p>';

describe.skipIf(!enabled)('Mercure 0.x and 1.0 browser clients on one hub (Chromium)', () => {
  let hub: Hub;
  let server: Server;
  let origin: string;
  let ca: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let legacyPage: Page;
  let modernPage: Page;

  /** POSTs a publish form over HTTPS, trusting the test certificate; resolves with status and body. */
  function publish(
    fields: Record<string, string | string[]>,
    bearer: string,
  ): Promise<{ status: number; body: string }> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) form.append(k, x);
    return new Promise((resolve, reject) => {
      const req = request(
        `${origin}/.well-known/mercure`,
        {
          method: 'POST',
          ca,
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${bearer}` },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.end(form.toString());
    });
  }

  async function pageWithCookie(name: string, value: string): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    contexts.push(context);
    await context.addCookies([
      { name, value, url: origin, secure: true, httpOnly: true, sameSite: 'Strict' },
    ]);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  beforeAll(async () => {
    const tls = selfSignedCert();
    ca = tls.cert;
    hub = createHub({
      authorizer: await createAuthorizer({
        key: { key: SECRET },
        trustedIssuers: [{ issuer: ISSUER, key: { key: ISSUER_SECRET } }],
      }),
      fallback: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      },
    });
    server = createServer({ key: tls.key, cert: tls.cert }, hub.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    legacyPage = await pageWithCookie(
      'mercureAuthorization',
      await token({
        subscribe: ['https://example.com/books/1', 'https://example.com/books/2'],
        expiresInSeconds: 600,
      }),
    );
    modernPage = await pageWithCookie(
      '__Secure-mercure_access_token',
      await accessToken({
        aud: `${origin}/.well-known/mercure`,
        expiresIn: 600,
        details: [
          detail(['subscribe'], [{ match: 'https://example.com/books/:id([12])', match_type: 'urlpattern' }]),
        ],
      }),
    );
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await hub?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  /** Opens an EventSource on `query` in `page`, logging `open`, `data@lastEventId` and errors. */
  const open = (page: Page, query: string) =>
    page.evaluate((url) => {
      const w = window as unknown as { log: string[] };
      w.log = [];
      const es = new EventSource(url);
      es.onopen = () => w.log.push('open');
      es.onerror = () => w.log.push(`error:${es.readyState}`);
      es.onmessage = (e) => w.log.push(`${e.data}@${e.lastEventId}`);
    }, `/.well-known/mercure?${query}`);
  const waitFor = (page: Page, prefix: string) =>
    page.waitForFunction(
      (p) => (window as unknown as { log: string[] }).log.some((l) => l.startsWith(p)),
      prefix,
    );
  const messages = async (page: Page) =>
    (await page.evaluate(() => (window as unknown as { log: string[] }).log)).filter((l) => l.includes('@'));

  it('both receive private updates from a 0.x and a 1.0 publisher, and nothing their token does not grant', async () => {
    await open(legacyPage, new URLSearchParams({ topic: 'https://example.com/books/{id}' }).toString());
    await open(
      modernPage,
      new URLSearchParams({ match_urlpattern: 'https://example.com/books/:id' }).toString(),
    );
    await waitFor(legacyPage, 'open');
    await waitFor(modernPage, 'open');

    const modernPublisher = await accessToken({
      aud: `${origin}/.well-known/mercure`,
      details: [detail(['publish'], [{ match: 'https://example.com/*', match_type: 'urlpattern' }])],
    });
    const legacyPublisher = await token({ publish: ['https://example.com/{+path}'] });
    const one = await publish(
      { topic: 'https://example.com/books/1', data: 'from 1.0', private: 'on' },
      modernPublisher,
    );
    expect(one.status).toBe(200);
    const two = await publish(
      { topic: 'https://example.com/books/2', data: 'from 0.x', private: 'on' },
      legacyPublisher,
    );
    expect(two.status).toBe(200);
    // Routed to both by their matchers, but granted by neither token: never delivered (the routing
    // matchers select, they never widen what a subscriber may read).
    const hidden = await publish(
      { topic: 'https://example.com/books/3', data: 'not granted', private: 'on' },
      modernPublisher,
    );
    expect(hidden.status).toBe(200);
    const last = await publish({ topic: 'https://example.com/books/4', data: 'public' }, modernPublisher);
    for (const page of [legacyPage, modernPage]) {
      await waitFor(page, 'public@');
      expect(await messages(page)).toEqual([
        `from 1.0@${one.body}`,
        `from 0.x@${two.body}`,
        `public@${last.body}`,
      ]);
    }
  });

  it('the hub answers each browser in its generation: 0.x Last-Event-ID and 1.0 Mercure-Last-Event-ID', async () => {
    const heads = async (page: Page, query: string) =>
      page.evaluate(async (url) => {
        const controller = new AbortController();
        const res = await fetch(url, { signal: controller.signal });
        const out = [res.status, res.headers.get('last-event-id'), res.headers.get('mercure-last-event-id')];
        controller.abort();
        return out;
      }, `/.well-known/mercure?${query}`);
    expect(await heads(legacyPage, 'topic=x&lastEventID=earliest')).toEqual([200, 'earliest', 'earliest']);
    expect(await heads(modernPage, 'match=x&last_event_id=earliest')).toEqual([200, null, 'earliest']);
  });
});
