import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import {
  ALGORITHMS,
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  algorithmsForKey,
  minimumHmacBytes,
  parseAlgorithm,
} from './algorithms.js';
import { AuthConfigError } from './errors.js';

/**
 * Where the hub finds the key that verifies one role's tokens (Mercure `publisher_jwt`, `subscriber_jwt`,
 * `*_jwks_url`). Give exactly one of `key`, `keyFile`, `jwksUrl`, `jwksFile`.
 */
export interface KeyConfig {
  /** An HMAC secret (any string that is not PEM) or a PEM public key, certificate or private key. */
  readonly key?: string | Uint8Array;
  /** A file holding the same; one trailing newline is ignored so `echo secret > file` works. */
  readonly keyFile?: string;
  /** A JWK Set URL (`https:`, `http:` or `file:`), fetched lazily and cached by jose. */
  readonly jwksUrl?: string;
  /** A local JWK Set file, read once at startup. */
  readonly jwksFile?: string;
  /**
   * The algorithm allowlist. Default: for a secret, the HS algorithms its length allows (RFC 7518 §3.2);
   * for a PEM key, the algorithms of its key type; for a JWKS, every asymmetric algorithm. Each listed
   * algorithm must fit the key: an HS algorithm with a public key is refused (algorithm confusion).
   */
  readonly algorithms?: readonly string[];
  /**
   * How refusals name this key (never the key itself), e.g. to tell a developer why an old token no longer
   * verifies. Default: its kind (`HMAC secret`, `EC public key`, `JWKS <url>`).
   */
  readonly description?: string;
}

/** A key ready for `jwtVerify`, with the allowlist bound to it. */
export interface ResolvedKey {
  readonly key: KeyObject | Uint8Array | JWTVerifyGetKey;
  readonly algorithms: readonly Algorithm[];
  /** Human description for error messages and logs, never the key itself. */
  readonly description: string;
}

/** Resolves a {@link KeyConfig} at startup; throws {@link AuthConfigError} on anything unsafe. */
export async function resolveKey(config: KeyConfig, role: string): Promise<ResolvedKey> {
  const resolved = await resolveKeyMaterial(config, role);
  return config.description === undefined ? resolved : { ...resolved, description: config.description };
}

