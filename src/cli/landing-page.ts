import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The page served at `/` when the web UI is not available (not built, `--no-ui`, or, with `devMode` false,
 * keys configured): says where the hub endpoints are, so a person who opens the printed URL is never left
 * with a bare 404.
 */
export function landingPage(
  version: string,
  devMode = true,
  /** The dashboard is served alone (`--dashboard`): link to it. */
  dashboard = false,
): (req: IncomingMessage, res: ServerResponse) => void {
  const why = devMode
    ? 'it was started with <code>--no-ui</code>, or <code>web/dist</code> was not built'
    : 'keys are configured: its demo endpoints publish without a token, so the command serves them in development mode only';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ssehub</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head><body>
<h1>ssehub ${version}</h1>
<p>A Mercure-compatible Server-Sent Events hub is running here.</p>
<ul>
<li>Subscribe: <code>GET /.well-known/mercure?topic=&lt;topic selector&gt;</code> with an <code>EventSource</code></li>
<li>Publish: <code>POST /.well-known/mercure</code> with <code>topic</code> and <code>data</code> form fields and a publisher JWT</li>
<li>Operations: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a></li>${
    dashboard
      ? '\n<li>Dashboard: <a href="/dashboard">/dashboard</a>, with a subscriber token that may read the subscriptions</li>'
      : ''
  }
</ul>
<p>The web UI is not served by this instance (${why}). Run <code>ssehub --help</code> for every option.</p>
</body></html>
`;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found: the hub lives at /.well-known/mercure\n');
  };
}
