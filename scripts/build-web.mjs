// Bundles the web UI (web/src) into web/dist with esbuild. Run by `npm run build` after tsc.
//
// Every web/src/*.ts is an entry (one per page), bundled as ES modules with shared chunks, minified;
// web/src/*.css is bundled and minified; web/src/*.html and web/src/*.svg are copied as they are.
// Prints each output file's size (raw and gzip) so the bundle stays small on purpose.
//
// Usage: node scripts/build-web.mjs [--outdir <dir>] [--readme]   (the tests build into a temporary folder)
// With --readme, the README's "Bundle size" tables are rewritten from this build (scripts/bundle-sizes.mjs).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundleSizeTable, withBundleSizeTable } from './bundle-sizes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'web', 'src');
const outFlag = process.argv.indexOf('--outdir');
const outDir =
  outFlag > 0 && process.argv[outFlag + 1] ? process.argv[outFlag + 1] : join(root, 'web', 'dist');

if (!existsSync(srcDir)) {
  console.log('build-web: no web/src, nothing to bundle');
  process.exit(0);
}

const top = readdirSync(srcDir).filter((name) => statSync(join(srcDir, name)).isFile());
const scripts = top.filter((name) => name.endsWith('.ts')).map((name) => join(srcDir, name));
const styles = top.filter((name) => name.endsWith('.css')).map((name) => join(srcDir, name));
const copies = top.filter((name) => /\.(html|svg|ico|txt)$/.test(name));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  outdir: outDir,
  logLevel: 'warning',
  legalComments: 'none',
  charset: 'utf8',
};
await build({
  ...common,
  entryPoints: scripts,
  format: 'esm',
  splitting: true,
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  platform: 'browser',
  chunkNames: 'chunk-[hash]',
  sourcemap: false,
});
if (styles.length > 0) await build({ ...common, entryPoints: styles });
for (const name of copies) copyFileSync(join(srcDir, name), join(outDir, name));

let totalRaw = 0;
let totalGzip = 0;
const rows = [];
for (const name of readdirSync(outDir).sort()) {
  const bytes = readFileSync(join(outDir, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  totalRaw += bytes.length;
  totalGzip += gz;
  rows.push(`  ${name.padEnd(28)} ${String(bytes.length).padStart(7)} B  ${String(gz).padStart(6)} B gzip`);
}
console.log(`build-web: ${relative(process.cwd(), outDir) || outDir}`);
console.log(rows.join('\n'));
console.log(
  `  ${'total'.padEnd(28)} ${String(totalRaw).padStart(7)} B  ${String(totalGzip).padStart(6)} B gzip`,
);
if (process.argv.includes('--readme')) {
  const readme = join(root, 'README.md');
  writeFileSync(readme, withBundleSizeTable(readFileSync(readme, 'utf8'), bundleSizeTable(outDir)));
  console.log('build-web: README.md bundle size tables updated');
}
