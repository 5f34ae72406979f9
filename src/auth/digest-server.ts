/**
 * The digest server shared by the proxy (407 with Proxy-Authenticate) and the registrar and UAS
 * (401 with WWW-Authenticate): RFC 3261 section 22, RFC 7616, RFC 8760, RFC 7615.
 *
 *   challenge(request, { realm, proxy })      -> 401/407 with one challenge per algorithm
 *   verify(request, { realm, proxy, users })  -> { ok: true, username, ... }
 *                                              | { ok: false, reason, respond }
 *
 * Nonces are stateless (NonceIssuer: time, random and an HMAC with the server secret), so the
 * server stores nothing per challenge; only the highest nc of each nonce in use is kept, in a
 * bounded LRU (NonceCountTracker). Every failure carries the response to send: a fresh challenge
 * (stale=true when the client proved it knows the password but the nonce or count is no longer
 * acceptable), 400 for malformed credentials, 400 or 403 for a digest-uri that is not the
 * Request-URI. An unknown user and a wrong password take the same path - a dummy HA1 stands in
 * for the missing one - and produce byte-identical answers apart from the nonce.
 *
 * Roles send these answers statelessly: RFC 3261 section 26.3.2.4 asks that challenges not be
 * retransmitted, so that an unauthenticated request costs the server one small response.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type AuthValue, type OutgoingResponse, Params, quote, responseTo, type SipRequest } from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { ConfigError } from '../util/errors.js';
import { type DigestAlgorithm, type DigestHash, hashOf, hexLength, isSessionAlgorithm } from './algorithm.js';
import { challengeValue } from './challenge.js';
import { type DigestCredentials, parseCredentials } from './credentials.js';
import { computeResponse, computeRspauth, type DigestQop, formatNc, isHa1 } from './digest-math.js';
import { digestUriMatches } from './digest-uri.js';
import { NonceCountTracker } from './nonce-counts.js';
import { NonceIssuer } from './nonce-issuer.js';
import { timingSafeEqualHex } from './timing-safe.js';
import type { UserLookup } from './user-lookup.js';

export interface DigestServerOptions {
  readonly clock: Clock;
  /**
   * Secret for nonces, at least 16 bytes. Default: 32 random bytes per instance. Nonces from a
   * restarted server then fail the MAC; clients whose response is right for them get stale=true.
   */
  readonly secret?: Uint8Array | string;
  /** Secrets still accepted (their nonces are answered stale=true), for key rotation. */
  readonly previousSecrets?: readonly (Uint8Array | string)[];
  /** How long a nonce is fresh. Default 300 s (as Kamailio, Asterisk and baresip). */
  readonly nonceLifetimeMs?: number;
  /**
   * Algorithms offered, one challenge each, in this order (RFC 8760 section 2.3: the order of
   * preference). Default MD5 then SHA-256: clients that choose the strongest (Switchboard's,
   * baresip) answer SHA-256, while JsSIP and SIP.js, which read only the topmost challenge and
   * give up unless it is MD5, and phones older than RFC 8760 still register. ['SHA-256', 'MD5']
   * states a preference for SHA-256 to RFC 8760 clients that take the topmost one they support.
   */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** qop options offered. Default ['auth']. */
  readonly qop?: readonly DigestQop[];
  /** Accept credentials without qop (RFC 2069 clients: no nc, hence no replay protection). Default true. */
  readonly allowNoQop?: boolean;
  /** Send an opaque (derived from the secret and realm) and check it when echoed. Default true. */
  readonly opaque?: boolean;
  /** Check the digest-uri against the Request-URI. Default true. */
  readonly checkUri?: boolean;
  /** Status for a digest-uri mismatch: 400 (RFC 2617 section 3.2.2.5) or 403. Default 400. */
  readonly uriMismatchStatus?: 400 | 403;
  /** How many nonces' counts to remember at most. Default 10000. */
  readonly maxTrackedNonces?: number;
}

export interface ChallengeOptions {
  readonly realm: string;
  /** 407 with Proxy-Authenticate (a proxy) instead of 401 with WWW-Authenticate. */
  readonly proxy: boolean;
  /** Mark the challenge stale=true (RFC 7616 section 3.3). */
  readonly stale?: boolean;
  /** Override the configured algorithms for this challenge. */
  readonly algorithms?: readonly DigestAlgorithm[];
}

export interface VerifyOptions {
  readonly realm: string;
  /** Check Proxy-Authorization (answering 407) instead of Authorization (answering 401). */
  readonly proxy: boolean;
  readonly users: UserLookup;
}

export type VerifyFailureReason =
  | 'missing'
  | 'stale'
  | 'bad-credentials'
  | 'bad-realm'
  | 'bad-uri'
  | 'replay'
  | 'malformed';

