import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from './binaries.js';
import { stopAndRemove, waitUntilListening } from './daemon-process.js';
import { freePort } from './redis-server.js';

/** Where Debian installs nginx and Caddy (override with NGINX, CADDY). */
export const NGINX_PATH = process.env.NGINX ?? '/usr/sbin/nginx';
export const CADDY_PATH = process.env.CADDY ?? '/usr/bin/caddy';

/** The public name the README's recipes serve; tests map it to 127.0.0.1 in the browser. */
export const RECIPE_HOST = 'hub.example.com';

/** A proxy started from a README recipe, terminating TLS in front of a hub. */
export interface RunningProxy {
  /** `https://hub.example.com:<port>` (resolve the name to 127.0.0.1 to reach it). */
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** The README's fenced block of `language` in the section "Running behind nginx or Caddy", exactly. */
export async function readmeRecipe(language: 'nginx' | 'caddyfile'): Promise<string> {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Running behind nginx or Caddy'));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match) throw new Error(`README: no ${language} block under "Running behind nginx or Caddy"`);
  return match[1]!;
}

/** Replaces `from` (which must occur) with `to`: a recipe that changed shape fails loudly here. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`README recipe no longer contains ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

/** Whether the proxy suites may run (false only outside CI when the binary is missing). */
export const NGINX_ENABLED = requireBinary('nginx', NGINX_PATH);
export const CADDY_ENABLED = requireBinary('Caddy', CADDY_PATH);

/**
 * Starts nginx or Caddy with the README's recipe, changed only where a test must: a free loopback port
 * instead of 443, the test certificate instead of Let's Encrypt's, and the hub's port instead of 8844.
 */
export async function startReadmeProxy(
  kind: 'nginx' | 'caddy',
  hubPort: number,
  tls: { certPath: string; keyPath: string },
): Promise<RunningProxy> {
  const dir = await mkdtemp(join(tmpdir(), `ssehub-${kind}-`));
  const port = await freePort();
  let command: string;
  let args: string[];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir };
  if (kind === 'nginx') {
    let server = await readmeRecipe('nginx');
    server = swap(server, 'listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`);
    server = swap(server, `/etc/letsencrypt/live/${RECIPE_HOST}/fullchain.pem`, tls.certPath);
    server = swap(server, `/etc/letsencrypt/live/${RECIPE_HOST}/privkey.pem`, tls.keyPath);
    server = swap(server, 'http://127.0.0.1:8844', `http://127.0.0.1:${hubPort}`);
    // One process (no master, no workers): SIGKILL stops all of it, and nothing switches user.
    const config = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${server}
}
`;
    await writeFile(join(dir, 'nginx.conf'), config);
    command = NGINX_PATH;
    args = ['-p', dir, '-c', join(dir, 'nginx.conf')];
  } else {
    let site = await readmeRecipe('caddyfile');
    site = swap(
      site,
      `${RECIPE_HOST} {`,
      `${RECIPE_HOST}:${port} {\n    bind 127.0.0.1\n    tls ${tls.certPath} ${tls.keyPath}`,
    );
    site = swap(site, 'reverse_proxy 127.0.0.1:8844', `reverse_proxy 127.0.0.1:${hubPort}`);
    // No admin endpoint, no HTTP->HTTPS redirect listener on :80, state in the temporary directory.
    const config = `{\n    admin off\n    auto_https disable_redirects\n}\n${site}`;
    await writeFile(join(dir, 'Caddyfile'), config);
    Object.assign(env, { XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') });
    command = CADDY_PATH;
    args = ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'];
  }
  const proc: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  const collect = (d: Buffer) => {
    log += d.toString();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  await waitUntilListening(proc, port, kind, 15_000, async () => {
    const errors = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    return `${log}\n${errors}`;
  });
  return {
    origin: `https://${RECIPE_HOST}:${port}`,
    port,
    stop: () => stopAndRemove(proc, dir),
  };
}
