/**
 * Why `--cert`/`--key` exist: over HTTP/1.1 a browser opens at most six connections per origin, so a
 * seventh EventSource (a seventh tab) waits forever; over HTTP/2 they are all streams of one connection.
 * Headless Chromium against the real command, with eight EventSources on one origin.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { httpsRequest, selfSignedCert } from '../server/support/tls.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { CHROMIUM_ARGS } from '../support/chromium.js';
import { openEventSources, receivedData } from '../support/page-event-sources.js';
import { startsKilledAfterEach } from './cli-process.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);
/** More than HTTP/1.1's six connections per origin (Chromium's limit, and every other browser's). */
const STREAMS = 8;
const TOPIC = 'https://example.com/h2/{n}';
/** CI runs `npm run build` first; locally the web UI part needs built pages (web/dist). */
const webUiBuilt =
  existsSync(fileURLToPath(new URL('../../web/dist/index.html', import.meta.url))) ||
  process.env.CI === 'true';

describe.skipIf(!enabled)('ssehub --cert --key with headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-tls-browser-'));
  const pair = selfSignedCert();
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(certPath, pair.cert);
  writeFileSync(keyPath, pair.key);
  const start = startsKilledAfterEach();
  let browser: Browser | undefined;

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Publishes `data` to `topic` over HTTPS with the printed publisher token. */
  async function publish(origin: string, token: string, topic: string, data: string): Promise<number> {
    const answer = await httpsRequest(`${origin}/.well-known/mercure`, {
      method: 'POST',
      ca: pair.cert,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ topic, data }).toString(),
    });
    return answer.status;
  }

  it(`opens ${STREAMS} EventSources to one origin over HTTP/2 and each receives its update; the web UI works over HTTP/2`, async () => {
    const cli = await start(['--port', '0', '--cert', certPath, '--key', keyPath]);
    // The self-signed test certificate is for localhost and 127.0.0.1; the browser is told not to check it.
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'],
    });
    const page = await browser.newPage();
    await page.goto(`${cli.origin}/`);
    const navigation = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
    );
    expect(navigation).toBe('h2');

    // Over HTTP/1.1 the seventh and eighth would stay pending: this wait is the test.
    await openEventSources(page, STREAMS, TOPIC);

    for (let n = 1; n <= STREAMS; n++) {
      expect(
        await publish(cli.origin, cli.publisherToken!, TOPIC.replace('{n}', String(n)), `update ${n}`),
      ).toBe(200);
    }
    expect(await receivedData(page, STREAMS)).toEqual(
      Array.from({ length: STREAMS }, (_, i) => `update ${i + 1}`).sort(),
    );

    if (webUiBuilt) {
      // A demo write from the page: over HTTP/2 the browser sends :authority and no Host, which the
      // same-origin guard must read (it refused every demo write before).
      const status = await page.evaluate(async () => {
        const response = await fetch('/demo/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ data: 'hello over h2' }),
        });
        return response.status;
      });
      expect(status).toBe(200);
    }
  });
});
