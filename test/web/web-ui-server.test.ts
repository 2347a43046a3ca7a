import { request } from 'node:http';
import { connect } from 'node:net';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamEvents } from '../../src/client/index.js';
import { generateAnswer } from '../../src/web-ui/index.js';
import { buildWebUi, startHub, type TestHub } from './harness.js';

/** A raw GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(origin: string, path: string): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw GET with chosen headers (fetch cannot set Host); resolves with status, body and Set-Cookie. */
function rawRequest(
  origin: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; setCookie: string[] | undefined }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web UI server side: static files and demo endpoints', () => {
  let web: ReturnType<typeof buildWebUi>;
  let server: TestHub;
  let topics: { clock: string; messages: string; room: string };

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.origin}/demo${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    web = buildWebUi();
    server = await startHub(web.dir, {
      chat: { tokenIntervalMs: 5 },
      clockIntervalMs: 50,
      statsIntervalMs: 50,
      devToken: 'dev.token.value',
      limits: { writesPer10s: 1000, promptsPerMinute: 1000 },
    });
    topics = ((await (await fetch(`${server.origin}/demo/config`)).json()) as { topics: typeof topics })
      .topics;
  });

  afterAll(async () => {
    await server?.close();
    web?.remove();
  });

  it('the build reports every bundle with its size', () => {
    expect(web.output).toMatch(/live\.js\s+\d+ B\s+\d+ B gzip/);
    expect(web.output).toMatch(/total\s+\d+ B/);
  });

  it('serves the pages with content types, a CSP that forbids other origins, and ETag revalidation', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/chat', 'text/html'],
      ['/dashboard', 'text/html'],
      ['/style.css', 'text/css'],
      ['/live.js', 'text/javascript'],
      ['/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await fetch(`${server.origin}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain(type);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = response.headers.get('etag')!;
      const again = await fetch(`${server.origin}${path}`, { headers: { 'If-None-Match': etag } });
      expect(again.status, path).toBe(304);
    }
    const head = await fetch(`${server.origin}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const put = await fetch(`${server.origin}/`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('answers 404 with a page for browsers and refuses every path that leaves the folder', async () => {
    const html = await fetch(`${server.origin}/nope`, { headers: { Accept: 'text/html' } });
    expect(html.status).toBe(404);
    expect(await html.text()).toContain('Nothing lives at <code>/nope</code>');
    const escaped = await fetch(`${server.origin}/%3Cscript%3E`, { headers: { Accept: 'text/html' } });
    expect(await escaped.text()).not.toContain('<script>');
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%5cpackage.json',
      '/%00index.html',
    ]) {
      expect(await rawGet(server.origin, path), path).toBe(404);
    }
    // A malformed escape is a bad request, said as such.
    expect(await rawGet(server.origin, '/%E0%A4%A')).toBe(400);
  });

  it('explains that the pages are not built when the folder is missing', async () => {
    const bare = await startHub('/nonexistent/ssehub-web-dist');
    try {
      const response = await fetch(`${bare.origin}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });

  it('refuses cross-site and malformed writes with a status and a reason', async () => {
    const cases: [Response, number, string][] = [
      [await post('/messages', { data: 'x' }, { Origin: 'https://evil.example' }), 403, 'Cross-site'],
      [await post('/messages', { data: 'x' }, { 'Sec-Fetch-Site': 'cross-site' }), 403, 'Cross-site'],
      [await post('/messages', { data: 'x' }, { 'Content-Type': 'text/plain' }), 415, 'application/json'],
      [await post('/messages', '{not json'), 400, 'not valid JSON'],
      [await post('/messages', '[1]'), 400, 'JSON object'],
      [await post('/messages', { data: 'x'.repeat(17 * 1024) }), 413, 'too large'],
      [await post('/messages', { data: 'x'.repeat(2001) }), 400, '2000'],
      [await post('/messages', { data: 'x', type: 'bad\ntype' }), 400, '"type"'],
      [await post('/messages', { data: 'x', retry: 'soon' }), 400, '"retry"'],
      [await post('/messages', { data: 'x', retry: -1 }), 400, '"retry"'],
      [await post('/room', { type: 'userhack', name: 'x' }), 400, 'userconnect'],
      [await post('/room', { type: 'userconnect', name: 'n'.repeat(33) }), 400, 'too long'],
      [await post('/room', { type: 'usermessage', name: 'Ada', text: '   ' }), 400, 'empty'],
      [await post('/clock', { running: 'yes' }), 400, 'running'],
      [await post('/chat', { prompt: 'p'.repeat(501) }), 400, 'too long'],
      [
        await post('/chat', { prompt: 'x' }, { 'Last-Event-ID': 'garbage' }),
        400,
        'not a "<stream>:<seq>" event id',
      ],
      [await fetch(`${server.origin}/demo/chat/unknown-answer`), 404, 'unknown or expired'],
      [await fetch(`${server.origin}/demo/chat/%E0%A4%A`), 400, 'percent-encoding'],
      [await fetch(`${server.origin}/demo/clock`), 405, 'POST'],
      [await fetch(`${server.origin}/demo/nothing`), 404, 'No demo endpoint'],
    ];
    for (const [response, status, reason] of cases) {
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toContain(reason);
    }
    // Same-origin writes pass, also behind a proxy that forwards the public host.
    const ok = await post('/messages', { data: 'fine' }, { Origin: server.origin });
    expect(ok.status).toBe(200);
    const proxied = await post(
      '/messages',
      { data: 'fine' },
      { Origin: 'https://hub.example.org', 'X-Forwarded-Host': 'hub.example.org' },
    );
    expect(proxied.status).toBe(200);
  });

  it('answers 408 and closes when a demo body trickles past bodyTimeoutMs (slow-loris)', async () => {
    const slow = await startHub(web.dir, { limits: { bodyTimeoutMs: 200 } });
    try {
      const { port } = new URL(slow.origin);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          received += chunk;
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(received));
        // Declares 50 bytes, sends 10, then nothing.
        socket.write(
          'POST /demo/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
            'Content-Length: 50\r\n\r\n{"data": "',
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(answer).toContain('did not arrive within 200 ms');
    } finally {
      await slow.close();
    }
  });

  it('rate-limits writes per client with 429 and Retry-After', async () => {
    const limited = await startHub(web.dir, { limits: { writesPer10s: 2 } });
    try {
      const send = () =>
        fetch(`${limited.origin}/demo/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ data: 'x' }),
        });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200);
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('publishes the clock as connecttime events through the hub, and stops it', async () => {
    const url = new URL('/.well-known/mercure', server.origin);
    url.searchParams.set('topic', topics.clock);
    const source = new EventSource(url.href);
    try {
      await new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
      const ticks = new Promise<{ tick: number }>((resolve) =>
        source.addEventListener('connecttime', (e) => resolve(JSON.parse(e.data)), { once: true }),
      );
      expect(await (await post('/clock', { running: true })).json()).toEqual({ running: true });
      expect((await ticks).tick).toBeGreaterThan(0);
      expect(await (await post('/clock', { running: false })).json()).toEqual({ running: false });
    } finally {
      source.close();
    }
  });

  it('publishes the chat room events with the members', async () => {
    const url = new URL('/.well-known/mercure', server.origin);
    url.searchParams.set('topic', topics.room);
    const source = new EventSource(url.href);
    try {
      await new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
      const joined = new Promise<{ name: string; members: string[] }>((resolve) =>
        source.addEventListener('userconnect', (e) => resolve(JSON.parse(e.data)), { once: true }),
      );
      const said = new Promise<{ text: string }>((resolve) =>
        source.addEventListener('usermessage', (e) => resolve(JSON.parse(e.data)), { once: true }),
      );
      await post('/room', { type: 'userconnect', name: 'Grace' });
      expect(await joined).toMatchObject({ name: 'Grace', members: ['Grace'] });
      await post('/room', { type: 'usermessage', name: 'Grace', text: 'hi' });
      expect((await said).text).toBe('hi');
      expect(await (await post('/room', { type: 'presence', name: 'Grace' })).json()).toEqual({
        present: true,
      });
      await post('/room', { type: 'userdisconnect', name: 'Grace' });
      expect(await (await post('/room', { type: 'presence', name: 'Grace' })).json()).toEqual({
        present: false,
      });
    } finally {
      source.close();
    }
  });

  it('streams a chat answer and re-attaches by POST or GET with Last-Event-ID without restarting it', async () => {
    const prompt = 'resume me';
    const expected = generateAnswer(prompt);
    const started = server.ui.answers.started;
    const chat = new URL('/demo/chat', server.origin);
    const init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt }),
      reconnectOnEnd: false,
    };
    let answer = '';
    let lastEventId = '';
    const tokens: string[] = [];
    const first = streamEvents(chat, init);
    for await (const event of first) {
      if (event.type === 'answer') answer = (JSON.parse(event.data) as { answer: string }).answer;
      if (event.type === 'token') tokens.push(JSON.parse(event.data) as string);
      lastEventId = event.lastEventId;
      if (tokens.length === 3) break;
    }
    // Re-attach by POST (what the client does on a network error) for a few more tokens.
    const second = streamEvents(chat, { ...init, lastEventId });
    for await (const event of second) {
      if (event.type === 'token') tokens.push(JSON.parse(event.data) as string);
      lastEventId = event.lastEventId;
      if (tokens.length === 6) break;
    }
    // Then by GET with the header, to the end.
    let done = false;
    for await (const event of streamEvents(new URL(`/demo/chat/${answer}`, server.origin), {
      lastEventId,
      reconnectOnEnd: false,
    })) {
      if (event.type === 'token') tokens.push(JSON.parse(event.data) as string);
      if (event.type === 'done') done = true;
      lastEventId = event.lastEventId;
    }
    expect(done).toBe(true);
    expect(tokens).toEqual(expected);
    expect(server.ui.answers.started).toBe(started + 1);
    // Everything delivered: a re-attach after the end gets 204 (EventSource stops reconnecting).
    const after = await fetch(`${server.origin}/demo/chat/${answer}`, {
      headers: { 'Last-Event-ID': lastEventId },
    });
    expect(after.status).toBe(204);
    // Another answer's id is refused.
    const wrong = await fetch(`${server.origin}/demo/chat/${answer}`, {
      headers: { 'Last-Event-ID': 'other:1' },
    });
    expect(wrong.status).toBe(400);
  });

  it('generates the same answer for the same prompt and a different one for another prompt', () => {
    expect(generateAnswer('a question')).toEqual(generateAnswer('a question'));
    expect(generateAnswer('a question').join('')).not.toBe(generateAnswer('another question').join(''));
    expect(generateAnswer('x'.repeat(500), 10)).toHaveLength(10);
  });

  it('pushes dashboard samples over SSE with the hub figures', async () => {
    const source = new EventSource(`${server.origin}/dashboard/feed`);
    const watcher = new EventSource(
      `${server.origin}/.well-known/mercure?topic=${encodeURIComponent(topics.messages)}`,
    );
    // Someone else's subscription: the public dashboard must not name it.
    const privateSelector = 'https://example.com/users/alice/inbox';
    const other = new EventSource(
      `${server.origin}/.well-known/mercure?topic=${encodeURIComponent(privateSelector)}`,
    );
    try {
      const history = new Promise<unknown[]>((resolve) =>
        source.addEventListener('history', (e) => resolve(JSON.parse(e.data)), { once: true }),
      );
      expect(Array.isArray(await history)).toBe(true);
      await new Promise((resolve) => watcher.addEventListener('open', resolve, { once: true }));
      await new Promise((resolve) => other.addEventListener('open', resolve, { once: true }));
      await post('/messages', { data: 'counted' });
      const sample = await new Promise<Record<string, unknown>>((resolve) => {
        const listener = (e: MessageEvent) => {
          const data = JSON.parse(e.data) as { connections: number; topics: { topic: string }[] };
          if (data.connections >= 1 && data.topics.some((t) => t.topic === topics.messages)) {
            source.removeEventListener('sample', listener);
            resolve(data);
          }
        };
        source.addEventListener('sample', listener);
      });
      for (const key of [
        'published',
        'delivered',
        'publishedPerSecond',
        'slowDropped',
        'historySize',
        'rss',
      ]) {
        expect(typeof sample[key], key).toBe('number');
      }
      expect(sample.published as number).toBeGreaterThan(0);
      expect(sample.historySize as number).toBeGreaterThan(0);
      // Both subscriptions are counted, but only the demo's selector is named.
      expect(sample.subscriptions as number).toBeGreaterThanOrEqual(2);
      const named = (sample.topics as { topic: string }[]).map((t) => t.topic);
      expect(named).toContain(topics.messages);
      expect(named).not.toContain(privateSelector);
    } finally {
      source.close();
      watcher.close();
      other.close();
    }
  });

  it('hands out the development token only when configured, as a cookie for the hub path', async () => {
    const response = await fetch(`${server.origin}/demo/token`);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBe(
      'mercureAuthorization=dev.token.value; Path=/.well-known/mercure; HttpOnly; SameSite=Strict',
    );
    // DNS rebinding: a page at rebound.example (re-pointed at 127.0.0.1) is same-origin with itself, so
    // its Origin matches its Host; only a loopback Host may get the token.
    const { port } = new URL(server.origin);
    const rebound = await rawRequest(server.origin, '/demo/token', {
      host: `rebound.example:${port}`,
      origin: `http://rebound.example:${port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('loopback');
    expect(rebound.body).not.toContain('dev.token.value');
    expect(rebound.setCookie).toBeUndefined();
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`, 'app.localhost']) {
      expect((await rawRequest(server.origin, '/demo/token', { host })).status, host).toBe(200);
    }
    const plain = await startHub(web.dir);
    try {
      expect((await fetch(`${plain.origin}/demo/token`)).status).toBe(404);
      const config = (await (await fetch(`${plain.origin}/demo/config`)).json()) as { devToken: boolean };
      expect(config.devToken).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
