/**
 * Every reference a reader meets in the repository can be opened: specifications are cited by public URL
 * (or RFC number), the project's own rules by a page under docs/, and nothing points at notes, studies or
 * tools that live outside the repository. docs/ citations must name an existing page and heading.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['src', 'test', 'bench', 'scripts', 'web/src', 'docs', 'README.md'];

function files(path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return /\.(ts|mts|mjs|js|md|html|css)$/.test(path) ? [path] : [];
  return readdirSync(full).flatMap((name) => (name === 'node_modules' ? [] : files(join(path, name))));
}

// Built from pieces so this file does not match itself.
const OUTSIDE = [
  ['sse', 'rules'],
  ['land', 'scape'],
  ['mercure', 'protocol'],
  ['the ', 'seed'],
  ['..', '/shared'],
].map((parts) => parts.join(''));
const ISSUE = new RegExp(`\\b${'iss'}ue [0-9]`, 'i');
const HTML_SECTION = new RegExp(`HTML ${'§'}`);

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('references', () => {
  const scanned = SCANNED.flatMap(files).filter((f) => f !== 'test/architecture/references.test.ts');

  it('cite no document, study or tool outside the repository, and no HTML section number without its URL', () => {
    expect(scanned.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of scanned) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const lower = line.toLowerCase();
          if (OUTSIDE.some((word) => lower.includes(word)) || ISSUE.test(line) || HTML_SECTION.test(line)) {
            found.push(`${file}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it('cite docs/ pages and headings that exist', () => {
    const broken: string[] = [];
    for (const file of scanned) {
      for (const [match, page, anchor] of readFileSync(join(root, file), 'utf8').matchAll(
        /\bdocs\/([\w-]+\.md)(?:#([\w-]+))?/g,
      )) {
        const path = join(root, 'docs', page!);
        if (!existsSync(path)) {
          broken.push(`${file}: ${match} (no such page)`);
          continue;
        }
        if (anchor === undefined) continue;
        const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
        if (!headings.includes(anchor)) broken.push(`${file}: ${match} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
