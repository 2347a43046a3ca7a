import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { requestAuthority } from '../../server/index.js';
import { MATCH_TYPES, MERCURE_1 } from '../mercure-1-names.js';
import { HUB_PATH } from '../topics/reserved-topic.js';

/** An RFC 6750 §3.1 error code, carried in the `WWW-Authenticate: Bearer` challenge. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * The hub's resource identifier for a request (Mercure 1.0 §Token Validation: the `aud` access tokens
 * must carry): `pinned` when configured, else the hub URL as the request reached it, the way the reference
 * hub derives it: scheme of the connection, `Host` (or HTTP/2 `:authority`), then `/.well-known/mercure`.
 * A derived identifier trusts the Host header, so deployments behind several names should pin it.
 */
export function resourceIdentifier(req: IncomingMessage, pinned: string | undefined): string {
  if (pinned !== undefined) return pinned;
  const scheme = (req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
  const authority = requestAuthority(req.headers) || 'localhost';
  return `${scheme}://${authority}${HUB_PATH}`;
}

/**
 * Where RFC 9728 §3.1 puts the metadata of `resource`: its origin, `/.well-known/oauth-protected-resource`,
 * then its path (Mercure 1.0 §Protected Resource Metadata).
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${MERCURE_1.resourceMetadataPrefix}${path}`;
}

/** The path this hub serves its metadata at: derived from the pinned identifier's path, else the hub's. */
export function resourceMetadataPath(pinned: string | undefined): string {
  return new URL(resourceMetadataUrl(pinned ?? `http://localhost${HUB_PATH}`)).pathname;
}

/**
 * The `WWW-Authenticate` value of a 400/401/403 (RFC 6750 §3, Mercure 1.0 §Error Responses): `Bearer`, the
 * `error` code unless no token was presented, and RFC 9728 §5.1 `resource_metadata`.
 */
export function bearerChallenge(error: BearerError | undefined, resource: string): string {
  const params = [
    ...(error ? [`error="${error}"`] : []),
    `${MERCURE_1.resourceMetadataParam}="${resourceMetadataUrl(resource)}"`,
  ];
  return `Bearer ${params.join(', ')}`;
}

/** What the metadata document advertises besides the resource identifier. */
export interface ProtectedResourceDocument {
  readonly resource: string;
  readonly cookieName: string | undefined;
  readonly authorizationServers: readonly string[];
  readonly subscriptions: boolean;
}

/**
 * Answers the RFC 9728 protected resource metadata of the hub (Mercure 1.0 §Protected Resource Metadata):
 * `resource`, `authorization_servers` when some are trusted, the Mercure authorization detail type,
 * `bearer_methods_supported` `["header"]`, `mercure_cookie`, `mercure_matcher_types_supported` and
 * `mercure_subscriptions` when the active subscriptions feature is on.
 */
export function sendProtectedResourceMetadata(
  req: IncomingMessage,
  res: ServerResponse,
  doc: ProtectedResourceDocument,
): void {
  const m = MERCURE_1.metadata;
  const body: Record<string, unknown> = {
    [m.resource]: doc.resource,
    ...(doc.authorizationServers.length > 0 ? { [m.authorizationServers]: doc.authorizationServers } : {}),
    [m.authorizationDetailsTypes]: [MERCURE_1.authorizationDetailType],
    [m.bearerMethods]: ['header'],
    ...(doc.cookieName !== undefined ? { [m.cookie]: doc.cookieName } : {}),
    [m.matcherTypes]: MATCH_TYPES,
    ...(doc.subscriptions ? { [m.subscriptions]: true } : {}),
  };
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'public, max-age=300');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