export interface VerifySuccess {
  readonly ok: true;
  /** The authenticated username (authorization decisions, e.g. authorizedForAor, start here). */
  readonly username: string;
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: DigestQop | undefined;
  readonly nc: number | undefined;
  readonly nonce: string;
}

export interface VerifyFailure {
  readonly ok: false;
  readonly reason: VerifyFailureReason;
  /** The response to send, statelessly. */
  readonly respond: OutgoingResponse;
  /** The username the credentials claimed, for logs (never sent back to the client). */
  readonly username: string | undefined;
  /** A line for logs. */
  readonly detail: string;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

interface SuccessContext {
  readonly ha1: string;
  readonly credentials: DigestCredentials;
}

const MIN_SECRET_BYTES = 16;

function secretBytes(field: string, s: Uint8Array | string): Uint8Array {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  if (b.length < MIN_SECRET_BYTES) throw new ConfigError(field, `must be at least ${MIN_SECRET_BYTES} bytes`);
  return b;
}

export class DigestServer {
  readonly #clock: Clock;
  readonly #secret: Uint8Array;
  readonly #nonces: NonceIssuer;
  readonly #counts: NonceCountTracker;
  readonly #algorithms: readonly DigestAlgorithm[];
  readonly #qop: readonly DigestQop[];
  readonly #allowNoQop: boolean;
  readonly #opaque: boolean;
  readonly #checkUri: boolean;
  readonly #uriMismatchStatus: 400 | 403;
  readonly #dummyKey = randomBytes(32);
  readonly #successes = new WeakMap<VerifySuccess, SuccessContext>();

