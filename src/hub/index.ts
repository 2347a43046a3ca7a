/**
 * `ssehub/hub`: a Mercure-compatible hub (mercure-protocol §3.1-3.9) to embed in node:http, Express or
 * Fastify, or to run with the `ssehub` command.
 */
export type { Access, Authorizer, AuthRequest, Role } from './access.js';
export {
  ALGORITHMS,
  type Algorithm,
  AuthConfigError,
  type AuthOptions,
  createAuthorizer,
  createToken,
  DEFAULT_COOKIE_NAME,
  HubAuthError,
  type KeyConfig,
  type TokenClaims,
} from './auth/index.js';
export { HubHttpError } from './http-error.js';
export {
  createHub,
  type Hub,
  type HubStats,
  type NextFunction,
  type PublishInput,
} from './hub.js';
export { HubMetrics } from './metrics.js';
export { ANONYMOUS_ACCESS, NoKeyAuthorizer } from './no-key-authorizer.js';
export {
  type FallbackHandler,
  HUB_DEFAULTS,
  HubConfigError,
  type HubLogger,
  type HubOptions,
  type ResolvedHubOptions,
  resolveHubOptions,
} from './options.js';
export { MAX_UPDATE_ID_LENGTH, parsePublishForm } from './publish-form.js';
export { HUB_PATH, isReservedTopic } from './reserved-topic.js';
export { MemoryTransport, type MemoryTransportOptions } from './storage/memory-transport.js';
export { SqliteTransport, type SqliteTransportOptions } from './storage/sqlite-transport.js';
export { EARLIEST } from './subscribe-handler.js';
export { queryEscape, SUBSCRIPTIONS_PATH, subscriptionTopic } from './subscriptions.js';
export { MATCH_ALL, TopicSelectorStore } from './topic-selector.js';
export { DuplicateUpdateIdError, type ReplayResult, type Transport } from './transport.js';
export type { Update } from './update.js';
export { compileUriTemplate } from './uri-template.js';
export { generateUpdateId, UuidV7Generator, uuidv7 } from './uuidv7.js';
export { createWebUi, type WebUiHandler, type WebUiOptions } from './web-ui/index.js';
