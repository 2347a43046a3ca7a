/**
 * No suite is skipped silently in CI: every conditional skip in the tests is either gated by
 * `requireBinary` (which throws under CI=true when the binary is missing, see test/support/binaries.ts) or
 * turned on by CI=true itself; unconditional skips and `.only` are not allowed at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireBinary } from '../support/binaries.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = testFiles(root).filter((f) => !f.endsWith('no-silent-skips.test.ts'));
const sources = new Map(files.map((f) => [relative(root, f), readFileSync(f, 'utf8')]));
/** Names assigned from requireBinary anywhere in the tests (`const enabled = requireBinary(...)`). */
const gated = new Set(
  [...sources.values()].flatMap((text) => [...text.matchAll(/\b(\w+) = requireBinary\(/g)].map((m) => m[1]!)),
);

/** Why this skip condition may hide tests under CI=true, or undefined when it cannot. */
function ciProblem(condition: string): string | undefined {
  if (/process\.env\.CI === 'true'/.test(condition)) return undefined;
  const name = /^!?\s*(\w+)$/.exec(condition.trim())?.[1];
  if (name !== undefined && gated.has(name)) return undefined;
  return `"${condition}" is neither a requireBinary result nor forced on by CI=true`;
}

describe('no suite is skipped silently under CI=true', () => {
  it('every skipIf/runIf condition comes from requireBinary or is forced on by CI=true', () => {
    const problems: string[] = [];
    for (const [file, text] of sources) {
      for (const m of text.matchAll(/\.(?:skipIf|runIf)\(([^)]*)\)/g)) {
        const problem = ciProblem(m[1]!);
        if (problem) problems.push(`${file}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no unconditional skip, todo or only', () => {
    const found = [...sources].flatMap(([file, text]) =>
      [...text.matchAll(/\b(?:describe|it|test)\.(?:skip|todo|only)\(/g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });

  it('the check itself refuses a condition that CI=true does not force on', () => {
    expect(ciProblem('!enabled')).toBeUndefined();
    expect(ciProblem("built || process.env.CI === 'true'")).toBeUndefined();
    expect(ciProblem('!process.env.SLOW')).toMatch(/neither/);
    expect(ciProblem('hasDocker')).toMatch(/neither/);
  });
});

describe('requireBinary', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('throws under CI=true when the binary is missing, and skips otherwise', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireBinary('nothing', '/no/such/binary')).toThrow(/required under CI=true/);
    vi.stubEnv('CI', '');
    expect(requireBinary('nothing', '/no/such/binary')).toBe(false);
    expect(requireBinary('node', process.execPath)).toBe(true);
  });
});