async function resolveKeyMaterial(config: KeyConfig, role: string): Promise<ResolvedKey> {
  const sources = (['key', 'keyFile', 'jwksUrl', 'jwksFile'] as const).filter((k) => config[k] !== undefined);
  if (sources.length !== 1) {
    throw new AuthConfigError(
      `${role} key: give exactly one of key, keyFile, jwksUrl, jwksFile (got ${sources.join(', ') || 'none'})`,
    );
  }
  const where = `${role} key`;
  const requested = config.algorithms?.map((alg) => parseAlgorithm(alg, where));
  if (requested !== undefined && requested.length === 0) {
    throw new AuthConfigError(`${where}: the algorithm allowlist is empty`);
  }
  if (config.jwksUrl !== undefined) {
    const url = parseUrl(config.jwksUrl, where);
    if (url.protocol === 'file:')
      return localJwks(await readJwksFile(fileURLToPath(url), where), requested, url.href);
    return {
      key: createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
      algorithms: jwksAlgorithms(requested),
      description: `JWKS ${url.origin}${url.pathname}`,
    };
  }
  if (config.jwksFile !== undefined) {
    return localJwks(await readJwksFile(config.jwksFile, where), requested, config.jwksFile);
  }
  let material: string | Uint8Array;
  if (config.keyFile !== undefined) {
    try {
      material = (await readFile(config.keyFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new AuthConfigError(
        `${where}: cannot read key file ${config.keyFile}: ${(error as Error).message}`,
      );
    }
  } else {
    material = config.key as string | Uint8Array;
  }
  return staticKey(material, requested, where);
}

function staticKey(
  material: string | Uint8Array,
  requested: readonly Algorithm[] | undefined,
  where: string,
) {
  const text = typeof material === 'string' ? material : undefined;
  if (text?.trimStart().startsWith('-----BEGIN')) {
    let key: KeyObject;
    try {
      key = createPublicKey(text);
    } catch (error) {
      throw new AuthConfigError(`${where}: unreadable PEM key: ${(error as Error).message}`);
    }
    const fitting = algorithmsForKey(key);
    if (fitting.length === 0) {
      throw new AuthConfigError(`${where}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
    }
    const algorithms = requested ?? fitting;
    const misfit = algorithms.filter((alg) => !fitting.includes(alg));
    if (misfit.length > 0) {
      throw new AuthConfigError(
        `${where}: algorithm ${misfit.join(', ')} does not fit a ${key.asymmetricKeyType} key; use ${fitting.join(', ')}`,
      );
    }
    return { key, algorithms, description: `${key.asymmetricKeyType} public key` } satisfies ResolvedKey;
  }
  const bytes = typeof material === 'string' ? new TextEncoder().encode(material) : material;
  if (bytes.byteLength === 0) throw new AuthConfigError(`${where}: the secret is empty`);
  const hmac = ALGORITHMS.filter((alg) => alg.startsWith('HS'));
  let algorithms: readonly Algorithm[];
  if (requested !== undefined) {
    const misfit = requested.filter((alg) => !hmac.includes(alg));
    if (misfit.length > 0) {
      throw new AuthConfigError(
        `${where}: algorithm ${misfit.join(', ')} needs a PEM public key, but the key is a secret (not PEM)`,
      );
    }
    for (const alg of requested) {
      if (bytes.byteLength < minimumHmacBytes(alg)) {
        throw new AuthConfigError(
          `${where}: the secret is ${bytes.byteLength} bytes; ${alg} needs at least ${minimumHmacBytes(alg)} (RFC 7518 §3.2). Generate one with: openssl rand -base64 48`,
        );
      }
    }
    algorithms = requested;
  } else {
    if (bytes.byteLength < minimumHmacBytes('HS256')) {
      throw new AuthConfigError(
        `${where}: the secret is ${bytes.byteLength} bytes; HS256 needs at least 32 (RFC 7518 §3.2). Generate one with: openssl rand -base64 48`,
      );
    }
    algorithms = hmac.filter((alg) => bytes.byteLength >= minimumHmacBytes(alg));
  }
  return { key: createSecretKey(bytes), algorithms, description: 'HMAC secret' } satisfies ResolvedKey;
}

function jwksAlgorithms(requested: readonly Algorithm[] | undefined): readonly Algorithm[] {
  // jose only picks JWKS keys whose `kty` fits the token's alg, so HS algorithms can only ever match
  // `oct` keys of the set; they stay opt-in because a public JWKS should never hold secrets.
  return requested ?? ASYMMETRIC_ALGORITHMS;
}

function localJwks(
  jwks: JSONWebKeySet,
  requested: readonly Algorithm[] | undefined,
  source: string,
): ResolvedKey {
  let key: JWTVerifyGetKey;
  try {
    key = createLocalJWKSet(jwks);
  } catch (error) {
    throw new AuthConfigError(`JWKS ${source} is not a valid JWK Set: ${(error as Error).message}`);
  }
  return { key, algorithms: jwksAlgorithms(requested), description: `JWKS ${source}` };
}

async function readJwksFile(path: string, where: string): Promise<JSONWebKeySet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AuthConfigError(`${where}: cannot read JWKS file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      !Array.isArray((parsed as { keys?: unknown }).keys)
    ) {
      throw new Error('expected an object with a "keys" array');
    }
    return parsed as JSONWebKeySet;
  } catch (error) {
    throw new AuthConfigError(`${where}: JWKS file ${path} is not a JWK Set: ${(error as Error).message}`);
  }
}

function parseUrl(value: string, where: string): URL {
  try {
    const url = new URL(value);
    if (!['https:', 'http:', 'file:'].includes(url.protocol))
      throw new Error(`unsupported scheme ${url.protocol}`);
    return url;
  } catch (error) {
    throw new AuthConfigError(`${where}: invalid JWKS URL: ${(error as Error).message}`);
  }
}
