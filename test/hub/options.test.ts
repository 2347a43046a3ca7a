import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  HUB_DEFAULTS,
  HubConfigError,
  type HubLogger,
  type HubOptions,
  hubSettingName,
  resolveHubOptions,
} from '../../src/hub/options.js';
import { HUB_SETTING_RULES, HUB_SETTINGS } from '../../src/hub/settings.js';

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
    expect(warnings.join()).toMatch(
      /subscriberMaxBufferedBytes \(--max-buffered\).*maxBodyBytes \(--max-body\)/,
    );
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

/** A logger that keeps warnings. */
function recording(): { logger: HubLogger; warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return {
    warnings,
    logger: { debug: none, info: none, error: none, warn: (_, msg) => warnings.push(msg ?? '') },
  };
}

describe('related settings are checked together', () => {
  // One configuration breaking each rule of HUB_SETTING_RULES, in order; a new rule needs an example here.
  const broken: readonly HubOptions[] = [
    { writeTimeoutMs: 5_000, dispatchTimeoutMs: 5_000 },
    { subscriberMaxBufferedBytes: 1000, maxBodyBytes: 2000 },
    { historyTtlMs: 60_000, historySize: 0 },
    { heartbeatMs: 60_000, writeTimeoutMs: 60_000, dispatchTimeoutMs: 5_000 },
  ];

  it('has an example for every rule, and each message names every option involved with its flag', () => {
    expect(broken).toHaveLength(HUB_SETTING_RULES.length);
    HUB_SETTING_RULES.forEach((rule, i) => {
      const { logger, warnings } = recording();
      let message: string | undefined;
      let threw = false;
      try {
        resolveHubOptions({ ...broken[i], logger });
      } catch (error) {
        expect(error).toBeInstanceOf(HubConfigError);
        threw = true;
        message = (error as Error).message;
      }
      message ??= warnings.join('\n');
      // An error rule refuses to start and logs nothing; a warning rule starts and warns exactly once.
      expect({ threw, warnings: warnings.length }).toEqual(
        rule.severity === 'error' ? { threw: true, warnings: 0 } : { threw: false, warnings: 1 },
      );
      for (const key of rule.keys) expect(message).toContain(hubSettingName(key));
    });
  });

  it('refuses --write-timeout under twice --dispatch-timeout (streams would close at once)', () => {
    expect(() => resolveHubOptions({ writeTimeoutMs: 7_000 })).toThrow(
      /writeTimeoutMs \(--write-timeout\) \(7000 ms\) must be 0 or at least twice dispatchTimeoutMs \(--dispatch-timeout\)/,
    );
    expect(() => resolveHubOptions({ dispatchTimeoutMs: 400_000 })).toThrow(/at least 800000 ms/);
    expect(resolveHubOptions({ writeTimeoutMs: 10_000 }).writeTimeoutMs).toBe(10_000);
    expect(resolveHubOptions({ writeTimeoutMs: 0, dispatchTimeoutMs: 9_000 }).writeTimeoutMs).toBe(0);
  });

  it('the defaults satisfy every rule without a warning', () => {
    const { logger, warnings } = recording();
    resolveHubOptions({ logger });
    expect(warnings).toEqual([]);
  });
});

describe('HUB_SETTINGS', () => {
  it('HUB_DEFAULTS is every row default', () => {
    expect(Object.keys(HUB_DEFAULTS)).toEqual(Object.keys(HUB_SETTINGS));
    for (const [key, row] of Object.entries(HUB_SETTINGS)) {
      expect(HUB_DEFAULTS[key as keyof typeof HUB_DEFAULTS]).toEqual(row.default);
    }
  });

  it('refuses every value outside a row bound, naming the option and its flag', () => {
    for (const [key, row] of Object.entries(HUB_SETTINGS)) {
      const bad = row.kind === 'integer' ? (row.min ?? 0) - 1 : row.kind === 'boolean' ? 'yes' : 42;
      expect(() => resolveHubOptions({ [key]: bad } as HubOptions)).toThrow(
        new RegExp(`Hub option ${hubSettingName(key as keyof typeof HUB_SETTINGS).replace(/[()]/g, '\\$&')}`),
      );
    }
  });

  it("historySize accepts a count or 'unbounded', nothing else", () => {
    expect(resolveHubOptions({ historySize: 'unbounded' }).historySize).toBe('unbounded');
    expect(resolveHubOptions({ historySize: 0 }).historySize).toBe(0);
    expect(() => resolveHubOptions({ historySize: 'all' as never })).toThrow(/'unbounded'/);
  });
});
