import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { type Authorizer, createHub, type Hub } from '../../src/hub/index.js';
import { createWebUi, type WebUiHandler, type WebUiOptions } from '../../src/web-ui/index.js';
import { launchChromium as launchSystemChromium } from '../support/chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where tests save screenshots (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * Builds the web UI into a fresh temporary folder with the real build script, so a test never races
 * with `npm run build` (or another suite) over web/dist.
 */
export function buildWebUi(): { dir: string; output: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-web-'));
  const output = execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs'), '--outdir', dir], {
    encoding: 'utf8',
  });
  return { dir, output, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A hub with the web UI as its fallback, listening on 127.0.0.1 on a free port. */
export interface TestHub {
  readonly hub: Hub;
  readonly ui: WebUiHandler;
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Starts createHub with the web UI as fallback: anonymous subscribers (as the CLI's dev mode), or the
 * given authoriser's rules.
 */
export async function startHub(
  root: string,
  options: WebUiOptions = {},
  authorizer?: Authorizer,
): Promise<TestHub> {
  let ui: WebUiHandler | undefined;
  const hub = createHub({
    allowAnonymous: true,
    ...(authorizer ? { authorizer } : {}),
    fallback: (req, res) => ui?.(req, res),
  });
  ui = createWebUi(hub, { root, ...options });
  const server: Server = createServer(hub.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const webUi = ui;
  return {
    hub,
    ui: webUi,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      webUi.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Launches the system Chromium, making sure the screenshot folder exists first. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return launchSystemChromium();
}

/** Problems a page reported: console errors, uncaught exceptions, requests to another origin. */
export function watchPage(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) problems.push(`external request: ${url}`);
  });
  return problems;
}
