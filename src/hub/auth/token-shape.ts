import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { HubAuthError } from './errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** One part of a compact JWS decoded as a JSON object, or a 401 naming the part and what is wrong with it. */
function decodePart(part: string, name: string): Record<string, unknown> {
  if (!BASE64URL.test(part)) {
    throw new HubAuthError(
      401,
      `Malformed token: its ${name} has characters outside base64url (A-Z a-z 0-9 - _)`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new HubAuthError(401, `Malformed token: its ${name} is not base64url-encoded JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HubAuthError(401, `Malformed token: its ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The header and claims of a JWT in compact form (RFC 7515 §7.1, RFC 7519 §7.2), unverified, for
 * choosing how to verify it. Every malformation is a 401 that names the real reason (the number of parts,
 * or which part does not decode and how), never quoting the token.
 */
export function readCompactToken(token: string): { header: ProtectedHeaderParameters; payload: JWTPayload } {
  const parts = token.split('.');
  if (parts.length === 5) {
    throw new HubAuthError(
      401,
      'Malformed token: an encrypted JWT (JWE, 5 parts) is not accepted; send a signed JWT (header.payload.signature)',
    );
  }
  if (parts.length !== 3) {
    throw new HubAuthError(
      401,
      `Malformed token: expected a JWT in compact form (header.payload.signature), got ${parts.length} part${parts.length === 1 ? '' : 's'}`,
    );
  }
  return {
    header: decodePart(parts[0]!, 'header (the first part)') as ProtectedHeaderParameters,
    payload: decodePart(parts[1]!, 'payload (the second part)') as JWTPayload,
  };
}
