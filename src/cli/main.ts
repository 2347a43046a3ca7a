import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, pino } from 'pino';
import { AuthConfigError, createAuthorizer, createToken, type KeyConfig } from '../hub/auth/index.js';
import {
  createHub,
  type Hub,
  HubConfigError,
  MemoryTransport,
  RedisTransport,
  type ResolvedHubOptions,
  SqliteTransport,
  type Transport,
} from '../hub/index.js';
import { RedisStreamStore } from '../hub/storage/redis-stream-store.js';
import { type BannerInput, bannerText, describeStorage, describeTls, nonDefaultSettings } from './banner.js';
import { CertificateError, hostForCertificate, readCertificate } from './certificate.js';
import { CliConfigError, parseCommandLine, type RunCommand } from './config.js';
import { helpText } from './help.js';
import { createHubServer, type HubServer, type HubTls } from './hub-server.js';
import { landingPage } from './landing-page.js';
import { readMercureEnvironment } from './mercure-environment.js';
import { OPTION_SPECS } from './options.js';
import {
  describeToken,
  mintToken,
  parseTokenArguments,
  TOKEN_HELP,
  TokenCommandError,
} from './token-command.js';
import { loadWebUi, type WebUi } from './web-ui-loader.js';
import { runPrimary, WORKER_BANNER, WORKER_DEV_SECRET, WORKER_SHUTDOWN } from './workers.js';

/** Streams and environment the command talks to; tests pass their own. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: CliIo = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The package version, read from package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/**
 * Entry point of the `ssehub` command (bin/ssehub.js). Starts the hub and resolves with the exit code once
 * it has shut down: 0 after SIGTERM/SIGINT, 1 when it cannot start or run, 2 on invalid options.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let command: RunCommand;
  const version = packageVersion();
  const env = withMercureEnvironment(io, argv);
  if (argv[0] === 'token') return tokenMain(argv.slice(1), { ...io, env });
  try {
    const parsed = parseCommandLine(argv, env);
    if (parsed.kind === 'help') {
      io.out(helpText(version));
      return 0;
    }
    if (parsed.kind === 'version') {
      io.out(`${version}\n`);
      return 0;
    }
    command = parsed;
  } catch (error) {
    if (error instanceof CliConfigError) {
      io.err(`ssehub: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const config = command.cli;
  let tls: HubTls | undefined;
  try {
    // Read before anything starts, so a wrong path stops the command at once (and every worker reads it).
    tls = config.tls && { files: config.tls, certificate: readCertificate(config.tls) };
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    io.err(`ssehub: ${error.message}\n`);
    return 2;
  }
  if (config.workers !== 1 && cluster.isPrimary) {
    return runPrimary(config, pino({ level: config.logLevel, base: { name: 'ssehub', role: 'primary' } }));
  }
  const code = await run(command, tls, version, io);
  // A worker's IPC channel would keep it alive after the hub stopped.
  if (cluster.isWorker) process.disconnect?.();
  return code;
}

/**
 * The environment as the command reads it: an existing Mercure deployment's `SERVER_NAME` and
 * `MERCURE_EXTRA_DIRECTIVES` become `SSEHUB_*` variables (lowest precedence), and whatever ssehub would
 * silently ignore is named on stderr.
 */
function withMercureEnvironment(io: CliIo, argv: readonly string[]): CliIo['env'] {
  const known = new Set([
    ...OPTION_SPECS.flatMap((o) => [o.env, ...(o.aliases ?? [])]),
    WORKER_DEV_SECRET,
    WORKER_BANNER,
  ]);
  const certificateGiven = argv.some((arg) => arg === '--cert' || arg.startsWith('--cert='));
  const { variables, warnings } = readMercureEnvironment(io.env, known, certificateGiven);
  // With --workers the primary has said it once already.
  if (!cluster.isWorker) for (const warning of warnings) io.err(`ssehub: warning: ${warning}\n`);
  return { ...variables, ...io.env };
}

