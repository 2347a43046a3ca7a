import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_PATH } from './binaries.js';

/**
 * Flags for Debian's Chromium on this machine: headless as root, and no background traffic, which the
 * closed network would refuse (and which would slow every start).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the system Chromium (Playwright cannot download browsers here). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}
