/**
 * Dependencies point one way: protocol <- server <- hub, client <- protocol, and the web UI and the
 * CLI on top. Each layer may import its own files, the public entry (`index.js`) of the layers below
 * it, Node's built-ins where it runs on Node, and the npm packages listed for it; nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const statics = [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gm)];
  const dynamics = [...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)];
  return [...statics, ...dynamics].map((m) => m[1]!);
}

interface Rule {
  /** Layers whose public entry (`src/<layer>/index.ts`) may be imported. */
  readonly below: readonly string[];
  /** Whether `node:` built-ins are allowed. */
  readonly node: boolean;
  /** npm packages allowed. */
  readonly packages: readonly string[];
}

const RULES: Readonly<Record<string, Rule>> = {
  protocol: { below: [], node: false, packages: [] },
  client: { below: ['protocol'], node: false, packages: [] },
  server: { below: ['protocol'], node: true, packages: [] },
  hub: {
    below: ['protocol', 'server'],
    node: true,
    packages: ['jose', 'prom-client', 'better-sqlite3', 'ioredis', 'urlpattern-polyfill'],
  },
  'web-ui': { below: ['protocol', 'server'], node: true, packages: [] },
};

/** Why `specifier`, imported by `file` of `layer`, breaks the layering; undefined when it does not. */
function violation(layer: string, rule: Rule, file: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return rule.node ? undefined : 'imports a Node built-in';
  if (!specifier.startsWith('.')) {
    const pkg = specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : specifier.split('/')[0]!;
    return rule.packages.includes(pkg) ? undefined : `imports the package ${pkg}`;
  }
  const target = relative(src, join(file, '..', specifier))
    .split('\\')
    .join('/');
  const [targetLayer, ...rest] = target.split('/');
  if (targetLayer === layer) return undefined;
  if (rule.below.includes(targetLayer!) && rest.join('/') === 'index.js') return undefined;
  return `imports ${target}`;
}

describe('layer boundaries', () => {
  for (const [layer, rule] of Object.entries(RULES)) {
    it(`${layer} imports only ${[...rule.below.map((l) => `${l}'s entry`), ...rule.packages].join(', ') || 'its own files'}`, () => {
      const files = sourceFiles(join(src, layer));
      expect(files.length).toBeGreaterThan(0);
      const broken = files.flatMap((file) =>
        specifiers(file).flatMap((s) => {
          const why = violation(layer, rule, file, s);
          return why === undefined ? [] : [`${relative(src, file)}: ${why}`];
        }),
      );
      expect(broken).toEqual([]);
    });
  }

  it('catches a layer reaching up or into internals (the check itself can fail)', () => {
    const hubFile = join(src, 'hub', 'hub.ts');
    expect(violation('server', RULES.server!, join(src, 'server', 'x.ts'), '../hub/index.js')).toBe(
      'imports hub/index.js',
    );
    expect(violation('hub', RULES.hub!, hubFile, '../web-ui/index.js')).toBe('imports web-ui/index.js');
    expect(violation('hub', RULES.hub!, hubFile, '../cli/main.js')).toBe('imports cli/main.js');
    expect(violation('hub', RULES.hub!, hubFile, '../server/stream.js')).toBe('imports server/stream.js');
    expect(violation('protocol', RULES.protocol!, join(src, 'protocol', 'x.ts'), 'node:fs')).toBe(
      'imports a Node built-in',
    );
    expect(violation('web-ui', RULES['web-ui']!, join(src, 'web-ui', 'x.ts'), '../hub/index.js')).toBe(
      'imports hub/index.js',
    );
  });
});