/** `ssehub token ...`: prints a token signed with the configured key. Exit 0, or 2 with the reason. */
async function tokenMain(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(TOKEN_HELP);
    return 0;
  }
  try {
    const { request, rest } = parseTokenArguments(argv);
    const parsed = parseCommandLine(rest, io.env);
    if (parsed.kind !== 'run') throw new TokenCommandError('Run "ssehub token --help" for the options.');
    const token = await mintToken(request, parsed.cli);
    io.err(describeToken(request));
    io.out(`${token}\n`);
    return 0;
  } catch (error) {
    if (
      error instanceof TokenCommandError ||
      error instanceof CliConfigError ||
      error instanceof AuthConfigError
    ) {
      io.err(`ssehub token: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function run(
  command: RunCommand,
  tls: HubTls | undefined,
  version: string,
  io: CliIo,
): Promise<number> {
  const config = command.cli;
  const worker = cluster.isWorker ? cluster.worker?.id : undefined;
  const logger = pino({
    level: config.logLevel,
    base: { name: 'ssehub', ...(worker !== undefined ? { worker, pid: process.pid } : {}) },
  });
  let publisherKey: KeyConfig | undefined = config.publisherKey;
  let subscriberKey: KeyConfig | undefined = config.subscriberKey;
  let devSecret: string | undefined;
  if (config.devMode) {
    // 32 random bytes, base64url: 43 characters, above HS256's 32-byte minimum. Lives only in memory.
    // Workers share the primary's key, so the printed tokens work whichever worker answers.
    devSecret = io.env[WORKER_DEV_SECRET] ?? randomBytes(32).toString('base64url');
    publisherKey = {
      key: devSecret,
      algorithms: ['HS256'],
      // A token printed by an earlier run fails with "Bad token signature"; say why and what to do.
      description:
        'development key, made anew at every start: tokens from an earlier run no longer verify (use the ones printed at this start, or pin a key with SSEHUB_JWT_KEY)',
    };
    subscriberKey = publisherKey;
  }

  let transport: Transport;
  let authorizer: Awaited<ReturnType<typeof createAuthorizer>>;
  let settings: ResolvedHubOptions;
  try {
    // Resolved once, by parseCommandLine: the transport, hub and banner read the same.
    settings = command.settings;
    authorizer = await createAuthorizer({
      publisherKey,
      subscriberKey,
      anonymous: settings.allowAnonymous,
      cookieName: config.cookieName,
      trustedIssuers: config.trustedIssuers,
      accessTokenCookieName: config.accessTokenCookieName,
      publishOrigins: config.publishOrigins,
      requireExpiration: config.requireExpiration,
    });
    const { historySize, historyTtlMs } = settings;
    const storage = config.storage;
    transport =
      storage.kind === 'sqlite'
        ? new SqliteTransport({
            path: storage.path,
            historySize,
            historyTtlMs,
            durability: storage.durability,
          })
        : storage.kind === 'redis'
          ? new RedisTransport({
              url: storage.url,
              historySize,
              historyTtlMs,
              logger,
              ...(storage.password !== undefined ? { password: storage.password } : {}),
              ...(storage.keyPrefix !== undefined ? { keyPrefix: storage.keyPrefix } : {}),
            })
          : new MemoryTransport({ historySize, historyTtlMs });
    if (transport instanceof RedisTransport) await firstConnection(transport, logger);
  } catch (error) {
    io.err(`ssehub: ${(error as Error).message}\n`);
    return error instanceof AuthConfigError || error instanceof HubConfigError ? 2 : 1;
  }

  let publisherToken = devSecret
    ? await createToken({ publish: ['*'], subscribe: ['*'] }, devSecret, 'HS256')
    : undefined;
  const subscriberToken = devSecret ? await createToken({ subscribe: ['*'] }, devSecret, 'HS256') : undefined;
  // With a configured secret the hub can sign too: print a short-lived publisher token, so the operator can
  // publish at once (a public key or a JWK Set cannot sign; the banner then says how to make one).
  let publisherTokenExpiresAt: Date | undefined;
  if (!devSecret && authorizer.canPublish) {
    const request = { publish: ['*'], subscribe: ['*'], expiresInSeconds: 3600 };
    publisherToken = await mintToken(request, { publisherKey, subscriberKey }).catch(() => undefined);
    if (publisherToken) publisherTokenExpiresAt = new Date(Date.now() + request.expiresInSeconds * 1000);
  }

  const landing = landingPage(version, config.devMode, config.dashboard);
  let fallback: (req: IncomingMessage, res: ServerResponse) => void = landing;
  let ui: WebUi | undefined;
  let hub: Hub;
  try {
    hub = createHub({
      ...command.hub,
      transport,
      authorizer,
      logger,
      fallback: (req, res) => fallback(req, res),
    });
  } catch (error) {
    await transport.close();
    io.err(`ssehub: ${(error as Error).message}\n`);
    return error instanceof HubConfigError ? 2 : 1;
  }
  // The demo endpoints publish into the hub without a token (rate-limited, demo topics only): fine for a
  // developer's loopback hub, not for one with real keys, whose history and `*` subscribers they would
  // reach. With keys the command serves the landing page; embed createWebUi() to serve the demo anyway.
  if (config.ui && config.devMode) {
    const storage = config.storage;
    // On Redis (several workers or nodes) the chat's answers live there too: a reload or a second tab
    // served by another process attaches to the same answer.
    const chatStore =
      storage.kind === 'redis'
        ? new RedisStreamStore({
            url: storage.url,
            keyPrefix: `${storage.keyPrefix ?? '{ssehub}:'}rs:`,
            ...(storage.password !== undefined ? { password: storage.password } : {}),
          })
        : undefined;
    ui = loadWebUi(hub, {
      ...(subscriberToken ? { devToken: subscriberToken } : {}),
      ...(chatStore ? { chat: { store: chatStore } } : {}),
      onError: (error) => logger.warn({ err: error }, 'web UI demo error'),
    });
    if (ui) fallback = ui.handler;
  } else if (config.dashboard) {
    // The dashboard alone: no demo endpoints, and its figures only for a token that may read the hub's
    // subscriptions (the same rule as the subscriptions API); everything else is the landing page.
    ui = loadWebUi(hub, {
      dashboardOnly: true,
      onError: (error) => logger.warn({ err: error }, 'web UI dashboard error'),
    });
    const dashboard = ui?.handler;
    if (dashboard) fallback = (req, res) => dashboard(req, res, () => landing(req, res));
  }

  const listener = createHubServer(hub.handler, tls, logger);
  const server = listener.server;
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    listener.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use; stop the other process or pass --port <n> (0 picks a free one)`
        : code === 'EADDRNOTAVAIL'
          ? `${config.host} is not an address of this machine`
          : (error as Error).message;
    // The one line a person reads comes first; the hub's own shutdown logs follow it.
    io.err(`ssehub: cannot listen: ${hint}\n`);
    ui?.close();
    await hub.close();
    return 1;
  }
  const address = server.address() as AddressInfo;
  // Over TLS, the name the certificate is for (clients check it), when it does not name the address.
  const name = tls ? hostForCertificate(tls.certificate, address.address) : address.address;
  const host = name === address.address && address.family === 'IPv6' ? `[${name}]` : name;
  const origin = `${listener.scheme}://${host}:${address.port}`;
  if (tls && tls.certificate.validTo.getTime() <= Date.now()) {
    logger.warn(
      { validTo: tls.certificate.validTo.toISOString(), cert: tls.files.certPath },
      'the certificate has expired: clients refuse it; renew it and send SIGHUP',
    );
  }
  const storage = describeStorage(config.storage, settings, config.workers);
  logger.info(
    {
      url: origin,
      port: address.port,
      storage,
      tls: tls !== undefined,
      devMode: config.devMode,
      anonymous: settings.allowAnonymous,
      webUi: ui !== undefined,
      version,
    },
    'ssehub listening',
  );
  // With --workers, the first worker prints the banner; the others only log that they listen.
  if (!cluster.isWorker || io.env[WORKER_BANNER] === '1') {
    io.err(
      bannerText({
        version,
        origin,
        ui: uiShown(config, ui !== undefined),
        devMode: config.devMode,
        anonymous: settings.allowAnonymous,
        canPublish: authorizer.canPublish,
        publisherToken,
        ...(publisherTokenExpiresAt ? { publisherTokenExpiresAt } : {}),
        subscriberToken,
        cookieName: config.cookieName,
        queryToken: settings.mercure0x,
        storage,
        ...(tls?.certificate.selfSigned ? { caFile: tls.files.certPath } : {}),
        // With --workers the primary takes SIGHUP and passes it on to every worker.
        ...(tls
          ? { tls: describeTls(tls.files, tls.certificate, cluster.isWorker ? process.ppid : process.pid) }
          : {}),
        settings: nonDefaultSettings(command.hub),
      }),
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without draining');
        listener.closeAllConnections();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining open streams');
      void shutdown(listener, hub, ui, config.shutdownTimeoutMs).then(
        () => {
          logger.info({}, 'ssehub stopped');
          cleanup();
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          cleanup();
          resolve(1);
        },
      );
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    // From the --workers primary; Ctrl+C may have reached this worker first, so once is enough.
    const onMessage = (message: unknown) => {
      if (message === WORKER_SHUTDOWN && !stopping) stop('SIGTERM');
    };
    const cleanup = () => {
      listener.dispose();
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('message', onMessage);
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('message', onMessage);
  });
}

/** What the banner says about the web UI. */
function uiShown(config: RunCommand['cli'], served: boolean): BannerInput['ui'] {
  if (config.ui && config.devMode) return served ? 'web-ui' : 'landing';
  if (config.dashboard) return served ? 'dashboard' : 'landing';
  return config.ui ? 'keys' : 'none';
}

function listen(server: HubServer['server'], port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Graceful stop (docs/shutdown.md): stop accepting, let the hub close every stream at a jittered moment
 * within the deadline (clients reconnect spread out, with their Last-Event-ID), close the transport,
 * then cut whatever is left.
 */
async function shutdown(
  listener: HubServer,
  hub: Hub,
  ui: WebUi | undefined,
  timeoutMs: number,
): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  listener.closeIdleConnections();
  // First, so a chat answer still generating ends with `interrupted` on its open streams.
  await ui?.close();
  // Leave a second of the budget for the hub's own final close and the transport.
  const drain = hub.close({ deadlineMs: Math.max(0, timeoutMs - 1000) });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drain, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  listener.closeAllConnections();
  await closed;
  await drain;
}

/** How long the command waits for Redis at startup before starting anyway (not ready until it answers). */
const FIRST_CONNECTION_WAIT_MS = 5000;

/**
 * Waits for Redis a few seconds so a typo in the URL shows at once; then starts anyway: a hub started
 * before its Redis (docker compose, a reboot) serves once Redis answers, /readyz saying 503 until then.
 */
async function firstConnection(transport: RedisTransport, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), FIRST_CONNECTION_WAIT_MS);
  });
  const result = await Promise.race([transport.connected(), late]);
  clearTimeout(timer);
  if (result === 'late') {
    logger.warn(
      { waitedMs: FIRST_CONNECTION_WAIT_MS },
      'Redis does not answer yet: publishes get 503 and /readyz is not ready until it does (start it with redis-server, or check --transport)',
    );
  }
}
