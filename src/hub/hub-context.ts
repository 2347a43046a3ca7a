import type { IncomingMessage } from 'node:http';
import type { EncodedEvent } from '../protocol/index.js';
import type { SseServerGroup } from '../server/index.js';
import type { Access, Role } from './auth/access.js';
import type { ConnectionDeadlines } from './http/connection-deadline.js';
import type { CorsPolicy } from './http/cors.js';
import type { BearerError } from './http/protected-resource.js';
import type { HubMetrics } from './metrics.js';
import type { ResolvedHubOptions } from './options.js';
import type { Transport } from './storage/transport.js';
import type { Update } from './storage/update.js';
import type { Subscriber } from './subscribers/subscriber.js';
import type { SubscriberIndex } from './topics/subscriber-index.js';
import type { TopicMatcherStore } from './topics/topic-matcher.js';

/** What the request handlers share: the hub's state and services. Internal to `ssehub/hub`. */
export interface HubContext {
  readonly options: ResolvedHubOptions;
  readonly transport: Transport;
  readonly matcher: TopicMatcherStore;
  readonly index: SubscriberIndex;
  readonly hubMetrics: HubMetrics;
  readonly cors: CorsPolicy;
  /** When each open stream must close: its token's `exp`, its maximum lifetime. */
  readonly deadlines: ConnectionDeadlines;
  /** The open subscriber streams, wound down together by `hub.close()`. */
  readonly streams: SseServerGroup;
  /** True once `hub.close()` started: new work is refused. */
  readonly closing: boolean;
  /** Authorises `req` for `role`; rejects with a `HubHttpError` (400/401/403) a person can act on. */
  authorize(req: IncomingMessage, url: URL, role: Role): Promise<Access>;
  /** The hub's resource identifier for `req` (pinned, or derived from the request). */
  resource(req: IncomingMessage): string;
  /** The `WWW-Authenticate: Bearer` header of a refusal (RFC 6750 §3, Mercure 1.0 §Error Responses). */
  challenge(req: IncomingMessage, error: BearerError | undefined): Record<string, string>;
  /** Stores and fans out an update; rejects with a `HubHttpError` 409 on a duplicate id. */
  dispatch(update: Update): Promise<void>;
  /** The update serialised once, shared by every subscriber. */
  frame(update: Update): EncodedEvent;
  /**
   * Fans out now the updates waiting in the coalescing window, so a subscriber switching from replay to
   * live delivery has them queued (and de-duplicated against its replay) first.
   */
  flushFanOut(): void;
  /** Takes a connection slot; false at the connection cap. */
  reserveConnection(): boolean;
  /** Gives a slot back. */
  releaseConnection(): void;
  /** A `retry:` value around `reconnectRetryMs`, jittered to 50-150 % so reconnects spread out. */
  jitteredRetry(): number;
  /** Called once a subscriber is registered and streaming. */
  subscriberStarted(subscriber: Subscriber): void;
  /** Called once when a subscriber {@link subscriberStarted} reported ends. */
  subscriberEnded(subscriber: Subscriber): void;
}
