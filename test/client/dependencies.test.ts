import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../src/client/', import.meta.url));

describe('ssehub/client boundaries', () => {
  it('imports nothing but its own files and ssehub/protocol (dependencies point one way)', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(`${dir}${file}`, 'utf8');
      for (const [, specifier] of source.matchAll(/from '([^']+)'/g)) {
        expect(`${file}: ${specifier}`).toMatch(/: (\.\/[\w-]+\.js|\.\.\/protocol\/index\.js)$/);
      }
    }
  });

  it('never references window or document, so it runs in workers and Node', async () => {
    const result = await build({
      entryPoints: [`${dir}index.ts`],
      bundle: true,
      format: 'esm',
      write: false,
      minify: true,
      platform: 'neutral',
    });
    const code = result.outputFiles[0]!.text;
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\b(window|document)\b/);
  });
});
