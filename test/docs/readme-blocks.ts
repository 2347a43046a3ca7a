/**
 * The README's TypeScript examples, as files a compiler and a runtime can take. A block is a fence opened
 * with ```ts; its first line `// name.ts` names the file (so other blocks can import it, like the
 * recipes' `./news.js`), else it is `block-<line>.ts`. An HTML comment on the line before the fence,
 * `<!-- doctest: typecheck-only (why) -->`, keeps a block out of the run (it needs a browser or a remote
 * service); the reason in brackets is required so every exemption says why.
 */
import { readFileSync } from 'node:fs';

/** One ```ts block of a Markdown file. */
export interface DocBlock {
  /** File name the block is written to (`news.ts`, `block-148.ts`). */
  readonly file: string;
  /** 1-based line of the opening fence in the Markdown file, for messages. */
  readonly line: number;
  readonly source: string;
  /** `'run'` (type-checked and run) or `'typecheck-only'`. */
  readonly mode: 'run' | 'typecheck-only';
  /** Why a typecheck-only block is not run. */
  readonly reason?: string;
}

const DIRECTIVE = /^<!--\s*doctest:\s*(\S+)\s*(?:\((.+)\))?\s*-->$/;

/** Every ```ts block of `markdownPath`, in order. Throws on an unknown or unexplained directive. */
export function readmeBlocks(markdownPath: string): DocBlock[] {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]?.trim() !== '```'; i++) body.push(lines[i] ?? '');
    const source = `${body.join('\n')}\n`;
    const named = /^\/\/\s*([\w-]+\.ts)\s*$/.exec(body[0] ?? '');
    const file = named?.[1] ?? `block-${start + 1}.ts`;
    const directive = DIRECTIVE.exec(lines[start - 1]?.trim() ?? '');
    if (!directive) {
      blocks.push({ file, line: start + 1, source, mode: 'run' });
      continue;
    }
    if (directive[1] !== 'typecheck-only' || !directive[2]) {
      throw new Error(
        `${markdownPath}:${start}: unknown doctest directive; write <!-- doctest: typecheck-only (why it cannot run) -->`,
      );
    }
    blocks.push({ file, line: start + 1, source, mode: 'typecheck-only', reason: directive[2] });
  }
  return blocks;
}
