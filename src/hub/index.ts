/**
 * `ssehub/hub`: a Mercure-compatible hub (https://mercure.rocks/spec) to embed in node:http, Express or
 * Fastify, or to run with the `ssehub` command.
 */

/** Re-exported so code using only `ssehub/hub` can catch every error by its stable `code`. */
export { type ErrorCode, SsehubError } from '../protocol/index.js';
export type { Access, Authorizer, AuthRequest, Role } from './auth/access.js';
export { ANONYMOUS_ACCESS, grantsOf } from './auth/access.js';
export {
  ALGORITHMS,
  type Algorithm,
  AuthConfigError,
  type AuthOptions,
  createAuthorizer,
  createToken,
  DEFAULT_COOKIE_NAME,
  type DetailPayload,
  HubAuthError,
  type KeyConfig,
  MissingTokenError,
  type ProtectedResourceInfo,
  type TokenClaims,
  type TrustedIssuer,
} from './auth/index.js';
export { NoKeyAuthorizer } from './auth/no-key-authorizer.js';
export { EARLIEST } from './http/history-replay.js';
export { HubHttpError } from './http/http-error.js';
export { parsePublishForm } from './http/publish-form.js';
export {
  createHub,
  type Hub,
  type HubStats,
  type NextFunction,
} from './hub.js';
export { isMatchType, MATCH_TYPES, type MatchType, MERCURE_1 } from './mercure-1-names.js';
export { HubMetrics } from './metrics.js';
export {
  type FallbackHandler,
  HUB_DEFAULTS,
  HubConfigError,
  type HubLogger,
  type HubOptions,
  type HubWiring,
  hubSettingName,
  type ResolvedHubOptions,
  resolveHubOptions,
} from './options.js';
export { MAX_UPDATE_ID_LENGTH, type PublishInput } from './publish-input.js';
export {
  type CliBinding,
  type CommandSetting,
  HUB_SETTING_RULES,
  HUB_SETTINGS,
  type HubSettingRule,
  type HubSettings,
  renderHelp,
  SECTIONS,
  type Section,
} from './settings.js';
export { MemoryTransport, type MemoryTransportOptions } from './storage/memory-transport.js';
export { RedisStreamStore, type RedisStreamStoreOptions } from './storage/redis-stream-store.js';
export { RedisTransport, type RedisTransportOptions } from './storage/redis-transport.js';
export { SqliteStreamStore, type SqliteStreamStoreOptions } from './storage/sqlite-stream-store.js';
export { SqliteTransport, type SqliteTransportOptions } from './storage/sqlite-transport.js';
export {
  DuplicateUpdateIdError,
  type ReplayResult,
  type Transport,
  TransportUnavailableError,
} from './storage/transport.js';
export type { Update } from './storage/update.js';
export { generateUpdateId, UuidV7Generator, uuidv7 } from './storage/uuidv7.js';
export {
  decodeSegment,
  expandSegment,
  queryEscape,
  SUBSCRIPTIONS_PATH,
  subscriptionTopic,
} from './subscribers/subscriptions.js';
export { HUB_PATH, isReservedTopic } from './topics/reserved-topic.js';
export type { MatcherKind, TopicMatcher } from './topics/topic-matcher.js';
export { MATCH_ALL, TopicSelectorStore } from './topics/topic-selector.js';
export { compileUriTemplate } from './topics/uri-template.js';
