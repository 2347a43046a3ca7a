import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateError, hostForCertificate, readCertificate } from '../../src/cli/certificate.js';
import { selfSignedCert } from '../server/support/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'ssehub-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const a = selfSignedCert();
const b = selfSignedCert();
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const certA = file('a.crt', a.cert);
const keyA = file('a.key', a.key);
const keyB = file('b.key', b.key);
const encryptedKeyA = join(dir, 'a-encrypted.key');
execFileSync('openssl', ['pkey', '-in', keyA, '-aes256', '-passout', 'pass:secret', '-out', encryptedKeyA]);

function refusal(certPath: string, keyPath: string): string {
  try {
    readCertificate({ certPath, keyPath });
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as CertificateError).code).toBe('SSEHUB_CERTIFICATE');
    return (error as Error).message;
  }
  throw new Error('expected a CertificateError');
}

describe('readCertificate (--cert, --key)', () => {
  it('reads a matching pair and describes the certificate', () => {
    const read = readCertificate({ certPath: certA, keyPath: keyA });
    const x509 = new X509Certificate(a.cert);
    expect(read.fingerprint256).toBe(x509.fingerprint256);
    expect(read.subject).toBe('CN=localhost');
    expect(read.validTo.getTime()).toBe(new Date(x509.validTo).getTime());
    expect(read.cert.toString()).toBe(a.cert);
    expect(read.selfSigned).toBe(true);
  });

  it('names the host clients should use: the address when the certificate names it, else its DNS name', () => {
    const read = readCertificate({ certPath: certA, keyPath: keyA });
    expect(hostForCertificate(read, '127.0.0.1')).toBe('127.0.0.1');
    expect(hostForCertificate(read, '0.0.0.0')).toBe('localhost');
    expect(hostForCertificate(read, '::1')).toBe('localhost');
  });

  it('refuses, naming the flag, the variable and the path: a missing file, swapped files, another key, an encrypted key', () => {
    const missing = join(dir, 'missing.pem');
    expect(refusal(missing, keyA)).toBe(
      `The certificate file --cert (SSEHUB_CERT) ${missing} cannot be read (ENOENT); check the path and that this user may read it`,
    );
    expect(refusal(certA, missing)).toMatch(
      /^The private key file --key \(SSEHUB_KEY\) .*missing\.pem cannot be read \(ENOENT\)/,
    );
    expect(refusal(keyA, certA)).toMatch(/--cert \(SSEHUB_CERT\) .*a\.key holds no PEM certificate/);
    expect(refusal(certA, certA)).toMatch(/--key \(SSEHUB_KEY\) .*a\.crt holds no PEM private key/);
    expect(refusal(certA, keyB)).toBe(
      `The private key --key (SSEHUB_KEY) ${keyB} is not the key of the certificate --cert (SSEHUB_CERT) ${certA}; give the key the certificate was issued for`,
    );
    expect(refusal(certA, encryptedKeyA)).toMatch(/a-encrypted\.key is encrypted; give an unencrypted key/);
  });
});
