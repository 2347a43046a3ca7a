/**
 * The README's configuration tables are generated from the settings tables (scripts/settings-tables.ts):
 * this fails when someone edits one without the other. Fix: `npm run docs:settings`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeSection, TABLES } from '../../scripts/settings-tables.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration tables match the settings tables', () => {
  for (const [name, render] of Object.entries(TABLES)) {
    it(`${name} (run npm run docs:settings to regenerate)`, () => {
      expect(readmeSection(readme, name)).toBe(render());
    });
  }
});
