/**
 * One hub process for the Redis benchmarks: `node --import tsx bench/redis/hub-node.ts PORT memory|REDIS_URL
 * [KEY_PREFIX]`. A publisher key (HS256), anonymous subscribers, no connection cap, every other option at
 * the hub's defaults; prints `READY <port> <publisher token>` once listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthorizer, createHub, createToken, RedisTransport } from '../../src/hub/index.js';

const [portText, engine = 'memory', keyPrefix = '{bench}:'] = process.argv.slice(2);
const SECRET = 'redis-benchmark-secret-of-at-least-32-bytes';

let transport: RedisTransport | undefined;
if (engine !== 'memory') {
  transport = new RedisTransport({ url: engine, keyPrefix });
  await transport.connected();
}
const hub = createHub({
  authorizer: await createAuthorizer({ key: { key: SECRET }, anonymous: true }),
  maxConnections: 0,
  ...(transport ? { transport } : {}),
});
const token = await createToken({ publish: ['*'] }, SECRET);
process.on('SIGTERM', () => process.exit(0));
const server = http.createServer(hub.handler);
server.listen(Number(portText ?? 0), '127.0.0.1', () => {
  console.log(`READY ${(server.address() as AddressInfo).port} ${token}`);
});
