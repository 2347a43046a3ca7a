import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
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
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<TLSSocket>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
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
      for (const session of sessions) session.close();
    },
    closeAllConnections: () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    dispose: () => process.off('SIGHUP', reload),
  };
}
