/**
 * The `ssehub` command's options, one table that drives parsing (node:util parseArgs), environment
 * variables and `--help`, so the three can never disagree.
 */

/** How an option's text is read. */
export type OptionKind = 'string' | 'boolean' | 'integer' | 'duration' | 'bytes' | 'list';

/** One command-line option. */
export interface OptionSpec {
  /** Long flag name, without `--`. */
  readonly flag: string;
  /** Environment variable (always `SSEHUB_*`). */
  readonly env: string;
  /** Also read from these (Mercure's names), after the `SSEHUB_*` one. */
  readonly aliases?: readonly string[];
  readonly kind: OptionKind;
  /** Default as shown in `--help` (the value itself lives in config.ts). */
  readonly defaultText?: string;
  /** Placeholder shown after the flag in `--help`. */
  readonly valueName?: string;
  readonly section: Section;
  readonly help: string;
}

/** `--help` sections, in display order. */
export const SECTIONS = [
  'Server',
  'Authorization',
  'Connections',
  'History and storage',
  'Operations',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Every option of the command (besides `--help` and `--version`). */
export const OPTION_SPECS: readonly OptionSpec[] = [
  {
    flag: 'host',
    env: 'SSEHUB_HOST',
    kind: 'string',
    defaultText: '127.0.0.1',
    valueName: 'address',
    section: 'Server',
    help: 'Address to listen on. Anything but loopback needs keys (see Authorization).',
  },
  {
    flag: 'port',
    env: 'SSEHUB_PORT',
    kind: 'integer',
    defaultText: '8844',
    valueName: 'n',
    section: 'Server',
    help: 'TCP port; 0 picks a free one (the chosen port is printed).',
  },
  {
    flag: 'no-ui',
    env: 'SSEHUB_NO_UI',
    kind: 'boolean',
    section: 'Server',
    help: 'Do not serve the web UI and demo endpoints at / (only the hub endpoints).',
  },
  {
    flag: 'cors-origins',
    env: 'SSEHUB_CORS_ORIGINS',
    kind: 'list',
    valueName: 'origins',
    defaultText: 'none',
    section: 'Server',
    help: 'Browser origins allowed cross-origin, with credentials (comma-separated, e.g. https://app.example.com).',
  },
  {
    flag: 'jwt-key',
    env: 'SSEHUB_JWT_KEY',
    aliases: ['MERCURE_JWT_KEY'],
    kind: 'string',
    valueName: 'secret|PEM',
    section: 'Authorization',
    help: 'Key for publisher and subscriber tokens: an HMAC secret (>= 32 bytes for HS256) or a PEM public key.',
  },
  {
    flag: 'jwt-key-file',
    env: 'SSEHUB_JWT_KEY_FILE',
    kind: 'string',
    valueName: 'path',
    section: 'Authorization',
    help: 'Read that key from a file (one trailing newline ignored).',
  },
  {
    flag: 'jwks-url',
    env: 'SSEHUB_JWKS_URL',
    kind: 'string',
    valueName: 'url',
    section: 'Authorization',
    help: 'Verify both roles with a JWK Set: https://..., http://... or file:///path/jwks.json.',
  },
  {
    flag: 'jwt-alg',
    env: 'SSEHUB_JWT_ALG',
    aliases: ['MERCURE_JWT_ALG'],
    kind: 'list',
    valueName: 'algs',
    defaultText: 'from the key',
    section: 'Authorization',
    help: 'Algorithm allowlist (HS256, HS384, HS512, RS256, ES256, EdDSA...). Never none.',
  },
  {
    flag: 'publisher-jwt-key',
    env: 'SSEHUB_PUBLISHER_JWT_KEY',
    aliases: ['MERCURE_PUBLISHER_JWT_KEY'],
    kind: 'string',
    valueName: 'secret|PEM',
    section: 'Authorization',
    help: 'Key for publisher tokens only (Mercure publisher_jwt).',
  },
  {
    flag: 'publisher-jwt-key-file',
    env: 'SSEHUB_PUBLISHER_JWT_KEY_FILE',
    kind: 'string',
    valueName: 'path',
    section: 'Authorization',
    help: 'Read the publisher key from a file.',
  },
  {
    flag: 'publisher-jwks-url',
    env: 'SSEHUB_PUBLISHER_JWKS_URL',
    aliases: ['MERCURE_PUBLISHER_JWKS_URL'],
    kind: 'string',
    valueName: 'url',
    section: 'Authorization',
    help: 'JWK Set for publisher tokens (https:, http: or file:).',
  },
  {
    flag: 'publisher-jwt-alg',
    env: 'SSEHUB_PUBLISHER_JWT_ALG',
    aliases: ['MERCURE_PUBLISHER_JWT_ALG'],
    kind: 'list',
    valueName: 'algs',
    section: 'Authorization',
    help: 'Algorithm allowlist for publisher tokens.',
  },
  {
    flag: 'subscriber-jwt-key',
    env: 'SSEHUB_SUBSCRIBER_JWT_KEY',
    aliases: ['MERCURE_SUBSCRIBER_JWT_KEY'],
    kind: 'string',
    valueName: 'secret|PEM',
    section: 'Authorization',
    help: 'Key for subscriber tokens only (Mercure subscriber_jwt).',
  },
  {
    flag: 'subscriber-jwt-key-file',
    env: 'SSEHUB_SUBSCRIBER_JWT_KEY_FILE',
    kind: 'string',
    valueName: 'path',
    section: 'Authorization',
    help: 'Read the subscriber key from a file.',
  },
  {
    flag: 'subscriber-jwks-url',
    env: 'SSEHUB_SUBSCRIBER_JWKS_URL',
    aliases: ['MERCURE_SUBSCRIBER_JWKS_URL'],
    kind: 'string',
    valueName: 'url',
    section: 'Authorization',
    help: 'JWK Set for subscriber tokens (https:, http: or file:).',
  },
  {
    flag: 'subscriber-jwt-alg',
    env: 'SSEHUB_SUBSCRIBER_JWT_ALG',
    aliases: ['MERCURE_SUBSCRIBER_JWT_ALG'],
    kind: 'list',
    valueName: 'algs',
    section: 'Authorization',
    help: 'Algorithm allowlist for subscriber tokens.',
  },
  {
    flag: 'anonymous',
    env: 'SSEHUB_ANONYMOUS',
    kind: 'boolean',
    defaultText: 'off (on in development mode)',
    section: 'Authorization',
    help: 'Let subscribers without a token in; they receive public updates only.',
  },
  {
    flag: 'require-exp',
    env: 'SSEHUB_REQUIRE_EXP',
    kind: 'boolean',
    defaultText: 'off',
    section: 'Authorization',
    help: 'Refuse tokens without an exp claim (Mercure 0.x tokens often have none).',
  },
  {
    flag: 'cookie-name',
    env: 'SSEHUB_COOKIE_NAME',
    kind: 'string',
    valueName: 'name',
    defaultText: 'mercureAuthorization',
    section: 'Authorization',
    help: 'Cookie that carries the token for browsers.',
  },
  {
    flag: 'publish-origins',
    env: 'SSEHUB_PUBLISH_ORIGINS',
    kind: 'list',
    valueName: 'origins',
    defaultText: 'none',
    section: 'Authorization',
    help: 'Origins allowed to publish with the cookie (CSRF guard); * allows any.',
  },
  {
    flag: 'heartbeat',
    env: 'SSEHUB_HEARTBEAT',
    kind: 'duration',
    valueName: 'duration',
    defaultText: '40s',
    section: 'Connections',
    help: 'Comment keep-alive after this much silence; 0 disables.',
  },
  {
    flag: 'dispatch-timeout',
    env: 'SSEHUB_DISPATCH_TIMEOUT',
    kind: 'duration',
    valueName: 'duration',
    defaultText: '5s',
    section: 'Connections',
    help: 'A subscriber whose single write takes longer is disconnected.',
  },
  {
    flag: 'write-timeout',
    env: 'SSEHUB_WRITE_TIMEOUT',
    kind: 'duration',
    valueName: 'duration',
    defaultText: '600s',
    section: 'Connections',
    help: 'Maximum connection lifetime, randomised to 80-100 % per connection; 0 disables.',
  },
  {
    flag: 'max-connections',
    env: 'SSEHUB_MAX_CONNECTIONS',
    kind: 'integer',
    valueName: 'n',
    defaultText: '10000',
    section: 'Connections',
    help: 'Subscriber connections at once; over it clients are told to retry later. 0 = unlimited.',
  },
  {
    flag: 'queue-size',
    env: 'SSEHUB_QUEUE_SIZE',
    kind: 'integer',
    valueName: 'n',
    defaultText: '1000',
    section: 'Connections',
    help: 'Updates queued for one subscriber before it is dropped as too slow.',
  },
  {
    flag: 'max-body',
    env: 'SSEHUB_MAX_BODY',
    kind: 'bytes',
    valueName: 'size',
    defaultText: '1MiB',
    section: 'Connections',
    help: 'Largest publish body; larger gets 413.',
  },
  {
    flag: 'max-topics',
    env: 'SSEHUB_MAX_TOPICS',
    kind: 'integer',
    valueName: 'n',
    defaultText: '1000',
    section: 'Connections',
    help: 'Most topics per publish or subscription; more gets 400.',
  },
  {
    flag: 'storage',
    env: 'SSEHUB_STORAGE',
    kind: 'string',
    valueName: 'memory|sqlite:<path>',
    defaultText: 'memory',
    section: 'History and storage',
    help: 'Where updates live: in memory, or a SQLite file that survives restarts and crashes.',
  },
  {
    flag: 'sqlite-durability',
    env: 'SSEHUB_SQLITE_DURABILITY',
    kind: 'string',
    valueName: 'full|normal',
    defaultText: 'full',
    section: 'History and storage',
    help: 'full fsyncs every commit (survives power loss); normal survives crashes, not power loss.',
  },
  {
    flag: 'history-size',
    env: 'SSEHUB_HISTORY_SIZE',
    kind: 'integer',
    valueName: 'n',
    defaultText: '10000',
    section: 'History and storage',
    help: 'Updates kept for replay (Last-Event-ID); 0 keeps none in memory, everything with SQLite.',
  },
  {
    flag: 'history-scan-limit',
    env: 'SSEHUB_HISTORY_SCAN_LIMIT',
    kind: 'integer',
    valueName: 'n',
    defaultText: '10000',
    section: 'History and storage',
    help: 'A Last-Event-ID older than this many updates is answered as unknown (earliest).',
  },
  {
    flag: 'subscriptions',
    env: 'SSEHUB_SUBSCRIPTIONS',
    kind: 'boolean',
    defaultText: 'off',
    section: 'Operations',
    help: 'Publish subscription events and serve /.well-known/mercure/subscriptions.',
  },
  {
    flag: 'no-metrics',
    env: 'SSEHUB_NO_METRICS',
    kind: 'boolean',
    section: 'Operations',
    help: 'Do not serve /metrics, /healthz and /readyz.',
  },
  {
    flag: 'log-level',
    env: 'SSEHUB_LOG_LEVEL',
    kind: 'string',
    valueName: 'level',
    defaultText: 'info',
    section: 'Operations',
    help: 'trace, debug, info, warn, error, fatal or silent. Logs are JSON lines (pino) on stdout.',
  },
  {
    flag: 'shutdown-timeout',
    env: 'SSEHUB_SHUTDOWN_TIMEOUT',
    kind: 'duration',
    valueName: 'duration',
    defaultText: '10s',
    section: 'Operations',
    help: 'On SIGTERM/SIGINT, time allowed to drain before connections are cut.',
  },
];
