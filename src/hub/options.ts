import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultsOf, resolveSettings, SsehubError } from '../protocol/index.js';
import type { Authorizer } from './auth/access.js';
import { HUB_SETTING_RULES, HUB_SETTINGS, type HubSettings } from './settings.js';
import type { Transport } from './storage/transport.js';

/**
 * A pino-shaped logger: `logger.info({ key: value }, 'message')`. A pino `Logger` fits as is; any
 * object with these four methods works (the hub never calls anything else).
 */
export interface HubLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Handles requests that are not for the hub (the web UI plugs in here). */
export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** How the hub is wired: objects rather than settings, so they are not in {@link HUB_SETTINGS}. */
export interface HubWiring {
  /**
   * Where updates are stored and fanned out: a transport, or a function creating one. Default: an
   * in-memory transport keeping the last `historySize` updates, none older than `historyTtlMs`. A transport
   * you create gets those settings from you (they are not passed on). The hub closes it on `hub.close()`.
   */
  transport?: Transport | (() => Transport);
  /**
   * Decides who may publish and subscribe (JWT, `./auth`). Without one, nobody may publish over HTTP
   * (401) and subscribing is allowed only when `allowAnonymous` is true, anonymously.
   */
  authorizer?: Authorizer;
  /** Requests for other paths: default answers 404 (or calls Express's `next`). */
  fallback?: FallbackHandler;
  /** Structured logger (pino). Default: silent. */
  logger?: HubLogger;
}

/**
 * Everything `createHub` accepts. Every field is optional: each setting's kind, unit, default and bounds
 * are in {@link HUB_SETTINGS} (and the README "Hub configuration" table generated from it); defaults
 * follow the reference Mercure hub v0.24.2 (https://mercure.rocks/docs/hub/config) unless stated otherwise.
 */
export interface HubOptions extends Partial<HubSettings>, HubWiring {}

/** {@link HubOptions} with every default applied and every value checked. */
export interface ResolvedHubOptions extends Readonly<HubSettings> {
  readonly transport: Transport | (() => Transport) | undefined;
  readonly authorizer: Authorizer | undefined;
  readonly fallback: FallbackHandler | undefined;
  readonly logger: HubLogger;
}

/** The default of every hub setting, from {@link HUB_SETTINGS}. */
export const HUB_DEFAULTS: Readonly<HubSettings> = defaultsOf(HUB_SETTINGS);

/**
 * Thrown by `createHub` for an option value that cannot work, alone or with a related one; the message
 * names every option involved (with its `ssehub` flag) and the fix.
 */
export class HubConfigError extends SsehubError {
  static readonly code = 'SSEHUB_HUB_CONFIG';
  override readonly name = 'HubConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(HubConfigError.code, message, options);
  }
}

const silent = (): void => {};
/** A logger that discards everything. */
export const SILENT_LOGGER: HubLogger = Object.freeze({
  debug: silent,
  info: silent,
  warn: silent,
  error: silent,
});

/** `heartbeatMs (--heartbeat)`: an option as both library and command users know it. */
export function hubSettingName(key: keyof HubSettings): string {
  const flag = HUB_SETTINGS[key].cli?.flag;
  return flag === undefined ? key : `${key} (--${flag})`;
}

/**
 * Applies defaults and validates every option, then the rules between related options
 * (HUB_SETTING_RULES); throws {@link HubConfigError} on a value or combination that cannot work and logs
 * combinations that work badly.
 */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const settings = resolveSettings(
    HUB_SETTINGS,
    options,
    (key, problem) => new HubConfigError(`Hub option ${hubSettingName(key as keyof HubSettings)} ${problem}`),
  );
  // Unset, the socket bound grows with the body limit, so raising maxBodyBytes alone just works.
  if (options.subscriberMaxBufferedBytes === undefined) {
    settings.subscriberMaxBufferedBytes = Math.max(
      settings.subscriberMaxBufferedBytes,
      settings.maxBodyBytes,
    );
  }
  const logger = options.logger ?? SILENT_LOGGER;
  for (const rule of HUB_SETTING_RULES) {
    const problem = rule.problem(settings, hubSettingName);
    if (problem === undefined) continue;
    if (rule.severity === 'error') throw new HubConfigError(problem);
    logger.warn(Object.fromEntries(rule.keys.map((key) => [key, settings[key]])), problem);
  }
  return Object.freeze({
    ...settings,
    transport: options.transport,
    authorizer: options.authorizer,
    fallback: options.fallback,
    logger,
  });
}
