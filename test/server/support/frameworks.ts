import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import compression from 'compression';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { openStream, type SseStream, type StreamOptions, sseResponse } from '../../../src/server/index.js';

/** A running framework app whose `/sse` route hands each opened stream to the test. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Builds an app on `/sse` that opens a stream with `options` and passes it to `onStream`. */
export type AppFactory = (onStream: (s: SseStream) => void, options?: StreamOptions) => Promise<RunningApp>;

async function listenNode(server: Server): Promise<RunningApp> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Express 5, optionally behind the `compression` middleware. */
export function expressApp(withCompression: boolean): AppFactory {
  return async (onStream, options) => {
    const app = express();
    if (withCompression) app.use(compression({ threshold: 0 }));
    app.get('/sse', (req, res) => onStream(openStream(req, res, options)));
    return listenNode(app.listen(0, '127.0.0.1'));
  };
}

/** Fastify 5: `reply.hijack()` hands the raw response over. */
export const fastifyApp: AppFactory = async (onStream, options) => {
  const app = Fastify();
  app.get('/sse', (request, reply) => {
    reply.hijack();
    onStream(openStream(request.raw, reply.raw, options));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
};

/** Koa 3: `ctx.respond = false` lets us own the response. */
export const koaApp: AppFactory = async (onStream, options) => {
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.path !== '/sse') return;
    ctx.respond = false;
    onStream(openStream(ctx.req, ctx.res, options));
  });
  return listenNode(app.listen(0, '127.0.0.1'));
};

/** Hono 4 on @hono/node-server, through the Fetch face. */
export const honoApp: AppFactory = async (onStream, options) => {
  const app = new Hono();
  app.get('/sse', (c) => sseResponse(c.req.raw, (stream) => onStream(stream), options));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await once(server, 'listening');
  return listenNode(server);
};

/** node:http itself. */
export const nodeHttpApp: AppFactory = async (onStream, options) => {
  const { createServer } = await import('node:http');
  return listenNode(createServer((req, res) => onStream(openStream(req, res, options))));
};
