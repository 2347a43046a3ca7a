/**
 * The README's nginx and Caddy recipes, as written there, terminating TLS in front of the real command:
 * headless Chromium reaches the hub through each over HTTP/2 with more EventSources than HTTP/1.1's six
 * connections per origin allow, and every one receives its update.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../server/support/tls.js';
import { CHROMIUM_PATH, requireBinary } from '../support/binaries.js';
import { CHROMIUM_ARGS } from '../support/chromium.js';
import { openEventSources, receivedData } from '../support/page-event-sources.js';
import {
  CADDY_ENABLED,
  NGINX_ENABLED,
  RECIPE_HOST,
  type RunningProxy,
  startReadmeProxy,
} from '../support/readme-proxy.js';
import { publish, startsKilledAfterEach } from './cli-process.js';

const enabled = requireBinary('Chromium', CHROMIUM_PATH);
const STREAMS = 8;
const TOPIC = 'https://example.com/proxied/{n}';

describe.skipIf(!enabled)('README proxy recipes in front of ssehub, with headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-recipes-'));
  const pair = selfSignedCert();
  const tls = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
  writeFileSync(tls.certPath, pair.cert);
  writeFileSync(tls.keyPath, pair.key);
  const start = startsKilledAfterEach();
  let browser: Browser | undefined;
  let proxy: RunningProxy | undefined;

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    await proxy?.stop();
    proxy = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function eightStreamsThrough(kind: 'nginx' | 'caddy'): Promise<void> {
    const hub = await start(['--port', '0']);
    proxy = await startReadmeProxy(kind, hub.port, tls);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // The recipe's public name, on loopback; the test certificate is for localhost only.
      args: [
        ...CHROMIUM_ARGS,
        `--host-resolver-rules=MAP ${RECIPE_HOST} 127.0.0.1`,
        '--ignore-certificate-errors',
      ],
    });
    const page = await browser.newPage();
    await page.goto(`${proxy.origin}/healthz`);
    const protocol = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
    );
    expect(protocol).toBe('h2');

    // onopen fires on the hub's first byte (": ok"): a proxy that buffered would hold it back.
    await openEventSources(page, STREAMS, TOPIC);
    for (let n = 1; n <= STREAMS; n++) {
      const response = await publish(hub.origin, hub.publisherToken!, {
        topic: TOPIC.replace('{n}', String(n)),
        data: `update ${n}`,
      });
      expect(response.status).toBe(200);
    }
    expect(await receivedData(page, STREAMS)).toEqual(
      Array.from({ length: STREAMS }, (_, i) => `update ${i + 1}`).sort(),
    );
  }

  it.skipIf(!NGINX_ENABLED)(
    'nginx: eight EventSources on one origin over HTTP/2, each receives its update',
    () => eightStreamsThrough('nginx'),
  );
  it.skipIf(!CADDY_ENABLED)(
    'caddy: eight EventSources on one origin over HTTP/2, each receives its update',
    () => eightStreamsThrough('caddy'),
  );
});
