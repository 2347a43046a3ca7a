/**
 * The hub as a fan-out benchmark server: `node --expose-gc --import tsx bench/fanout/hub-server.ts PORT`.
 *
 * `createHub` with its default in-memory transport, a publisher key (HS256) and anonymous subscribers, so
 * the loader subscribes with `GET /.well-known/mercure?topic=bench` and the publisher POSTs over HTTP with
 * the token printed on the `READY <port> <token>` line. The connection cap is lifted for 10,000
 * subscribers; every other option keeps the hub's defaults (metrics on, history 10,000). `GET /stats`
 * (the hub's fallback route) reports memory after a full GC, like server.ts.
 *
 * The hub is the compiled one in `dist/` (run.ts builds it first): what the package ships.
 */
import http from 'node:http';

type HubModule = typeof import('../../src/hub/index.js');
// A computed specifier, so type-checking needs no build; the types are the sources'.
const dist = new URL('../../dist/hub/index.js', import.meta.url).href;
const { createAuthorizer, createHub, createToken } = (await import(dist)) as HubModule;

const port = Number(process.argv[2] ?? 8851);
const SECRET = 'fan-out-benchmark-secret-of-at-least-32-bytes';
const gc = (globalThis as { gc?: () => void }).gc;

const hub = createHub({
  authorizer: await createAuthorizer({ key: { key: SECRET }, anonymous: true }),
  maxConnections: 0,
  fallback: (req, res) => {
    if (req.url !== '/stats') {
      res.statusCode = 404;
      res.end();
      return;
    }
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ impl: 'hub', rss: m.rss, heapUsed: m.heapUsed, external: m.external }));
  },
});
const token = await createToken({ publish: ['*'] }, SECRET);
process.on('SIGTERM', () => process.exit(0));
http.createServer(hub.handler).listen(port, '127.0.0.1', () => console.log(`READY ${port} ${token}`));
