/**
 * Every error ssehub raises is an `SsehubError` with a stable code, and the README "Errors" section
 * lists exactly the codes the source declares. Codes are enumerated from the modules themselves (each
 * class's static `code`, or the keys of its static `statuses` table), so a new error class or refusal
 * only has to be declared once and documented once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SsehubError } from '../../src/protocol/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

type ErrorClass = (abstract new (
  ...args: never[]
) => Error) & {
  code?: unknown;
  statuses?: Readonly<Record<string, number>>;
};

/** Every error class any source module exports, keyed by the module that declares it. */
async function exportedErrorClasses(): Promise<Map<ErrorClass, string>> {
  const found = new Map<ErrorClass, string>();
  for (const file of sourceFiles(src)) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (
        typeof value === 'function' &&
        value.prototype instanceof Error &&
        !found.has(value as ErrorClass)
      ) {
        found.set(value as ErrorClass, relative(root, file));
      }
    }
  }
  return found;
}

/** The codes a class declares itself (not inherited). */
function ownCodes(cls: ErrorClass): string[] {
  const codes: string[] = [];
  if (Object.hasOwn(cls, 'code')) codes.push(String(cls.code));
  if (Object.hasOwn(cls, 'statuses') && cls.statuses !== undefined) codes.push(...Object.keys(cls.statuses));
  return codes;
}

/** The codes listed in the README's top-level "Errors" section (first column of its tables). */
function readmeCodes(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.search(/^## Errors$/m);
  expect(start, 'README has a top-level "## Errors" section').toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^\|\s*`(SSEHUB_[A-Z0-9_]+)`/gm)].map((m) => m[1]!);
}

describe('error codes', () => {
  it('every exported error class extends SsehubError and declares a code or inherits a statuses table', async () => {
    const classes = await exportedErrorClasses();
    expect(classes.size).toBeGreaterThan(15);
    for (const [cls, file] of classes) {
      expect(cls.prototype instanceof SsehubError || cls === SsehubError, `${cls.name} (${file})`).toBe(true);
      if (cls === SsehubError) continue;
      // A refusal class may instead use one of the codes of the statuses table it inherits.
      const coded = ownCodes(cls).length > 0 || cls.statuses !== undefined;
      expect(coded, `${cls.name} (${file}) declares no code`).toBe(true);
    }
  });

  it('no source file exports an error class outside the SsehubError hierarchy', () => {
    for (const file of sourceFiles(src)) {
      if (file.endsWith(join('protocol', 'ssehub-error.ts'))) continue;
      const source = readFileSync(file, 'utf8');
      expect(source, relative(root, file)).not.toMatch(
        /\bexport\s+class\s+\w+\s+extends\s+(?:Error|TypeError|RangeError)\b/,
      );
    }
  });

  it('codes are SSEHUB_ and upper-case words, and every status is an HTTP error status', async () => {
    for (const cls of (await exportedErrorClasses()).keys()) {
      for (const code of ownCodes(cls)) expect(code).toMatch(/^SSEHUB_[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
      for (const status of Object.values(Object.hasOwn(cls, 'statuses') ? (cls.statuses ?? {}) : {})) {
        expect(status >= 400 && status <= 599, `${cls.name}: ${status}`).toBe(true);
      }
    }
  });

  it('the README "Errors" section lists every code exactly once, and no code that no longer exists', async () => {
    const declared = new Set<string>();
    for (const cls of (await exportedErrorClasses()).keys())
      for (const code of ownCodes(cls)) declared.add(code);
    const listed = readmeCodes();
    expect(listed.length, 'a code is listed twice').toBe(new Set(listed).size);
    const missing = [...declared].filter((code) => !listed.includes(code)).sort();
    const stale = listed.filter((code) => !declared.has(code)).sort();
    expect(missing, 'codes missing from the README "Errors" section').toEqual([]);
    expect(stale, 'README codes no error class declares').toEqual([]);
  });

  it('each library entry point exports SsehubError, the same class as the protocol layer', async () => {
    for (const entry of ['protocol', 'server', 'client', 'hub']) {
      const module = (await import(join(src, entry, 'index.ts'))) as Record<string, unknown>;
      expect(module.SsehubError, entry).toBe(SsehubError);
    }
  });
});
