/**
 * HA1 digests (RFC 7616 section 3.4.2: A1 = username ":" realm ":" passwd, HA1 = H(A1)) for the
 * algorithms a digest server offers: MD5 (RFC 2617), SHA-256 and SHA-512-256 (RFC 7616,
 * RFC 8760). The user store keeps these, never the password, like Kamailio's subscriber.ha1 /
 * ha1b columns. The "-sess" variants start from the same HA1 (the auth layer mixes in nonce
 * and cnonce), so they look up the base algorithm's value.
 */
import { createHash, getHashes } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256' | 'SHA-512-256';

const NODE_HASH: Readonly<Record<DigestAlgorithm, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

/** The algorithms this Node can compute; SHA-512-256 needs an OpenSSL that has sha512-256. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = (['MD5', 'SHA-256', 'SHA-512-256'] as const).filter((a) =>
  getHashes().includes(NODE_HASH[a]),
);

/** Maps an algorithm token from a challenge or credentials (any case, with or without -sess) to its base. */
export function baseAlgorithm(token: string): DigestAlgorithm | undefined {
  const upper = token
    .trim()
    .toUpperCase()
    .replace(/-SESS$/, '');
  return (DIGEST_ALGORITHMS as readonly string[]).includes(upper) ? (upper as DigestAlgorithm) : undefined;
}

/** Lower-case hex H(username:realm:password), UTF-8 encoded (RFC 7616 section 4: charset=UTF-8). */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return createHash(NODE_HASH[algorithm]).update(`${username}:${realm}:${password}`, 'utf8').digest('hex');
}

/** HA1 for every algorithm this Node supports (all three on Node 20 with its bundled OpenSSL). */
export function computeAllHa1(
  username: string,
  realm: string,
  password: string,
): Partial<Record<DigestAlgorithm, string>> {
  const out: Partial<Record<DigestAlgorithm, string>> = {};
  for (const a of DIGEST_ALGORITHMS) out[a] = computeHa1(a, username, realm, password);
  return out;
}
