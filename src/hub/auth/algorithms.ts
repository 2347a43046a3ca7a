import type { KeyObject } from 'node:crypto';
import { AuthConfigError } from './errors.js';

/**
 * JWS algorithms the hub can verify. `none` is deliberately absent: unsigned tokens are never accepted
 * (docs/security.md#tokens, CVE-2022-23540).
 */
export type Algorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** Every supported algorithm, HMAC first. */
export const ALGORITHMS: readonly Algorithm[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** Asymmetric algorithms: the default allowlist for a JWKS, whose keys are public keys. */
export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

/** True when `value` names a supported algorithm (case-sensitive, as in the JWS header). */
function isAlgorithm(value: string): value is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(value);
}

/** Parses a user-supplied algorithm name, refusing `none` and unknown names with an actionable message. */
export function parseAlgorithm(value: string, where: string): Algorithm {
  if (value.toLowerCase() === 'none') {
    throw new AuthConfigError(`${where}: algorithm "none" (unsigned tokens) is never allowed`);
  }
  if (!isAlgorithm(value)) {
    throw new AuthConfigError(`${where}: unknown algorithm "${value}"; use one of ${ALGORITHMS.join(', ')}`);
  }
  return value;
}

/**
 * Minimum HMAC secret length in bytes: RFC 7518 §3.2 requires a key at least as long as the hash output.
 * A shorter secret is refused at startup (Mercure PR #700, lcobucci/jwt#890).
 */
export function minimumHmacBytes(alg: Algorithm): number {
  return alg === 'HS512' ? 64 : alg === 'HS384' ? 48 : 32;
}

/**
 * The algorithms an asymmetric key can verify. Binding the algorithm to the key type is what stops
 * algorithm confusion (an HS256 token "signed" with the RSA public key as secret, Mercure e944c0b).
 */
export function algorithmsForKey(key: KeyObject): readonly Algorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      if (curve === 'secp521r1' || curve === 'P-521') return ['ES512'];
      return [];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}
