import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built web UI folder: `web/dist` at the package root. This file sits at `src/web-ui/` (under
 * tsx) or `dist/web-ui/` (compiled), two levels below the root either way.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Clean page URLs: `/chat` serves `chat.html`. */
export const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/chat': 'chat.html',
  '/dashboard': 'dashboard.html',
};

/**
 * What every web UI response carries. The CSP allows only this origin, so the pages can make no
 * external request (no CDN, no web font) and injected markup could not run script.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

interface CachedFile {
  readonly mtimeMs: number;
  readonly body: Buffer;
  readonly etag: string;
}

/**
 * Serves the files of one folder for GET and HEAD. Refuses any path that would leave the folder
 * (`..`, encoded slashes, backslashes, NUL), answers revalidation with ETag/304 (`Cache-Control:
 * no-cache`: the names are not content-hashed, so browsers must revalidate), and renders a small
 * 404 page otherwise.
 */
export class StaticFiles {
  readonly #root: string;
  readonly #cache = new Map<string, CachedFile>();
  readonly #pages: ReadonlySet<string>;

  constructor(
    root: string = DEFAULT_WEB_ROOT,
    /** The clean page URLs ({@link PAGES}) served; the others are not found. Default all. */
    pages: readonly string[] = Object.keys(PAGES),
  ) {
    this.#root = resolve(root);
    this.#pages = new Set(pages);
  }

  /**
   * Answers the request; resolves once the response is complete. What is not here goes to `notFound`
   * (default: a small 404 page).
   */
  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    notFound: () => void = () => sendNotFound(req, res, pathname),
  ): Promise<void> {
    // A page left out (the live demo without its endpoints), and its file under its own name too.
    const page =
      PAGES[pathname] !== undefined
        ? pathname
        : Object.entries(PAGES).find(([, file]) => `/${file}` === pathname)?.[0];
    if (page !== undefined && !this.#pages.has(page)) {
      notFound();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Method ${req.method} is not allowed here; the web UI only answers GET and HEAD.\n`);
      return;
    }
    if (!isWellFormedPath(pathname)) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Malformed path: a "%" not followed by two hex digits, or escapes that are not UTF-8.\n');
      return;
    }
    const file = this.#resolve(pathname);
    const cached = file === undefined ? undefined : await this.#load(file);
    if (file === undefined || cached === undefined) {
      if (file !== undefined && PAGES[pathname] !== undefined && !(await exists(this.#root))) {
        this.#notBuilt(res);
        return;
      }
      notFound();
      return;
    }
    const headers = {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ETag: cached.etag,
    };
    if (req.headers['if-none-match'] === cached.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': cached.body.length });
    res.end(req.method === 'HEAD' ? undefined : cached.body);
  }

  /** The absolute file for a URL path, or undefined when the path is not one we may serve. */
  #resolve(pathname: string): string | undefined {
    const page = PAGES[pathname];
    if (page !== undefined) return join(this.#root, page);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (/[\0\\]/.test(decoded) || decoded.split('/').some((segment) => segment === '..')) return undefined;
    const file = resolve(this.#root, `.${decoded}`);
    return file.startsWith(this.#root + sep) ? file : undefined;
  }

  async #load(file: string): Promise<CachedFile | undefined> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = this.#cache.get(file);
    if (hit !== undefined && hit.mtimeMs === info.mtimeMs) return hit;
    const body = await readFile(file);
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    const entry = { mtimeMs: info.mtimeMs, body, etag };
    this.#cache.set(file, entry);
    return entry;
  }

  #notBuilt(res: ServerResponse): void {
    res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`The web UI is not built (no ${this.#root}). Run \`npm run build\`, then reload.\n`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A 404: an HTML page for browsers, plain text for everything else. */
function sendNotFound(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  const wantsHtml = (req.headers.accept ?? '').includes('text/html');
  const safePath = pathname.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(404, {
    ...SECURITY_HEADERS,
    'Content-Type': wantsHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.end(
    wantsHtml
      ? `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found · ssehub</title><link rel="stylesheet" href="/style.css"></head><body><main class="page"><h1>Not found</h1><p>Nothing lives at <code>${safePath}</code>.</p><p><a href="/">Live demo</a> · <a href="/chat">Streamed chat</a> · <a href="/dashboard">Dashboard</a></p></main></body></html>\n`
      : `Not found: ${pathname}\n`,
  );
}

/** Whether `pathname`'s percent-escapes decode (RFC 3986 §2.1, as UTF-8). */
function isWellFormedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}
