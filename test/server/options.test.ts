/**
 * Stream, channel, history, resumable-stream and relay options are resolved once from their settings
 * tables (STREAM_SETTINGS, CHANNEL_SETTINGS, HISTORY_SETTINGS, RESUMABLE_SETTINGS, CHAT_RELAY_SETTINGS): defaults come from the rows, and a value a row does not accept is
 * refused when the stream or channel is made, with InvalidOptionError naming the option and the bound.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HUB_SETTINGS } from '../../src/hub/index.js';
import {
  CHANNEL_SETTINGS,
  Channel,
  HISTORY_SETTINGS,
  History,
  InvalidOptionError,
  MemoryStreamStore,
  openStream,
  RESUMABLE_SETTINGS,
  ResumableStreams,
  relayChatCompletion,
  resolveChannelOptions,
  resolveResumableOptions,
  resolveStreamOptions,
  STREAM_SETTINGS,
  type StreamOptions,
  sseResponse,
} from '../../src/server/index.js';
import { startHttp, type TestServer } from './support/servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The InvalidOptionError `make` throws (fails the test when it throws nothing or something else). */
function refusal(make: () => unknown): InvalidOptionError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError, nothing was thrown');
}

describe('stream options', () => {
  it('defaults are the table defaults, resolved once and frozen for streams opened without options', () => {
    const resolved = resolveStreamOptions();
    expect(resolveStreamOptions()).toBe(resolved);
    expect(Object.isFrozen(resolved)).toBe(true);
    for (const [key, row] of Object.entries(STREAM_SETTINGS)) {
      expect(resolved[key as keyof typeof resolved], key).toEqual(row.default);
    }
    expect(resolveStreamOptions({ heartbeatMs: 0 })).toMatchObject({ heartbeatMs: 0, retryJitter: 0 });
  });

  const bad: [keyof StreamOptions, unknown, RegExp][] = [
    ['heartbeatMs', -1, /must be a number 0\.\.2147483647, got -1/],
    ['heartbeatMs', Number.NaN, /got NaN/],
    ['retry', -5, /0\.\.2147483647, got -5/],
    ['retryJitter', 1.5, /must be a number 0\.\.1, got 1\.5/],
    ['maxBufferedBytes', 0, /must be a number >= 1, got 0/],
    ['dispatchTimeoutMs', Number.POSITIVE_INFINITY, /got Infinity/],
    ['overflow', 'drop-newest', /must be one of 'disconnect', 'drop-oldest', 'wait', got "drop-newest"/],
    ['lastEventIdParam', true, /must be a string or false, got true/],
    ['headers', 'x-a: b', /must be a record of header names to values/],
  ];
  it.each(bad)(
    'sseResponse refuses %s = %s, naming the option and the accepted values',
    (key, value, why) => {
      const error = refusal(() =>
        sseResponse(new Request('http://127.0.0.1/'), () => undefined, { [key]: value }),
      );
      expect(error.code).toBe('SSEHUB_INVALID_OPTION');
      expect(error.option).toBe(key);
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).toMatch(why);
    },
  );

  it('openStream refuses a bad option before sending anything: the handler can still answer', async () => {
    server = await startHttp((req, res) => {
      try {
        openStream(req, res, { heartbeatMs: -1 });
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end((error as InvalidOptionError).code);
      }
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('SSEHUB_INVALID_OPTION');
  });

  it("the hub's defaults for the same stream settings are the server's", () => {
    expect(HUB_SETTINGS.dispatchTimeoutMs.default).toBe(STREAM_SETTINGS.dispatchTimeoutMs.default);
    expect(HUB_SETTINGS.subscriberMaxBufferedBytes.default).toBe(STREAM_SETTINGS.maxBufferedBytes.default);
    expect(HUB_SETTINGS.fanOutWindowMs.default).toBe(CHANNEL_SETTINGS.coalesceMs.default);
  });
});

describe('channel and history options', () => {
  it('defaults are the table defaults', () => {
    const resolved = resolveChannelOptions();
    for (const [key, row] of Object.entries(CHANNEL_SETTINGS)) {
      expect(resolved[key as keyof typeof resolved], key).toEqual(row.default);
    }
    const history = new Channel({ history: true }).history;
    expect(history?.maxEvents).toBe(HISTORY_SETTINGS.maxEvents.default);
    expect(history?.maxBytes).toBe(HISTORY_SETTINGS.maxBytes.default);
    expect(new Channel().history).toBeUndefined();
  });

  it.each([
    ['coalesceMs', { coalesceMs: Number.NaN }, /must be a number 0\.\.50, got NaN/],
    ['maxEventBytes', { maxEventBytes: -1 }, /must be a number >= 1, got -1/],
    ['resetEvent', { resetEvent: 'reset\nevent: forged' }, /must not contain CR, LF or NUL/],
    ['generateIds', { generateIds: 'no' }, /must be true or false, got "no"/],
    ['history', { history: 100 }, /must be \{ maxEvents, maxBytes \} or true or false, got 100/],
    ['history.maxEvents', { history: { maxEvents: 0 } }, /must be an integer >= 1, got 0/],
    ['history.maxBytes', { history: { maxBytes: 1.5 } }, /must be an integer >= 1, got 1\.5/],
  ])('new Channel refuses a bad %s', (option, options, why) => {
    const error = refusal(() => new Channel(options as never));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(why);
  });

  it('closeAll checks its retry and retryJitter before closing anything', () => {
    const channel = new Channel();
    const error = refusal(() => channel.closeAll({ retry: 1000, retryJitter: -1 }));
    expect(error.option).toBe('retryJitter');
    expect(error.message).toMatch(/must be a number >= 0, got -1/);
    expect(refusal(() => channel.closeAll({ retry: Number.NaN })).option).toBe('retry');
  });

  it('History checks its bounds on its own too', () => {
    expect(refusal(() => new History({ maxEvents: -3 })).option).toBe('history.maxEvents');
  });
});

describe('resumable stream and relay options', () => {
  it('defaults are the table defaults; a registry without options starts', async () => {
    const resolved = resolveResumableOptions();
    for (const [key, row] of Object.entries(RESUMABLE_SETTINGS)) {
      expect(resolved[key as keyof typeof resolved], key).toBe(row.default);
    }
    await new ResumableStreams().close();
  });

  it.each([
    ['maxProducers', { maxProducers: 0 }, /must be an integer >= 1, got 0/],
    ['maxStreams', { maxStreams: Number.NaN }, /got NaN/],
    ['retryAfterSeconds', { retryAfterSeconds: 1.5 }, /must be an integer >= 1, got 1\.5/],
    ['leaseMs', { leaseMs: -10 }, /must be a number 1\.\.2147483647, got -10/],
    ['now', { now: 1700000000000 }, /must be a function/],
    ['heartbeatMs', { stream: { heartbeatMs: -1 } }, /must be a number 0\.\.2147483647, got -1/],
  ])('new ResumableStreams refuses a bad %s', (option, options, why) => {
    const error = refusal(() => new ResumableStreams(options as never));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(why);
  });

  it('a shared store without follow(), renew() and produced() is refused, naming the store', () => {
    const store = Object.assign(new MemoryStreamStore(), { shared: true });
    const error = refusal(() => new ResumableStreams({ store }));
    expect(error.option).toBe('store');
    expect(error.message).toMatch(/follow\(\), renew\(\) and produced\(\)/);
  });

  it('relayChatCompletion checks its options when the relay is made', () => {
    const relay = { url: 'http://127.0.0.1:1/v1/chat/completions', body: {} };
    expect(refusal(() => relayChatCompletion({ ...relay, stallTimeoutMs: 0 })).option).toBe('stallTimeoutMs');
    expect(refusal(() => relayChatCompletion({ ...relay, maxEventSize: -1 })).option).toBe('maxEventSize');
    expect(typeof relayChatCompletion(relay)).toBe('function');
  });
});