  constructor(options: DigestServerOptions) {
    this.#clock = options.clock;
    this.#secret = options.secret === undefined ? randomBytes(32) : secretBytes('secret', options.secret);
    const lifetimeMs = options.nonceLifetimeMs ?? 300_000;
    if (!(lifetimeMs > 0)) throw new ConfigError('nonceLifetimeMs', 'must be positive');
    this.#nonces = new NonceIssuer({
      secret: this.#secret,
      previousSecrets: (options.previousSecrets ?? []).map((s) => secretBytes('previousSecrets', s)),
      lifetimeMs,
    });
    this.#counts = new NonceCountTracker(options.maxTrackedNonces ?? 10_000);
    this.#algorithms = options.algorithms ?? ['MD5', 'SHA-256'];
    if (this.#algorithms.length === 0) throw new ConfigError('algorithms', 'must offer at least one algorithm');
    this.#qop = options.qop ?? ['auth'];
    this.#allowNoQop = options.allowNoQop ?? true;
    if (this.#qop.length === 0 && !this.#allowNoQop) throw new ConfigError('qop', 'no qop offered and none allowed');
    if (this.#qop.length === 0 && this.#algorithms.some(isSessionAlgorithm)) {
      // A "-sess" HA1 needs the cnonce, which is only sent with a qop (RFC 7616 section 3.4.2).
      throw new ConfigError('algorithms', '"-sess" algorithms need a qop');
    }
    this.#opaque = options.opaque ?? true;
    this.#checkUri = options.checkUri ?? true;
    this.#uriMismatchStatus = options.uriMismatchStatus ?? 400;
  }

  /**
   * False for ACK and CANCEL, which a server must not challenge: neither can be resubmitted with
   * credentials (RFC 3261 section 22.1; an ACK for a 2xx carries the INVITE's credentials,
   * section 13.2.2.4, computed for the INVITE).
   */
  static mayChallenge(method: string): boolean {
    return method !== 'ACK' && method !== 'CANCEL';
  }

  /** How many nonces' counts are remembered now (bounded by maxTrackedNonces). */
  get trackedNonces(): number {
    return this.#counts.size;
  }

  /**
   * A 401 with WWW-Authenticate (or a 407 with Proxy-Authenticate when `proxy`), one header per
   * algorithm sharing one fresh nonce, most preferred first (RFC 8760 section 2.3).
   */
  challenge(request: SipRequest, options: ChallengeOptions): OutgoingResponse {
    const res = responseTo(request, options.proxy ? 407 : 401, { toTag: this.#toTag(request) });
    const nonce = this.#nonces.issue(options.realm, this.#clock.wallTime());
    const opaque = this.#opaqueFor(options.realm);
    for (const algorithm of options.algorithms ?? this.#algorithms) {
      const value = challengeValue({
        realm: options.realm,
        nonce,
        opaque,
        algorithm,
        qop: this.#qop,
        stale: options.stale,
      });
      res.append(options.proxy ? 'proxy-authenticate' : 'www-authenticate', value);
    }
    return res;
  }

  /** Checks the request's Authorization (or Proxy-Authorization) for `realm`. */
  async verify(request: SipRequest, options: VerifyOptions): Promise<VerifyResult> {
    const { realm, proxy } = options;
    const headerName = proxy ? 'Proxy-Authorization' : 'Authorization';
    const got = request.tryGet(proxy ? 'proxy-authorization' : 'authorization');
    if (!got.ok) return this.#malformed(request, headerName, undefined, got.error.message);
    const digest = got.value.filter((v) => v.scheme.toLowerCase() === 'digest');
    if (digest.length === 0) {
      // No credentials we understand (none, or another scheme: RFC 4475 regaut01): challenge.
      return this.#challengeFailure(request, options, 'missing', undefined, `no Digest ${headerName}`);
    }
    const ours = digest.filter((v) => v.params.getUnquoted('realm') === realm);
    if (ours.length === 0) {
      // Proxy-Authorization values for other realms belong to other proxies on the path
      // (RFC 3261 section 22.3): for a proxy that is simply "missing".
      const reason = proxy ? 'missing' : 'bad-realm';
      return this.#challengeFailure(request, options, reason, undefined, `no credentials for realm "${realm}"`);
    }
    const chosen = this.#choose(ours);
    if (!chosen.ok) return this.#malformed(request, headerName, chosen.username, chosen.problem);
    const c = chosen.credentials;
    if (c === undefined) {
      return this.#challengeFailure(request, options, 'bad-credentials', undefined, 'algorithm not offered');
    }
    const algorithm = c.algorithm as DigestAlgorithm;
    if (c.response.length !== hexLength(algorithm)) {
      return this.#malformed(request, headerName, c.username, `response is not ${hexLength(algorithm)} hex digits`);
    }
    if (isSessionAlgorithm(algorithm) && c.qop === undefined) {
      return this.#malformed(request, headerName, c.username, `${algorithm} without qop`);
    }
    if (c.qop === undefined ? !this.#allowNoQop : !this.#qop.includes(c.qop)) {
      const detail = `qop ${c.qop ?? '(none)'} not offered`;
      return this.#challengeFailure(request, options, 'bad-credentials', c.username, detail);
    }
    if (this.#checkUri && !digestUriMatches(c.uri, request.uri)) {
      const status = this.#uriMismatchStatus;
      const respond = responseTo(request, status, {
        reason: status === 400 ? 'Digest URI Mismatch' : undefined,
        toTag: this.#toTag(request),
      });
      return { ok: false, reason: 'bad-uri', respond, username: c.username, detail: `digest uri ${c.uri}` };
    }

    const now = this.#clock.wallTime();
    // An opaque that is not ours means the nonce is not ours either (another server, or this
    // one before a secret change): judged like an invalid nonce below.
    const opaque = this.#opaqueFor(realm);
    const opaqueOk = opaque === undefined || c.opaque === undefined || c.opaque === opaque;
    const nonce = opaqueOk ? this.#nonces.check(c.nonce, realm, now) : { status: 'invalid' as const };
    const hash = hashOf(algorithm);
    const stored = await options.users.lookupHa1(c.username, realm, hash);
    const known = stored !== undefined && isHa1(hash, stored.toLowerCase());
    // An unknown user is checked against a dummy HA1, so that it costs the same work and ends
    // in the same answer as a wrong password (no user enumeration).
    const ha1 = known ? stored.toLowerCase() : this.#dummyHa1(c.username, realm, hash);
    const expected = computeResponse({
      algorithm,
      ha1,
      nonce: c.nonce,
      method: request.method,
      uri: c.uri,
      qop: c.qop,
      nc: c.ncText,
      cnonce: c.cnonce,
      body: request.body,
    });
    const match = timingSafeEqualHex(c.response, expected);
    if (!match || !known) {
      return this.#challengeFailure(request, options, 'bad-credentials', c.username, 'wrong response');
    }
    if (nonce.status !== 'valid' || nonce.issuedAt === undefined || nonce.order === undefined) {
      // RFC 7616 section 3.3: stale=true when "the nonce is invalid [here: expired, or not
      // ours any more] and the response is valid for that nonce".
      return this.#challengeFailure(request, options, 'stale', c.username, `nonce ${nonce.status}`, true);
    }
    if (c.nc !== undefined) {
      const expiresAt = nonce.issuedAt + this.#nonces.lifetimeMs;
      const verdict = this.#counts.accept(c.nonce, c.nc, nonce.order, expiresAt, now);
      if (verdict === 'replay') {
        // RFC 7616 section 3.4: a count seen before is a replay. The answer is a stale
        // challenge: a legitimate client whose requests were reordered re-answers at once.
        const detail = `nc ${c.ncText} not above the highest seen`;
        return this.#challengeFailure(request, options, 'replay', c.username, detail, true);
      }
      if (verdict === 'forgotten') {
        return this.#challengeFailure(request, options, 'stale', c.username, 'nonce counts evicted', true);
      }
    }
    const success: VerifySuccess = {
      ok: true,
      username: c.username,
      realm,
      algorithm,
      qop: c.qop,
      nc: c.nc,
      nonce: c.nonce,
    };
    this.#successes.set(success, { ha1, credentials: c });
    return success;
  }

  /**
   * Adds Authentication-Info (RFC 7615; RFC 7616 section 3.5) to the response to a request that
   * `verify` accepted with WWW-Authenticate credentials: rspauth (mutual authentication, with a
   * qop), cnonce and nc echoed, and a nextnonce when asked for. Returns false (and changes
   * nothing) for a result this server did not produce or for proxy credentials: SIP has no
   * Proxy-Authentication-Info header.
   */
  addAuthenticationInfo(
    result: VerifySuccess,
    response: OutgoingResponse,
    options: { readonly nextnonce?: boolean; readonly proxy?: boolean } = {},
  ): boolean {
    const ctx = this.#successes.get(result);
    if (ctx === undefined || options.proxy) return false;
    const c = ctx.credentials;
    const entries: [string, string][] = [];
    if (options.nextnonce) entries.push(['nextnonce', quote(this.#nonces.issue(result.realm, this.#clock.wallTime()))]);
    if (c.qop !== undefined) {
      const rspauth = computeRspauth({
        algorithm: result.algorithm,
        ha1: ctx.ha1,
        nonce: c.nonce,
        uri: c.uri,
        qop: c.qop,
        nc: c.ncText,
        cnonce: c.cnonce,
        body: response.body,
      });
      entries.push(['qop', c.qop], ['rspauth', quote(rspauth)], ['cnonce', quote(c.cnonce ?? '')]);
      entries.push(['nc', c.ncText ?? formatNc(c.nc ?? 1)]);
    }
    if (entries.length === 0) return false;
    response.set('authentication-info', new Params(entries));
    return true;
  }

  /** The first Digest credentials with an algorithm offered; malformed ones fail the request. */
  #choose(
    values: readonly AuthValue[],
  ):
    | { ok: true; credentials: DigestCredentials | undefined }
    | { ok: false; problem: string; username: string | undefined } {
    let chosen: DigestCredentials | undefined;
    for (const v of values) {
      const parsed = parseCredentials(v);
      if (!parsed.ok) return { ok: false, problem: parsed.problem, username: v.params.getUnquoted('username') };
      const a = parsed.credentials.algorithm;
      if (chosen === undefined && a !== undefined && this.#algorithms.includes(a)) chosen = parsed.credentials;
    }
    return { ok: true, credentials: chosen };
  }

  #challengeFailure(
    request: SipRequest,
    options: VerifyOptions,
    reason: VerifyFailureReason,
    username: string | undefined,
    detail: string,
    stale = false,
  ): VerifyFailure {
    const respond = this.challenge(request, { realm: options.realm, proxy: options.proxy, stale });
    return { ok: false, reason, respond, username, detail };
  }

  #malformed(request: SipRequest, headerName: string, username: string | undefined, detail: string): VerifyFailure {
    const respond = responseTo(request, 400, { reason: `Malformed ${headerName}`, toTag: this.#toTag(request) });
    return { ok: false, reason: 'malformed', respond, username, detail };
  }

  #opaqueFor(realm: string): string | undefined {
    if (!this.#opaque) return undefined;
    return createHmac('sha256', this.#secret)
      .update('opaque\0')
      .update(realm, 'utf8')
      .digest()
      .subarray(0, 12)
      .toString('base64');
  }

  #dummyHa1(username: string, realm: string, hash: DigestHash): string {
    const h = createHmac('sha256', this.#dummyKey).update(`${hash}:${username}:${realm}`, 'utf8').digest('hex');
    return h.slice(0, hexLength(hash));
  }

  /**
   * The To tag of a challenge (RFC 3261 section 8.2.6.2), derived from the request with the
   * secret: unpredictable (section 19.3), the same for retransmissions of the request, and
   * identical for an unknown user and a wrong password.
   */
  #toTag(request: SipRequest): string | undefined {
    try {
      if (request.toTag !== undefined) return undefined;
      const cseq = request.get('cseq');
      const mac = createHmac('sha256', this.#secret)
        .update('to-tag\0')
        .update(`${request.get('call-id') ?? ''}\0${request.fromTag ?? ''}\0`)
        .update(`${cseq?.seq ?? ''} ${cseq?.method ?? ''}\0${request.get('via')[0]?.branch ?? ''}`);
      return mac.digest('hex').slice(0, 16);
    } catch {
      return undefined;
    }
  }
}
