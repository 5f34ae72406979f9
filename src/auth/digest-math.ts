/**
 * The digest computations of RFC 7616 section 3.4 (RFC 2617 section 3.2.2, RFC 8760 for SIP):
 *
 *   HA1      = H(username ":" realm ":" password)                        (section 3.4.2)
 *   HA1-sess = H(HA1 ":" nonce ":" cnonce)                                 for the "-sess" algorithms
 *   HA2      = H(method ":" digest-uri)                                    qop=auth or no qop
 *            = H(method ":" digest-uri ":" H(body))                        qop=auth-int (section 3.4.3)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)          (section 3.4.1)
 *            = H(HA1 ":" nonce ":" HA2)                                    no qop: RFC 2069 compatibility
 *   rspauth  = the response with the method left empty (section 3.5, Authentication-Info)
 *   userhash = H(username ":" realm)                                       (section 3.4.4)
 *
 * Every value is lower-case hex. Strings are hashed as UTF-8.
 */
import { type DigestAlgorithm, type DigestHash, hashHex, hashOf, hexLength, isSessionAlgorithm } from './algorithm.js';
import { DigestHa1Error } from './errors.js';

export type DigestQop = 'auth' | 'auth-int';

/** What the response is computed from; nc and cnonce are required when qop is set. */
export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  /** H(username:realm:password) with the algorithm's hash (never the "-sess" one). */
  readonly ha1: string;
  readonly nonce: string;
  readonly method: string;
  /** The digest-uri as written in the credentials (the Request-URI for SIP, RFC 3261 section 22.4). */
  readonly uri: string;
  readonly qop?: DigestQop | undefined;
  /** nc as 8 hex digits. */
  readonly nc?: string | undefined;
  readonly cnonce?: string | undefined;
  /** The message body, for qop=auth-int. */
  readonly body?: Uint8Array | undefined;
}

const EMPTY = new Uint8Array(0);

/** The HA1 a store keeps for a user: H(username ":" realm ":" password) with the algorithm's hash. */
export function computeHa1(
  algorithm: DigestAlgorithm | DigestHash,
  username: string,
  realm: string,
  password: string,
): string {
  return hashHex(hashOf(algorithm), `${username}:${realm}:${password}`);
}

/** True when `ha1` has the form of a HA1 for the algorithm (lower-case hex of the hash's length). */
export function isHa1(algorithm: DigestAlgorithm | DigestHash, ha1: string): boolean {
  return ha1.length === hexLength(algorithm) && /^[0-9a-f]+$/.test(ha1);
}

/** The HA1 that enters the response: the stored one, or for "-sess" H(HA1 ":" nonce ":" cnonce). */
export function sessionHa1(algorithm: DigestAlgorithm, ha1: string, nonce: string, cnonce: string | undefined): string {
  if (!isHa1(algorithm, ha1)) throw new DigestHa1Error(algorithm);
  if (!isSessionAlgorithm(algorithm)) return ha1;
  // RFC 7616 section 3.4.2: A1 = H(username:realm:passwd) ":" nonce-prime ":" cnonce-prime.
  return hashHex(hashOf(algorithm), `${ha1}:${nonce}:${cnonce ?? ''}`);
}

/** HA2 for a request (or, with method '', for Authentication-Info's rspauth). */
export function computeHa2(
  algorithm: DigestAlgorithm,
  method: string,
  uri: string,
  qop: DigestQop | undefined,
  body: Uint8Array | undefined,
): string {
  const hash = hashOf(algorithm);
  // RFC 7616 section 3.4.3: auth-int adds H(entity-body); SIP's entity body is the message body.
  if (qop === 'auth-int') return hashHex(hash, `${method}:${uri}:${hashHex(hash, body ?? EMPTY)}`);
  return hashHex(hash, `${method}:${uri}`);
}

/** KD(HA1, data) = H(HA1 ":" data) over the nonce, counts and HA2 (RFC 7616 section 3.4.1). */
function kd(input: DigestInput, ha2: string): string {
  const hash = hashOf(input.algorithm);
  const ha1 = sessionHa1(input.algorithm, input.ha1, input.nonce, input.cnonce);
  if (input.qop === undefined) {
    // RFC 2617 section 3.2.2.1: without qop, the RFC 2069 form (no nc, no cnonce).
    return hashHex(hash, `${ha1}:${input.nonce}:${ha2}`);
  }
  return hashHex(hash, `${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

/** The request-digest: the `response` parameter of Authorization and Proxy-Authorization. */
export function computeResponse(input: DigestInput): string {
  return kd(input, computeHa2(input.algorithm, input.method, input.uri, input.qop, input.body));
}

/**
 * The `rspauth` of Authentication-Info (RFC 7616 section 3.5, RFC 7615): the same computation as
 * the response with an empty method, auth-int hashing the body of the response instead.
 */
export function computeRspauth(input: Omit<DigestInput, 'method'>): string {
  return kd({ ...input, method: '' }, computeHa2(input.algorithm, '', input.uri, input.qop, input.body));
}

/** username hashed for privacy when the challenge says userhash=true (RFC 7616 section 3.4.4). */
export function computeUserhash(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return hashHex(hashOf(algorithm), `${username}:${realm}`);
}

/** nc as the 8 lower-case hex digits RFC 7616 section 3.4 requires (nc-value = 8LHEX). */
export function formatNc(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The number of an nc-value; undefined unless exactly 8 hex digits. */
export function parseNc(text: string): number | undefined {
  return /^[0-9a-fA-F]{8}$/.test(text) ? Number.parseInt(text, 16) : undefined;
}
