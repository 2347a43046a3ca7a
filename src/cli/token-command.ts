/**
 * `ssehub token`: mints a Mercure token signed with the key the hub is configured with (the same flags and
 * variables), so an operator never has to hand-craft a JWT. Prints the token alone on stdout, so
 * `TOKEN=$(ssehub token --publish '*')` works, and what it grants on stderr.
 */
import { readFileSync } from 'node:fs';
import { type Algorithm, createToken, type KeyConfig } from '../hub/index.js';
import { SsehubError } from '../protocol/index.js';

/** The token-specific part of `ssehub token`'s command line. */
export interface TokenRequest {
  /** Topic selectors the bearer may publish to. */
  readonly publish: readonly string[];
  /** Topic selectors the bearer may receive private updates for. */
  readonly subscribe: readonly string[];
  /** JSON echoed in subscription events (`mercure.payload`). */
  readonly payload?: unknown;
  /** Lifetime in seconds; undefined for a token that never expires (`--expires never`). */
  readonly expiresInSeconds: number | undefined;
  /** A PEM private key to sign with, when the hub verifies with the matching public key. */
  readonly signingKeyFile?: string;
}

/** A token command line that cannot work; the message says what to change. Exit code 2. */
export class TokenCommandError extends SsehubError {
  static readonly code = 'SSEHUB_TOKEN_COMMAND';
  override readonly name = 'TokenCommandError';
  constructor(message: string) {
    super(TokenCommandError.code, message);
  }
}

/** Flags of `ssehub token` itself; every other flag is the hub's own (keys, algorithms). */
const TOKEN_FLAGS = ['publish', 'subscribe', 'payload', 'expires', 'signing-key-file'] as const;

/** Default lifetime: long enough for a working session, short enough that a leaked token ages out. */
const DEFAULT_EXPIRES = '1h';

/** Help text of `ssehub token`. */
export const TOKEN_HELP = `Usage: ssehub token [--publish <selector>]... [--subscribe <selector>]... [options]

Prints a JWT signed with the hub's key (the same --jwt-key, --publisher-jwt-key, --subscriber-jwt-key
flags and SSEHUB_* / MERCURE_* variables as the hub). A token with --publish is signed with the publisher
key, a subscriber-only token with the subscriber key.

  --publish <selector>        may publish to this topic selector (repeat; '*' for all)
  --subscribe <selector>      may receive private updates for this selector (repeat; '*' for all)
  --payload <json>            JSON shown in subscription events (mercure.payload)
  --expires <duration|never>  lifetime, e.g. 15m, 12h, 30d (default ${DEFAULT_EXPIRES})
  --signing-key-file <path>   PEM private key, when the hub is given the public key

Example: export SSEHUB_PUBLISHER_TOKEN=$(ssehub token --publish '*' --expires 12h)
`;

const DURATION = /^(\d+)(s|m|h|d)$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Splits argv into the token's own request and the rest (hub flags, parsed by the hub's parser). */
export function parseTokenArguments(argv: readonly string[]): { request: TokenRequest; rest: string[] } {
  const values: Record<(typeof TOKEN_FLAGS)[number], string[]> = {
    publish: [],
    subscribe: [],
    payload: [],
    expires: [],
    'signing-key-file': [],
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg);
    const flag = match?.[1] as (typeof TOKEN_FLAGS)[number] | undefined;
    if (flag === undefined || !TOKEN_FLAGS.includes(flag)) {
      rest.push(arg);
      continue;
    }
    const value = match![2] ?? argv[++i];
    if (value === undefined)
      throw new TokenCommandError(`--${flag} needs a value. Run "ssehub token --help".`);
    values[flag].push(value);
  }
  const expires = values.expires.at(-1) ?? DEFAULT_EXPIRES;
  let expiresInSeconds: number | undefined;
  if (expires !== 'never') {
    const m = DURATION.exec(expires);
    if (!m || Number(m[1]) === 0) {
      throw new TokenCommandError(
        `--expires must be a duration like 15m, 12h or 30d, or "never"; got "${expires}"`,
      );
    }
    expiresInSeconds = Number(m[1]) * SECONDS[m[2] as keyof typeof SECONDS];
  }
  let payload: unknown;
  if (values.payload.length > 0) {
    try {
      payload = JSON.parse(values.payload.at(-1)!);
    } catch {
      throw new TokenCommandError(
        `--payload must be JSON, e.g. '{"user":"alice"}'; got ${values.payload.at(-1)}`,
      );
    }
  }
  if (values.publish.length === 0 && values.subscribe.length === 0) {
    throw new TokenCommandError(
      'Say what the token grants: --publish <selector> and/or --subscribe <selector>.',
    );
  }
  const signingKeyFile = values['signing-key-file'].at(-1);
  return {
    request: {
      publish: values.publish,
      subscribe: values.subscribe,
      ...(payload === undefined ? {} : { payload }),
      expiresInSeconds,
      ...(signingKeyFile === undefined ? {} : { signingKeyFile }),
    },
    rest,
  };
}

