import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/config.js';
import { createHub, HUB_DEFAULTS } from '../../src/hub/index.js';

function resolved(argv: string[]) {
  const command = parseCommandLine(argv, {});
  if (command.kind !== 'run') throw new Error('expected run');
  const hub = createHub(command.hub);
  return { hub, options: hub.options };
}

describe('every hub flag reaches createHub', () => {
  it('applies each value', async () => {
    const { hub, options } = resolved([
      '--cors-origins=https://a.example',
      '--heartbeat=7s',
      '--dispatch-timeout=2s',
      '--write-timeout=3m',
      '--max-connections=11',
      '--queue-size=12',
      '--max-buffered=13KiB',
      '--max-body=14KiB',
      '--body-timeout=20s',
      '--max-topics=15',
      '--reconnect-retry=16s',
      '--history-size=17',
      '--history-scan-limit=18',
      '--topic-cache-size=19',
      '--fan-out-window=5ms',
      '--subscriptions',
      '--no-metrics',
      '--resource-identifier=https://hub.example/.well-known/mercure',
      '--no-mercure-0x',
    ]);
    expect(options).toMatchObject({
      allowAnonymous: true,
      corsOrigins: ['https://a.example'],
      resourceIdentifier: 'https://hub.example/.well-known/mercure',
      mercure0x: false,
      heartbeatMs: 7_000,
      dispatchTimeoutMs: 2_000,
      writeTimeoutMs: 180_000,
      maxConnections: 11,
      subscriberQueueSize: 12,
      subscriberMaxBufferedBytes: 13 * 1024,
      maxBodyBytes: 14 * 1024,
      bodyTimeoutMs: 20_000,
      maxTopics: 15,
      reconnectRetryMs: 16_000,
      historySize: 17,
      historyScanLimit: 18,
      topicSelectorCacheSize: 19,
      fanOutWindowMs: 5,
      subscriptions: true,
      metrics: false,
    });
    await hub.close();
  });

  it('leaves the hub defaults when nothing is given', async () => {
    const { hub, options } = resolved([]);
    const { allowAnonymous: _devModeOverrides, ...defaults } = HUB_DEFAULTS;
    expect(options).toMatchObject(defaults);
    await hub.close();
  });
});
