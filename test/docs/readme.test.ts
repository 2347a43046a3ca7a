/**
 * Doc-test: every ```ts block of README.md is type-checked with `tsc --strict` as a user would compile it
 * (`ssehub`, `ssehub/hub`… mapped to src/ through tsconfig paths) and then run in a child process, so no
 * example can rot. A block that starts a server must listen and answer: SSE on `/events` when it opens
 * streams, the hub's subscribe endpoint when it creates a hub; a block exporting a Fetch `GET` handler must
 * answer an event stream; every block must load without an error and stop on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../server/support/tls.js';
import { type DocBlock, readmeBlocks } from './readme-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RUNNER = join(root, 'test/docs/fixtures/run-block.ts');
const blocks = readmeBlocks(join(root, 'README.md'));

// Budgets, not timing assertions: generous because the suite shares two cores with everything else (a
// loaded machine made tsc take 20 times its usual 6 s).
/** How long a block may take to load or start listening (tsx compiles on first import). */
const START_BUDGET_MS = 90_000;
/** How long a block may take to stop after SIGTERM (the graceful-shutdown example flushes first). */
const STOP_BUDGET_MS = 30_000;
/** How long `tsc` may take over every block (and the sources they import). */
const TYPECHECK_BUDGET_MS = 600_000;

const ENTRY_POINTS: Record<string, string> = {
  ssehub: 'src/server/index.ts',
  'ssehub/protocol': 'src/protocol/index.ts',
  'ssehub/client': 'src/client/index.ts',
  'ssehub/hub': 'src/hub/index.ts',
  'ssehub/web-ui': 'src/web-ui/index.ts',
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ssehub-doctest-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const paths = Object.fromEntries(
    Object.entries(ENTRY_POINTS).map(([name, path]) => [name, [join(root, path)]]),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
        paths,
      },
      include: ['*.ts'],
    }),
  );
  for (const block of blocks) writeFileSync(join(dir, block.file), block.source);
  // The http2 recipe reads key.pem and cert.pem from its working directory.
  const { key, cert } = selfSignedCert();
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  mkdirSync(join(dir, 'data'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README TypeScript blocks', () => {
  it('finds the examples (the extractor still reads the README)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(20);
    expect(blocks.filter((b) => b.mode === 'typecheck-only').length).toBeLessThanOrEqual(7);
  });

  it(
    'type-check with tsc --strict as a user compiles them',
    async () => {
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const output = await new Promise<string>((resolve) => {
        execFile(process.execPath, [tsc, '-p', dir], { cwd: dir }, (_error, stdout, stderr) =>
          resolve(`${stdout}${stderr}`),
        );
      });
      // Name each error by its README line, so the message says which example to fix.
      const errors = output
        .split('\n')
        .filter((line) => /error TS\d+/.test(line))
        .map((line) => {
          const block = blocks.find((b) => line.startsWith(b.file));
          const at = /\((\d+),\d+\)/.exec(line);
          return block && at ? `README.md:${block.line + Number(at[1])}: ${line}` : line;
        });
      expect(errors).toEqual([]);
    },
    TYPECHECK_BUDGET_MS,
  );

  it.each(blocks.filter((b) => b.mode === 'run').map((b) => [`${b.file} (README.md:${b.line})`, b] as const))(
    'runs %s',
    async (_name, block) => {
      await runBlock(block);
    },
    START_BUDGET_MS + STOP_BUDGET_MS + 10_000,
  );
});

interface Report {
  kind: 'listening' | 'loaded' | 'error';
  port?: number;
  tls?: boolean;
  message?: string;
  get?: { status: number; contentType: string | null; first: string };
}

