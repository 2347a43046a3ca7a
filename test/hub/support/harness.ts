import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthOptions,
  createAuthorizer,
  createToken,
  type TokenClaims,
} from '../../../src/hub/auth/index.js';
import { createHub, type Hub, type HubOptions } from '../../../src/hub/index.js';
import { EventStreamParser, type ReceivedEvent } from '../../../src/protocol/index.js';

/** HMAC secret the test hubs verify with (long enough for HS512). */
export const SECRET = 'test-secret-that-is-long-enough-for-hs512-0123456789abcdef0123456789abcdef';

/** Mints an HS256 token signed with {@link SECRET}. */
export function token(claims: TokenClaims): Promise<string> {
  return createToken(claims, SECRET);
}

/** A hub listening on 127.0.0.1 with a real JWT authoriser. */
export interface RunningHub {
  hub: Hub;
  server: Server;
  base: string;
  port: number;
  close(): Promise<void>;
}

/** Starts `createHub(options)` on an ephemeral port; `auth` configures the real JWT authoriser. */
export async function startHub(
  options: HubOptions = {},
  auth: AuthOptions = { key: { key: SECRET } },
): Promise<RunningHub> {
  const authorizer = options.authorizer ?? (await createAuthorizer(auth));
  const hub = createHub({ ...options, authorizer });
  const server = createServer(hub.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    hub,
    server,
    port,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** POSTs a publish form; `fields` values may be arrays for repeated names. */
export async function publish(
  base: string,
  fields: Record<string, string | readonly string[]>,
  bearer?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of typeof value === 'string' ? [value] : value) form.append(name, v);
  }
  return fetch(`${base}/.well-known/mercure`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...headers,
    },
    body: form,
  });
}

/** Publishes and returns the id, failing the test on a non-200 answer. */
export async function publishOk(
  base: string,
  fields: Record<string, string | readonly string[]>,
  bearer: string,
): Promise<string> {
  const res = await publish(base, fields, bearer);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`publish failed: ${res.status} ${text}`);
  return text;
}

/** The subscribe URL for `topics` plus extra query parameters. */
export function subscribeUrl(
  base: string,
  topics: readonly string[],
  query: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const t of topics) params.append('topic', t);
  for (const [k, v] of Object.entries(query)) params.append(k, v);
  return `${base}/.well-known/mercure?${params}`;
}

/** A subscriber reading the stream with our own WHATWG parser over fetch. */
export interface TestSubscriber {
  response: Response;
  events: ReceivedEvent[];
  comments: string[];
  retries: number[];
  /** Resolves once `n` events arrived (rejects if the stream ends first). */
  waitFor(n: number): Promise<ReceivedEvent[]>;
  /** Resolves once a comment satisfying `predicate` arrived. */
  waitForComment(predicate: (c: string) => boolean): Promise<void>;
  /** Resolves when the body ended (closed by the hub or aborted). */
  ended: Promise<void>;
  abort(): void;
}

/** Opens a subscription; resolves once the response head arrived (the hub has registered us). */
export async function subscribe(url: string, headers: Record<string, string> = {}): Promise<TestSubscriber> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  let done = false;
  const parser = new EventStreamParser({
    onEvent: (e) => {
      events.push(e);
      notify();
    },
    onComment: (c) => {
      comments.push(c);
      notify();
    },
    onRetry: (r) => retries.push(r),
  });
  const ended = (async () => {
    try {
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(chunk);
      }
    } catch {
      // aborted by the test
    } finally {
      done = true;
      notify();
    }
  })();
  const waitUntil = (ok: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (ok()) {
          waiters.delete(check);
          resolve();
        } else if (done) {
          waiters.delete(check);
          reject(new Error(`stream ended before ${what}; got ${JSON.stringify(events)}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    response,
    events,
    comments,
    retries,
    waitFor: async (n) => {
      await waitUntil(() => events.length >= n, `${n} events`);
      return events;
    },
    waitForComment: (predicate) => waitUntil(() => comments.some(predicate), 'the comment'),
    ended,
    abort: () => controller.abort(),
  };
}
