import type { HubOptions } from '../hub/options.js';
import type { CliConfig } from './config.js';

/**
 * The hub settings of a command-line configuration, as `createHub` takes them. Pure, so a test checks that
 * every flag reaches the hub. Undefined values leave the hub's defaults (HUB_DEFAULTS) in place.
 */
export function hubOptionsFrom(
  config: CliConfig,
  wiring: Pick<HubOptions, 'transport' | 'authorizer' | 'logger' | 'fallback'>,
): HubOptions {
  return {
    ...wiring,
    allowAnonymous: config.anonymous,
    corsOrigins: config.corsOrigins,
    heartbeatMs: config.heartbeatMs,
    dispatchTimeoutMs: config.dispatchTimeoutMs,
    writeTimeoutMs: config.writeTimeoutMs,
    maxConnections: config.maxConnections,
    subscriberQueueSize: config.subscriberQueueSize,
    subscriberMaxBufferedBytes: config.subscriberMaxBufferedBytes,
    maxBodyBytes: config.maxBodyBytes,
    bodyTimeoutMs: config.bodyTimeoutMs,
    maxTopics: config.maxTopics,
    reconnectRetryMs: config.reconnectRetryMs,
    historySize: config.historySize,
    historyScanLimit: config.historyScanLimit,
    topicSelectorCacheSize: config.topicSelectorCacheSize,
    fanOutWindowMs: config.fanOutWindowMs,
    subscriptions: config.subscriptions,
    resourceIdentifier: config.resourceIdentifier,
    mercure0x: config.mercure0x,
    metrics: config.metrics,
  };
}
