/**
 * The digest algorithms of RFC 7616 section 6.1 (registered by RFC 8760 for SIP): MD5, SHA-256 and
 * SHA-512-256, each with its "-sess" variant. A "-sess" algorithm hashes the same HA1 again with the
 * nonces (RFC 7616 section 3.4.2), so stores keep one HA1 per hash function, named by DigestHash.
 */
import { createHash } from 'node:crypto';
import { DigestAlgorithmError } from './errors.js';

export type DigestHash = 'MD5' | 'SHA-256' | 'SHA-512-256';

export type DigestAlgorithm = DigestHash | 'MD5-sess' | 'SHA-256-sess' | 'SHA-512-256-sess';

/** Every algorithm, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze([
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
]);

const NODE_HASH: Readonly<Record<DigestHash, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  // FIPS 180-4 SHA-512/256 (its own initial values, not a truncated SHA-512), RFC 7616 section 3.2.
  'SHA-512-256': 'sha512-256',
};

const HEX_LENGTH: Readonly<Record<DigestHash, number>> = { MD5: 32, 'SHA-256': 64, 'SHA-512-256': 64 };

const STRENGTH: Readonly<Record<DigestHash, number>> = { MD5: 1, 'SHA-256': 2, 'SHA-512-256': 3 };

const BY_LOWER = new Map<string, DigestAlgorithm>(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a]));

/**
 * The algorithm named by an `algorithm` parameter, compared case-insensitively (clients write
 * "md5" and "MD5"); an absent parameter means MD5 (RFC 7616 section 3.3). Undefined when unknown.
 */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return 'MD5';
  return BY_LOWER.get(value.trim().toLowerCase());
}

/** Like parseAlgorithm, for names coming from configuration: throws on an unknown name. */
export function algorithmOf(value: string): DigestAlgorithm {
  const a = BY_LOWER.get(value.trim().toLowerCase());
  if (a === undefined) throw new DigestAlgorithmError(value);
  return a;
}

export function hashOf(algorithm: DigestAlgorithm): DigestHash {
  return (algorithm.endsWith('-sess') ? algorithm.slice(0, -5) : algorithm) as DigestHash;
}

export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Number of hex digits of a digest with this algorithm (32 for MD5, 64 for the SHA-2 ones). */
export function hexLength(algorithm: DigestAlgorithm): number {
  return HEX_LENGTH[hashOf(algorithm)];
}

/** A rank for choosing among challenges: higher is stronger; "-sess" ranks with its hash. */
export function algorithmStrength(algorithm: DigestAlgorithm): number {
  return STRENGTH[hashOf(algorithm)];
}

/** H(data) in lower-case hex (RFC 7616 section 3.4: the digest is represented as lower-case hex). */
export function hashHex(hash: DigestHash, data: string | Uint8Array): string {
  const h = createHash(NODE_HASH[hash]);
  h.update(data);
  return h.digest('hex');
}
