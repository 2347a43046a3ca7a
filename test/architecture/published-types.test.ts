/**
 * The published declaration files stand on their own: built as `npm run build` builds them (with
 * `stripInternal`), they carry no `@internal` member, and they type-check without `skipLibCheck`, so no
 * public type leans on a member that was stripped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// Inside the repository, so the declarations resolve their dependencies (jose, prom-client) from node_modules.
const out = mkdtempSync(join(root, '.published-types-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarations(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('published types', () => {
  it('carry no @internal member and type-check on their own', { timeout: 180_000 }, () => {
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        join(root, 'tsconfig.build.json'),
        '--outDir',
        out,
        '--emitDeclarationOnly',
        '--declarationMap',
        'false',
      ],
      { cwd: root, stdio: 'pipe' },
    );
    const files = declarations(out);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain('@internal');
    const check = [
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      'false',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2023,dom,dom.iterable',
      '--types',
      'node',
      ...files,
    ];
    let output = '';
    try {
      execFileSync(process.execPath, check, { cwd: root, stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output, 'tsc on the published .d.ts files').toBe('');
  });
});
