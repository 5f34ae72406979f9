/**
 * Digest challenges: the values of WWW-Authenticate and Proxy-Authenticate (RFC 7616 section 3.3,
 * RFC 3261 sections 20.27 and 20.44, grammar in section 25.1). Parsing is lenient the way real
 * servers require: algorithm and qop compared case-insensitively, quoted or not, stale="true"
 * accepted beside stale=true. Printing follows RFC 7616: realm, nonce and opaque quoted, the qop
 * options one quoted comma-separated list, algorithm and stale bare tokens.
 */
import { type AuthValue, Params, quote } from '../sip/index.js';
import { type DigestAlgorithm, parseAlgorithm } from './algorithm.js';
import type { DigestQop } from './digest-math.js';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  /** The algorithm as written ("MD5" when absent, RFC 7616 section 3.3). */
  readonly algorithmName: string;
  /** The algorithm, or undefined when it is not one this stack knows. */
  readonly algorithm: DigestAlgorithm | undefined;
  /** The qop options offered, lower case; undefined when the challenge has no qop (RFC 2069 server). */
  readonly qop: readonly string[] | undefined;
  readonly stale: boolean;
  /** The server supports hashed usernames (RFC 7616 section 3.4.4). */
  readonly userhash: boolean;
}

/** A Digest challenge from one header value; undefined for other schemes or without realm/nonce. */
export function parseChallenge(value: AuthValue): DigestChallenge | undefined {
  if (value.scheme.toLowerCase() !== 'digest') return undefined;
  const p = value.params;
  const realm = p.getUnquoted('realm');
  const nonce = p.getUnquoted('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const algorithmName = p.getUnquoted('algorithm') ?? 'MD5';
  const qopText = p.getUnquoted('qop');
  return {
    realm,
    nonce,
    opaque: p.getUnquoted('opaque'),
    algorithmName,
    algorithm: parseAlgorithm(algorithmName),
    qop:
      qopText === undefined
        ? undefined
        : qopText
            .split(',')
            .map((q) => q.trim().toLowerCase())
            .filter((q) => q.length > 0),
    stale: p.getUnquoted('stale')?.toLowerCase() === 'true',
    userhash: p.getUnquoted('userhash')?.toLowerCase() === 'true',
  };
}

export interface ChallengeInit {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string | undefined;
  readonly algorithm: DigestAlgorithm;
  /** Offered qop options; empty offers none (an RFC 2069-style challenge). */
  readonly qop: readonly DigestQop[];
  readonly stale?: boolean | undefined;
}

/** The header value of a challenge, parameters in the order of RFC 7616 section 3.9.1's example. */
export function challengeValue(init: ChallengeInit): AuthValue {
  const entries: [string, string][] = [
    ['realm', quote(init.realm)],
    ['nonce', quote(init.nonce)],
  ];
  if (init.opaque !== undefined) entries.push(['opaque', quote(init.opaque)]);
  // RFC 8760 section 2.3: each header names its algorithm, so that a UAC can tell them apart.
  entries.push(['algorithm', init.algorithm]);
  if (init.qop.length > 0) entries.push(['qop', quote(init.qop.join(','))]);
  if (init.stale) entries.push(['stale', 'true']);
  return { scheme: 'Digest', params: new Params(entries) };
}
