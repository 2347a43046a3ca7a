import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { SsehubError } from '../protocol/index.js';

/** Where the command reads its TLS certificate and private key (`--cert`, `--key`), PEM files. */
export interface CertificateFiles {
  /** The certificate, optionally followed by its intermediates (certbot's `fullchain.pem`). */
  readonly certPath: string;
  /** The unencrypted private key of the first certificate (certbot's `privkey.pem`). */
  readonly keyPath: string;
}

/** A certificate and key read and checked by {@link readCertificate}, ready for `setSecureContext`. */
export interface Certificate {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The first certificate's subject, e.g. `CN=hub.example.com`. */
  readonly subject: string;
  /** SHA-256 fingerprint of the first certificate, colon-separated hex (as `openssl x509 -fingerprint`). */
  readonly fingerprint256: string;
  /** End of the first certificate's validity. */
  readonly validTo: Date;
  /** Issued by itself (a test or development certificate): clients must be told to trust it. */
  readonly selfSigned: boolean;
  /** The first certificate, for name checks. */
  readonly x509: X509Certificate;
}

/**
 * `--cert` or `--key` cannot be used: a file that cannot be read, is not PEM, is an encrypted key, or a key
 * that is not the certificate's. The message names the flag, its variable and the path. At start the
 * command exits with code 2; on a SIGHUP reload it is logged and the previous certificate stays in use.
 */
export class CertificateError extends SsehubError {
  static readonly code = 'SSEHUB_CERTIFICATE';
  override readonly name = 'CertificateError';
  constructor(message: string, options?: ErrorOptions) {
    super(CertificateError.code, message, options);
  }
}

const CERT = '--cert (SSEHUB_CERT)';
const KEY = '--key (SSEHUB_KEY)';

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CertificateError(
      `${what} ${path} cannot be read (${reason}); check the path and that this user may read it`,
      { cause: error },
    );
  }
}

/**
 * Reads and checks `--cert` and `--key`: both PEM, the key unencrypted and the one the (first)
 * certificate was issued for, and the pair accepted by OpenSSL as a TLS context.
 *
 * @throws {CertificateError} naming the flag and path at fault.
 */
export function readCertificate(files: CertificateFiles): Certificate {
  const cert = read(files.certPath, `The certificate file ${CERT}`);
  const key = read(files.keyPath, `The private key file ${KEY}`);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new CertificateError(
      `The certificate file ${CERT} ${files.certPath} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); give the certificate (e.g. certbot's fullchain.pem), not the key`,
      { cause: error },
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // `-----BEGIN ENCRYPTED PRIVATE KEY-----` (PKCS #8) or `Proc-Type: 4,ENCRYPTED` (traditional PEM).
    const encrypted = key.includes('ENCRYPTED');
    throw new CertificateError(
      encrypted
        ? `The private key file ${KEY} ${files.keyPath} is encrypted; give an unencrypted key (openssl pkey -in <file> -out <new file>)`
        : `The private key file ${KEY} ${files.keyPath} holds no PEM private key ("-----BEGIN PRIVATE KEY-----"); give the key (e.g. certbot's privkey.pem), not the certificate`,
      { cause: error },
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CertificateError(
      `The private key ${KEY} ${files.keyPath} is not the key of the certificate ${CERT} ${files.certPath}; give the key the certificate was issued for`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CertificateError(
      `${CERT} ${files.certPath} and ${KEY} ${files.keyPath} cannot serve TLS: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    cert,
    key,
    subject: x509.subject.replace(/\n/g, ', '),
    fingerprint256: x509.fingerprint256,
    validTo: new Date(x509.validTo),
    selfSigned: x509.checkIssued(x509),
    x509,
  };
}

/**
 * The host name clients should use to reach `address` over TLS: the address itself when the certificate
 * names it, else the certificate's first DNS name that is not a wildcard (a hub listening on 0.0.0.0
 * or on 127.0.0.1 with a certificate for `hub.example.com` or `localhost`), else the address.
 */
export function hostForCertificate(certificate: Certificate, address: string): string {
  if (certificate.x509.checkIP(address) !== undefined) return address;
  const names = (certificate.x509.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:') && !entry.includes('*'))
    .map((entry) => entry.slice('DNS:'.length));
  return names[0] ?? address;
}
