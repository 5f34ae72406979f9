/**
 * The HA1s an account keeps (RFC 7616 section 3.4.2: HA1 = H(username ":" realm ":" passwd)),
 * one per hash function the digest server can challenge with: MD5 (RFC 2617), SHA-256 and
 * SHA-512-256 (RFC 7616, RFC 8760). The store keeps these, never the password, like Kamailio's
 * subscriber.ha1 / ha1b columns. The arithmetic is the auth layer's (one implementation for the
 * client, the server and the store); "-sess" algorithms start from the same HA1, so a lookup by
 * any algorithm token resolves to its hash function.
 */
import { computeHa1, type DigestHash, hashOf, parseAlgorithm } from '../auth/index.js';

/** The hash functions an account has an HA1 for, in the order they are listed. */
export const HA1_HASHES: readonly DigestHash[] = ['MD5', 'SHA-256', 'SHA-512-256'];

/** The hash function of an algorithm token as a challenge spells it (`md5`, `SHA-256-sess`...). */
export function hashFor(token: string): DigestHash | undefined {
  const algorithm = parseAlgorithm(token);
  return algorithm === undefined ? undefined : hashOf(algorithm);
}

/** HA1 for every hash function, lower-case hex, UTF-8 input (RFC 7616 section 4). */
export function computeAllHa1(username: string, realm: string, password: string): Record<DigestHash, string> {
  const out: Partial<Record<DigestHash, string>> = {};
  for (const h of HA1_HASHES) out[h] = computeHa1(h, username, realm, password);
  return out as Record<DigestHash, string>;
}
