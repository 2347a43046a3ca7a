import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hub } from '../hub/index.js';

/** The web UI as the command uses it: a request handler and a way to stop its demo publishers. */
export interface WebUi {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): void;
}

/** Options passed to the web UI's `createWebUi` (see src/hub/web-ui). */
export interface WebUiLoadOptions {
  /** Development subscriber token the pages may use (dev mode only). */
  readonly devToken?: string;
  readonly onError?: (error: unknown) => void;
}

type CreateWebUi = (
  hub: Hub,
  options: WebUiLoadOptions,
) => ((req: IncomingMessage, res: ServerResponse) => void) & { close(): void };

/**
 * Loads the web UI module (src/hub/web-ui, built separately) if it is part of this build, so the command
 * works, with a landing page instead, when it is not. Resolves undefined when it is absent or its pages
 * (web/dist) are not built.
 */
export async function loadWebUi(hub: Hub, options: WebUiLoadOptions): Promise<WebUi | undefined> {
  // A computed specifier: the module is optional at compile time.
  const specifier = ['..', 'hub', 'web-ui', 'index.js'].join('/');
  let mod: { createWebUi?: CreateWebUi; DEFAULT_WEB_ROOT?: string };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  if (typeof mod.createWebUi !== 'function') return undefined;
  if (mod.DEFAULT_WEB_ROOT !== undefined) {
    const { existsSync } = await import('node:fs');
    if (!existsSync(`${mod.DEFAULT_WEB_ROOT}/index.html`)) return undefined;
  }
  const handler = mod.createWebUi(hub, options);
  return { handler, close: () => handler.close() };
}
