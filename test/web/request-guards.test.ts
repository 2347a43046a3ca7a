import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { assertLoopbackHost, assertSameOrigin } from '../../src/web-ui/request-guards.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('assertLoopbackHost (DNS-rebinding guard of the development token)', () => {
  it('accepts loopback names and addresses, with or without a port, from Host or HTTP/2 :authority', () => {
    for (const host of [
      'localhost',
      'LOCALHOST:8844',
      'app.localhost:1',
      '127.0.0.1:8844',
      '127.9.9.9',
      '[::1]:8844',
      '[::ffff:127.0.0.1]:8844',
    ]) {
      expect(() => assertLoopbackHost(request({ host })), host).not.toThrow();
    }
    expect(() => assertLoopbackHost(request({ ':authority': '127.0.0.1:8844' }))).not.toThrow();
  });

  it('refuses every other host, including look-alikes and a missing one', () => {
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.evil.example',
      '10.0.0.1',
      '[::2]',
      '',
    ]) {
      expect(() => assertLoopbackHost(request({ host })), host).toThrow(/loopback/);
    }
    expect(() => assertLoopbackHost(request({}))).toThrow(/loopback/);
  });
});

describe('assertSameOrigin (CSRF guard of the demo writes)', () => {
  it('accepts a same-origin write over HTTP/2, where the browser sends :authority and no Host', () => {
    const h2 = request({ ':authority': '127.0.0.1:8844', origin: 'https://127.0.0.1:8844' });
    expect(() => assertSameOrigin(h2)).not.toThrow();
    const h1 = request({ host: '127.0.0.1:8844', origin: 'http://127.0.0.1:8844' });
    expect(() => assertSameOrigin(h1)).not.toThrow();
  });

  it('refuses another origin over either version', () => {
    for (const req of [
      request({ ':authority': '127.0.0.1:8844', origin: 'https://evil.example' }),
      request({ host: '127.0.0.1:8844', origin: 'http://evil.example' }),
      request({ origin: 'https://127.0.0.1:8844' }),
    ]) {
      expect(() => assertSameOrigin(req)).toThrow(/Cross-site/);
    }
  });
});
