import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { explainClientErrors } from '../server/index.js';
import { type Certificate, type CertificateFiles, readCertificate } from './certificate.js';

/** The command's TLS: where the files are (read again on SIGHUP) and what they held at start. */
export interface HubTls {
  readonly files: CertificateFiles;
  readonly certificate: Certificate;
}

/** The command's listening server: plain HTTP/1.1, or TLS with HTTP/2 and HTTP/1.1 on the same port. */
export interface HubServer {
  readonly server: Server;
  readonly scheme: 'http' | 'https';
  /** Closes connections with no request in flight (HTTP/2: sends GOAWAY, open streams may finish). */
  closeIdleConnections(): void;
  /** Cuts every connection at once. */
  closeAllConnections(): void;
  /** Stops reloading the certificate on SIGHUP. */
  dispose(): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * How long a TLS connection with nothing in flight stays open: Node's HTTP/1.1 keep-alive timeout
 * (`http.Server`'s default), which the plain HTTP server applies by itself and the HTTP/2 server does not.
 */
const IDLE_CONNECTION_MS = 5_000;

/**
 * Plain HTTP/1.1 without `tls`. With it, `http2.createSecureServer({ allowHTTP1: true })`: browsers
 * negotiate HTTP/2 by ALPN (RFC 7301) and multiplex every EventSource of an origin on one connection,
 * instead of HTTP/1.1's six connections per origin; clients without HTTP/2 (curl --http1.1, proxies)
 * keep HTTP/1.1. The files are read again on every SIGHUP ({@link readCertificate}): new connections get
 * the new certificate; a file that fails then is logged and the certificate in use stays.
 */
export function createHubServer(handler: Handler, tls: HubTls | undefined, logger: Logger): HubServer {
  if (tls === undefined) {
    const server = createServer(handler);
    explainClientErrors(server);
    return {
      server,
      scheme: 'http',
      closeIdleConnections: () => server.closeIdleConnections(),
      closeAllConnections: () => server.closeAllConnections(),
      dispose: () => {},
    };
  }
  const { files } = tls;
  const { cert, key } = tls.certificate;
  // The HTTP/2 compatibility API hands the hub request and response objects with the members it uses.
  const server: Http2SecureServer = createSecureServer(
    { allowHTTP1: true, cert, key },
    handler as unknown as Parameters<typeof createSecureServer>[1],
  );
  // Its HTTP/1.1 connections are parsed as by node:http: the same reasons for what the parser refuses.
  explainClientErrors(server);
  // Without these, an idle connection (HTTP/1.1 after its response, HTTP/2 without a stream) is held for
  // ever: a client could keep any number of them open, outside the hub's --max-connections.
  (server as { keepAliveTimeout?: number }).keepAliveTimeout = IDLE_CONNECTION_MS;
  const sessions = new Map<ServerHttp2Session, number>();
  const sockets = new Set<TLSSocket>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.set(session, 0);
    session.once('close', () => sessions.delete(session));
    // Fires after that long without a frame either way; a session carrying a stream (a quiet
    // subscription) is kept, the others are closed with GOAWAY.
    session.setTimeout(IDLE_CONNECTION_MS, () => {
      if (sessions.get(session) === 0) session.close();
    });
  });
  server.on('stream', (stream: ServerHttp2Stream) => {
    const session = stream.session as ServerHttp2Session | undefined;
    if (session === undefined || !sessions.has(session)) return;
    sessions.set(session, sessions.get(session)! + 1);
    stream.once('close', () => {
      const open = sessions.get(session);
      if (open !== undefined) sessions.set(session, open - 1);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const reload = (): void => {
    try {
      const next = readCertificate(files);
      server.setSecureContext({ cert: next.cert, key: next.key });
      logger.info(
        { subject: next.subject, fingerprint256: next.fingerprint256, validTo: next.validTo.toISOString() },
        'SIGHUP: certificate reloaded; new connections use it',
      );
    } catch (error) {
      logger.error(
        { err: error },
        'SIGHUP: certificate not reloaded, the previous one stays in use; fix the files and send SIGHUP again',
      );
    }
  };
  process.on('SIGHUP', reload);
  return {
    server,
    scheme: 'https',
    closeIdleConnections: () => {
      // Idle HTTP/1.1 connections (absent from the HTTP/2 types; server.close() closes them too).
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      for (const session of sessions.keys()) session.close();
    },
    closeAllConnections: () => {
      for (const session of sessions.keys()) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    dispose: () => process.off('SIGHUP', reload),
  };
}