/** Runs `block` in a child process, checks what it serves, stops it, and throws on any failure. */
async function runBlock(block: DocBlock): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, join(dir, block.file)], {
    cwd: dir,
    env: {
      ...process.env,
      // Secrets the examples read from the environment, as their users would set them.
      MERCURE_JWT_KEY: 'doctest-secret-doctest-secret-doctest-secret!',
      PUBLISHER_KEY: 'doctest-publisher-doctest-publisher-doctest!',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: Report[] = [];
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let wake: () => void = () => {};
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const line of chunk.split('\n')) {
      if (line.startsWith('\u0000doctest ')) reports.push(JSON.parse(line.slice(9)) as Report);
    }
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const expectsServer = /\.listen\(|\bserve\(/.test(block.source);
  const ready = (): boolean =>
    reports.some((r) => r.kind === 'error') ||
    (reports.some((r) => r.kind === 'loaded') &&
      (!expectsServer || reports.some((r) => r.kind === 'listening')));
  try {
    const status = await Promise.race([
      exited.then((e) => ({ exited: e })),
      new Promise<'ready'>((resolve) => {
        wake = () => ready() && resolve('ready');
        wake();
      }),
      sleep(START_BUDGET_MS).then(() => 'budget' as const),
    ]);
    const error = reports.find((r) => r.kind === 'error');
    if (error) throw new Error(`README.md:${block.line}: ${error.message}\n${output}`);
    if (status === 'budget') {
      throw new Error(`README.md:${block.line}: did not load or listen within the budget\n${output}`);
    }
    if (typeof status === 'object') {
      // Finished on its own: fine for a script, a failure for a block meant to keep serving.
      const { code } = status.exited;
      if (code !== 0 || expectsServer || !reports.some((r) => r.kind === 'loaded')) {
        throw new Error(`README.md:${block.line}: exited with ${code}\n${output}`);
      }
      return;
    }
    const loaded = reports.find((r) => r.kind === 'loaded');
    if (loaded?.get) {
      expect(loaded.get.status).toBe(200);
      expect(loaded.get.contentType).toMatch(/^text\/event-stream/);
    }
    for (const listener of reports.filter((r) => r.kind === 'listening')) {
      await checkServer(block, listener);
    }
    await stop(child, exited, block);
  } finally {
    child.kill('SIGKILL');
  }
}

/** The request a block's server must answer, by what the block builds. */
function probe(block: DocBlock): { path: string; eventStream: boolean } {
  if (block.source.includes('createHub(')) {
    return {
      path: `/.well-known/mercure?topic=${encodeURIComponent('https://example.com/books/1')}`,
      eventStream: true,
    };
  }
  return { path: '/events', eventStream: /openStream\(|sseResponse\(/.test(block.source) };
}

async function checkServer(block: DocBlock, listener: Report): Promise<void> {
  const { path, eventStream } = probe(block);
  const answer = listener.tls
    ? await getHttp2(listener.port ?? 0, path)
    : await getHttp1(listener.port ?? 0, path);
  if (eventStream) {
    expect(answer.status, `README.md:${block.line}: GET ${path}`).toBe(200);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    expect(answer.first).toMatch(/^(:|retry:|id:|event:|data:)/);
  } else {
    expect(answer.status, `README.md:${block.line}: GET ${path}`).toBeLessThan(500);
  }
}

interface Answer {
  status: number;
  contentType: string | undefined;
  first: string;
}

function getHttp1(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path }, (response) => {
      response.setEncoding('utf8');
      const done = (first: string) => {
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], first });
        request.destroy();
      };
      response.once('data', done);
      response.once('end', () => done(''));
    });
    request.once('error', reject);
  });
}

function getHttp2(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.once('error', reject);
    const stream = session.request({ ':path': path });
    stream.once('response', (headers) => {
      stream.setEncoding('utf8');
      const done = (first: string) => {
        resolve({
          status: Number(headers[':status']),
          contentType: headers['content-type'] as string | undefined,
          first,
        });
        session.destroy();
      };
      stream.once('data', done);
      stream.once('end', () => done(''));
    });
    stream.once('error', reject);
  });
}

async function stop(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  block: DocBlock,
): Promise<void> {
  child.kill('SIGTERM');
  const result = await Promise.race([exited, sleep(STOP_BUDGET_MS).then(() => undefined)]);
  if (!result) throw new Error(`README.md:${block.line}: still running ${STOP_BUDGET_MS} ms after SIGTERM`);
  if (result.code !== 0 && result.signal !== 'SIGTERM') {
    throw new Error(`README.md:${block.line}: stopped with ${result.code ?? result.signal}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
