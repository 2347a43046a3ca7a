import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/server/index.ts', import.meta.url));

/** Bundles the `ssehub` entry the way a Workers/Deno bundler would: no Node built-ins available. */
async function bundleNeutral(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName: 'ssehub',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('the Fetch face outside Node', () => {
  it('bundles with no node: import and serves sseResponse in a context without Buffer or process', async () => {
    const code = await bundleNeutral();
    expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
    // Only web-platform globals: what a Worker or Deno isolate offers, and no Buffer, process or require.
    const sandbox: Record<string, unknown> = {
      ReadableStream,
      TransformStream,
      Response,
      Request,
      Headers,
      TextEncoder,
      TextDecoder,
      URLSearchParams,
      AbortController,
      queueMicrotask,
      // Timers that return numbers, as in browsers and Workers (no unref).
      setTimeout: (fn: () => void, ms: number) => Number(setTimeout(fn, ms)),
      clearTimeout: (id: number) => clearTimeout(id),
      setInterval: (fn: () => void, ms: number) => {
        const t = setInterval(fn, ms);
        t.unref();
        return Number(t);
      },
      clearInterval: (id: number) => clearInterval(id),
    };
    vm.createContext(sandbox);
    vm.runInContext(code, sandbox);
    const lib = sandbox.ssehub as typeof import('../../src/server/index.js');
    const channel = new lib.Channel({ history: true });
    channel.broadcast({ id: '1', data: 'old' });
    channel.broadcast({ id: '2', data: 'missed' });
    const response = lib.sseResponse(
      new Request('http://worker/events', { headers: { 'Last-Event-ID': '1' } }),
      (stream) => {
        channel.join(stream);
        channel.broadcast({ id: '3', data: 'live' });
        stream.close();
      },
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text).toBe(': ok\nid: 2\ndata: missed\n\nid: 3\ndata: live\n\n');
  });
});