/** A key file's text; an unreadable file is a {@link TokenCommandError} naming what it was given as. */
function readKeyFile(path: string, givenAs: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TokenCommandError(`Cannot read ${givenAs} ${path}: ${(error as Error).message}`);
  }
}

/** The secret or private key to sign with, and its algorithm, from the hub's key configuration. */
function signingKey(
  config: KeyConfig | undefined,
  request: TokenRequest,
  role: string,
): { key: string; alg: Algorithm } {
  if (request.signingKeyFile !== undefined) {
    const pem = readKeyFile(request.signingKeyFile, '--signing-key-file');
    const alg = (config?.algorithms?.[0] ?? guessAlgorithm(pem)) as Algorithm;
    return { key: pem, alg };
  }
  if (config === undefined) {
    throw new TokenCommandError(
      `No ${role} key is configured, so there is nothing to sign with. Give the hub's key as here (--jwt-key=..., --jwt-key-file or SSEHUB_JWT_KEY). A development-mode hub makes a new key on every start: pin one with SSEHUB_JWT_KEY to keep tokens valid across restarts.`,
    );
  }
  if (config.jwksUrl !== undefined || config.jwksFile !== undefined) {
    throw new TokenCommandError(
      `The ${role} key is a JWK Set: tokens come from your identity provider, or sign with its private key via --signing-key-file <pem>.`,
    );
  }
  const key =
    config.keyFile !== undefined
      ? readKeyFile(config.keyFile, `the ${role} key file`).replace(/\r?\n$/, '')
      : typeof config.key === 'string'
        ? config.key
        : new TextDecoder().decode(config.key);
  if (key.trimStart().startsWith('-----BEGIN')) {
    if (!/PRIVATE KEY-----/.test(key)) {
      throw new TokenCommandError(
        `The ${role} key is a public key, which can only verify: sign with the matching private key via --signing-key-file <pem>.`,
      );
    }
    return { key, alg: (config.algorithms?.[0] ?? guessAlgorithm(key)) as Algorithm };
  }
  return { key, alg: (config.algorithms?.[0] ?? 'HS256') as Algorithm };
}

function guessAlgorithm(pem: string): Algorithm {
  return /EC PRIVATE KEY/.test(pem) ? 'ES256' : 'RS256';
}

/**
 * Mints the token `request` asks for with the hub's keys (`publisherKey` when it may publish, else
 * `subscriberKey`).
 *
 * @throws {TokenCommandError} when no usable signing key is configured.
 */
export async function mintToken(
  request: TokenRequest,
  keys: { readonly publisherKey: KeyConfig | undefined; readonly subscriberKey: KeyConfig | undefined },
): Promise<string> {
  const publishing = request.publish.length > 0;
  const { key, alg } = publishing
    ? signingKey(keys.publisherKey, request, 'publisher')
    : signingKey(keys.subscriberKey, request, 'subscriber');
  return createToken(
    {
      ...(publishing ? { publish: request.publish } : {}),
      ...(request.subscribe.length > 0 ? { subscribe: request.subscribe } : {}),
      ...(request.payload === undefined ? {} : { payload: request.payload }),
      ...(request.expiresInSeconds === undefined ? {} : { expiresInSeconds: request.expiresInSeconds }),
    },
    key,
    alg,
  );
}

/** What the token grants, for stderr. */
export function describeToken(request: TokenRequest): string {
  const parts = [
    request.publish.length > 0 ? `publish to ${request.publish.join(', ')}` : undefined,
    request.subscribe.length > 0 ? `receive private updates for ${request.subscribe.join(', ')}` : undefined,
  ].filter((p) => p !== undefined);
  const until =
    request.expiresInSeconds === undefined
      ? 'never expires'
      : `expires ${new Date(Date.now() + request.expiresInSeconds * 1000).toISOString()}`;
  return `ssehub token: may ${parts.join(' and ')}; ${until}\n`;
}
