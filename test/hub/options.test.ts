import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HUB_DEFAULTS, HubConfigError, type HubLogger, resolveHubOptions } from '../../src/hub/options.js';

describe('resolveHubOptions', () => {
  it('applies the reference hub defaults', () => {
    const resolved = resolveHubOptions();
    expect(resolved.heartbeatMs).toBe(40_000);
    expect(resolved.dispatchTimeoutMs).toBe(5_000);
    expect(resolved.writeTimeoutMs).toBe(600_000);
    expect(resolved.maxBodyBytes).toBe(1024 * 1024);
    expect(resolved.maxTopics).toBe(1_000);
    expect(resolved.historyScanLimit).toBe(HUB_DEFAULTS.historyScanLimit);
    expect(resolved.subscriptions).toBe(false);
    expect(resolved.corsOrigins).toEqual([]);
  });

  it('refuses values that cannot work, naming the option', () => {
    expect(() => resolveHubOptions({ heartbeatMs: -1 })).toThrow(/heartbeatMs/);
    expect(() => resolveHubOptions({ maxTopics: 0 })).toThrow(HubConfigError);
    expect(() => resolveHubOptions({ dispatchTimeoutMs: 1.5 })).toThrow(/integer/);
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: object, msg?: string) => warnings.push(msg ?? ''),
    };
    resolveHubOptions({ subscriberMaxBufferedBytes: 1000, maxBodyBytes: 2000, logger });
    expect(warnings.join()).toMatch(/maxBodyBytes/);
    expect(resolveHubOptions({ maxBodyBytes: 4 << 20 }).subscriberMaxBufferedBytes).toBe(4 << 20);
  });

  it('never allowlists the null origin and wants bare origins', () => {
    expect(() => resolveHubOptions({ corsOrigins: ['null'] })).toThrow(/null/);
    expect(() => resolveHubOptions({ corsOrigins: ['https://a.example/path'] })).toThrow(/no path/);
    expect(resolveHubOptions({ corsOrigins: ['https://a.example', '*'] }).corsOrigins).toHaveLength(2);
  });

  it('accepts a pino logger as is', () => {
    const logger: HubLogger = pino({ level: 'silent' });
    expect(resolveHubOptions({ logger }).logger).toBe(logger);
  });
});
