/**
 * Client options are resolved once from CLIENT_SETTINGS when a client is made: defaults come from the rows,
 * and a value a row does not accept throws SseOptionError (naming the option and what it accepts) from the
 * constructor, before any request. A real server checks that nothing was sent and that the defaults apply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLIENT_SETTINGS,
  type ClientOptions,
  EVENT_SOURCE_SETTINGS,
  type ResumeCursor,
  resolveClientOptions,
  SseEventSource,
  SsehubError,
  SseOptionError,
  streamEvents,
} from '../../src/client/index.js';
import { openStream, startServer, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The SseOptionError `make` throws (fails the test when it throws nothing or something else). */
function refusal(make: () => unknown): SseOptionError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(SseOptionError);
    return error as SseOptionError;
  }
  throw new Error('expected an SseOptionError, nothing was thrown');
}

describe('client options', () => {
  it('defaults are the table defaults; the first last event id and fetch are settled once', () => {
    const resolved = resolveClientOptions();
    expect(Object.isFrozen(resolved)).toBe(true);
    for (const [key, row] of Object.entries(CLIENT_SETTINGS)) {
      if (key === 'lastEventId' || key === 'fetch') continue;
      expect(resolved[key as keyof typeof resolved], key).toBe(row.default);
    }
    expect(resolved.lastEventId).toBe('');
    expect(typeof resolved.fetch).toBe('function');
    let loads = 0;
    const cursor: ResumeCursor = {
      load: () => {
        loads++;
        return 'saved-7';
      },
      save: () => undefined,
      clear: () => undefined,
    };
    expect(resolveClientOptions({ cursor }).lastEventId).toBe('saved-7');
    expect(resolveClientOptions({ cursor, lastEventId: 'given-3' }).lastEventId).toBe('given-3');
    expect(loads).toBe(1);
  });

  const bad: [keyof ClientOptions, unknown, RegExp][] = [
    ['reconnectionTime', -1, /must be a number 0\.\.2147483647, got -1/],
    ['minReconnectionTime', Number.NaN, /got NaN/],
    ['maxReconnectDelay', Number.NEGATIVE_INFINITY, /got -Infinity/],
    ['maxRetryAfter', '300000', /must be a number 0\.\.2147483647, got "300000"/],
    ['heartbeatTimeout', -0.5, /0\.\.2147483647, got -0.5/],
    ['maxEventSize', 0, /must be an integer >= 1 or Infinity, got 0/],
    ['credentials', 'always', /must be one of 'omit', 'same-origin', 'include', got "always"/],
    ['reconnectOnEnd', 'no', /must be true or false/],
    ['shouldRetry', true, /must be a function \(error, context\) => boolean/],
    ['random', 0.5, /must be a function, got 0\.5/],
    ['resumeUrl', 42, /must be a URL, a string or \(lastEventId\) => URL, got 42/],
  ];
  it.each(bad)(
    'streamEvents refuses %s = %s, naming the option and the accepted values',
    (key, value, why) => {
      const error = refusal(() => streamEvents('http://127.0.0.1:1/', { [key]: value }));
      expect(error).toBeInstanceOf(SsehubError);
      expect(error.code).toBe('SSEHUB_INVALID_CLIENT_OPTION');
      expect(error.option).toBe(key);
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).toMatch(why);
    },
  );

  it('SseEventSource refuses a bad option before sending any request', async () => {
    server = await startServer((_req, res) => {
      openStream(res);
      res.end('data: x\n\n');
    });
    const error = refusal(() => new SseEventSource(server!.origin, { reconnectionTime: -3000 }));
    expect(error.option).toBe('reconnectionTime');
    const body = refusal(
      () => new SseEventSource(server!.origin, { method: 'POST', body: new ReadableStream() }),
    );
    expect(body.option).toBe('body');
    expect(server.requests).toHaveLength(0);
  });

  it('a client made without options uses the table defaults (credentials, reconnection time)', async () => {
    server = await startServer((_req, res) => {
      openStream(res);
      res.end('data: x\n\n');
    });
    const source = new SseEventSource(server.origin);
    try {
      expect(source.withCredentials).toBe(EVENT_SOURCE_SETTINGS.withCredentials.default);
      expect(source.reconnectionTime).toBe(CLIENT_SETTINGS.reconnectionTime.default);
      await server.request(0);
      expect(server.requests[0]!.method).toBe(CLIENT_SETTINGS.method.default);
    } finally {
      source.close();
    }
  });
});
