/**
 * The README's "Bundle size" tables are generated (`node scripts/build-web.mjs --readme`); this fails when a
 * fresh build no longer matches them, so the published sizes cannot go stale.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleSizeTable, readmeBundleSizeTable } from '../../scripts/bundle-sizes.mjs';
import { buildWebUi } from './harness.js';

const web = buildWebUi();
afterAll(() => web.remove());

describe('README bundle size', () => {
  it('matches a fresh build of the web UI (regenerate with `node scripts/build-web.mjs --readme`)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const written = readmeBundleSizeTable(readme);
    expect(written, 'README.md has the bundle-size markers').toBeDefined();
    expect(written).toBe(bundleSizeTable(web.dir));
  });
});
