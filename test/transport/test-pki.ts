/**
 * A throw-away PKI for the TLS tests, made at test time with the openssl binary: a CA and a leaf
 * certificate for localhost, sip.test, 127.0.0.1 and ::1 signed by it (server and client use).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** A second, unrelated self-signed certificate (not trusted by `ca`). */
  readonly otherCert: string;
  readonly otherKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestPki(): TestPki {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the TLS tests need the openssl binary: apt-get install openssl');
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pki-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=Switchboard Test CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost'], dir);
    writeFileSync(
      join(dir, 'leaf.ext'),
      'subjectAltName=DNS:localhost,DNS:sip.test,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\n',
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'leaf.crt',
        '-days',
        '2',
        '-extfile',
        'leaf.ext',
      ],
      dir,
    );
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'other.key',
        '-out',
        'other.crt',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      dir,
    );
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      ca: read('ca.crt'),
      cert: read('leaf.crt'),
      key: read('leaf.key'),
      otherCert: read('other.crt'),
      otherKey: read('other.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
