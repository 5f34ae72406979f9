/**
 * The digest client shared by the phone and every UAC in the stack (RFC 3261 sections 22.2 and
 * 22.3, RFC 7616, RFC 8760 section 2.4).
 *
 *   request ──► 401/407 ──► handleChallenge(request, response)
 *                              ├─ { retry: true, request: <copy with credentials> }
 *                              └─ { retry: false, reason }
 *
 * handleChallenge answers every challenge of the response for which the credentials provider has
 * a username and password (several realms: a forking proxy merges 401s and 407s, section 16.7
 * step 6), choosing per realm the strongest algorithm offered (or the server's order, as
 * configured). It returns a copy of the request with Authorization / Proxy-Authorization replaced;
 * THE CALLER increments the CSeq (section 22.2: "MUST increment the CSeq header field value as it
 * would normally when sending an updated request") and sends the copy in a new client transaction
 * with a new branch (section 8.1.3.5). Credentials for realms that were not challenged again are
 * recomputed with the next nc, so that a proxy that accepted them does not see a replay.
 *
 * A challenge after credentials we computed in reply to a challenge means they were refused
 * (section 22.1: "A UAC MUST NOT re-attempt requests with the credentials that have just been
 * rejected (though the request may be retried if the nonce was stale)"); stale=true is answered
 * with the new nonce without asking the provider again (bounded, against a server stuck on
 * stale). Credentials sent up front from the cache that are refused are retried once with the
 * fresh challenge: the server may simply have forgotten the nonce.
 *
 * authorize(request) adds cached credentials up front (nc=00000002, ...), within the scope RFC
 * 3261 allows (client-cache.ts). Only qop credentials are sent up front: without nc they would be
 * a replayable copy of the previous request's.
 */
import type { AuthValue, OutgoingRequest, SipRequest, SipResponse } from '../sip/index.js';
import { randomToken } from '../util/ids.js';
import {
  algorithmStrength,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestHash,
  hashOf,
  isSessionAlgorithm,
} from './algorithm.js';
import type { DigestChallenge } from './challenge.js';
import { callIdOf, hostOf, inScope, type RealmState, rememberCallId, stateKey } from './client-cache.js';
import { collectChallenges, type SentCredentials, sentCredentials } from './client-messages.js';
import { credentialsValue, parseCredentials } from './credentials.js';
import {
  computeHa1,
  computeResponse,
  computeRspauth,
  computeUserhash,
  type DigestQop,
  formatNc,
  isHa1,
} from './digest-math.js';
import { timingSafeEqualHex } from './timing-safe.js';

/** A phone's account: a password, or HA1s precomputed per hash for the realm. */
export type ClientCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly username: string; readonly ha1: Readonly<Partial<Record<DigestHash, string>>> };

/** Credentials for a realm, or undefined when we have none for it. */
export type CredentialsProvider = (realm: string) => ClientCredentials | undefined;

/**
 * How to choose among challenges of one realm. 'strongest' (the default) is the local policy RFC
 * 8760 section 2.4 allows ("SHOULD use the topmost header field that it supports, unless a local
 * policy dictates otherwise"): challenges are not integrity-protected, and section 3 of the same
 * RFC warns that an on-path attacker can reorder them to put MD5 first. Ties keep the server's
 * order. 'server-order' takes the topmost supported one.
 */
export type AlgorithmSelection = 'strongest' | 'server-order';

export interface DigestClientOptions {
  readonly credentials: CredentialsProvider;
  /** Algorithms this client accepts. Default: all six of RFC 7616 (drop 'MD5' to refuse it). */
  readonly algorithms?: readonly DigestAlgorithm[];
  readonly selection?: AlgorithmSelection;
  /** Send cached credentials up front (authorize). Default true. */
  readonly preemptive?: boolean;
  /** Proxy realms that may be cached across dialogs (the local outbound proxy's, RFC 3261 section 22.3). */
  readonly outboundProxyRealms?: readonly string[];
  /** How many stale challenges in a row are answered for one realm. Default 2. */
  readonly maxStaleRetries?: number;
  /** cnonce generator (tests pass a fixed one). Default: 16 random characters. */
  readonly cnonce?: () => string;
}

export interface AnsweredChallenge {
  readonly realm: string;
  /** Proxy-Authenticate answered with Proxy-Authorization. */
  readonly proxy: boolean;
  readonly algorithm: DigestAlgorithm;
  readonly qop: DigestQop | undefined;
  readonly stale: boolean;
}

export type ChallengeFailureReason =
  /** The response is not a 401 or 407. */
  | 'not-a-challenge'
  /** A 401/407 without any Digest challenge with realm and nonce. */
  | 'no-challenge'
  /** Digest challenges, but none with an algorithm and qop this client supports. */
  | 'unsupported'
  /** No credentials for any challenged realm. */
  | 'no-credentials'
  /** Challenged again after our credentials: wrong username or password. */
  | 'rejected'
  /** stale=true more than maxStaleRetries times in a row. */
  | 'stale-loop';

export type ChallengeResult =
  | { readonly retry: true; readonly request: OutgoingRequest; readonly answered: readonly AnsweredChallenge[] }
  | {
      readonly retry: false;
      readonly reason: ChallengeFailureReason;
      readonly realm: string | undefined;
      readonly detail: string;
    };

export type AuthenticationInfoStatus =
  | 'absent'
  | 'verified'
  | 'mismatch'
  | 'no-rspauth'
  | 'unknown-realm'
  | 'malformed';

export interface AuthenticationInfoResult {
  /** 'verified': the server proved it knows the HA1 (RFC 7616 section 3.5); 'mismatch': it did not. */
  readonly status: AuthenticationInfoStatus;
  /** A nextnonce was taken into the cache. */
  readonly nextnonce: boolean;
}

interface Selection {
  readonly challenge: DigestChallenge;
  readonly algorithm: DigestAlgorithm;
  readonly qop: DigestQop | undefined;
  readonly ha1: string;
}

const MAX_NC = 0xffffffff;

export class DigestClient {
  readonly #provider: CredentialsProvider;
  readonly #algorithms: ReadonlySet<DigestAlgorithm>;
  readonly #selection: AlgorithmSelection;
  readonly #preemptive: boolean;
  readonly #outboundProxyRealms: ReadonlySet<string>;
  readonly #maxStaleRetries: number;
  readonly #cnonce: () => string;
  readonly #states = new Map<string, RealmState>();

  constructor(options: DigestClientOptions) {
    this.#provider = options.credentials;
    this.#algorithms = new Set(options.algorithms ?? DIGEST_ALGORITHMS);
    this.#selection = options.selection ?? 'strongest';
    this.#preemptive = options.preemptive ?? true;
    this.#outboundProxyRealms = new Set(options.outboundProxyRealms ?? []);
    this.#maxStaleRetries = options.maxStaleRetries ?? 2;
    this.#cnonce = options.cnonce ?? (() => randomToken(16));
  }

  /** Realms with cached credentials, as `{ realm, proxy }`. */
  cachedRealms(): { realm: string; proxy: boolean }[] {
    return [...this.#states.values()].map((s) => ({ realm: s.realm, proxy: s.proxy }));
  }

  /** Forgets cached nonces (all, or one realm's): the next request is challenged afresh. */
  reset(realm?: string): void {
    if (realm === undefined) this.#states.clear();
    else for (const [k, s] of this.#states) if (s.realm === realm) this.#states.delete(k);
  }

  /** Answers the challenges of a 401/407 to `request` (the request as it was sent). */
  handleChallenge(request: OutgoingRequest, response: SipResponse): ChallengeResult {
    if (response.status !== 401 && response.status !== 407) {
      return fail('not-a-challenge', undefined, `status ${response.status}`);
    }
    const groups = collectChallenges(response);
    if (groups.length === 0) return fail('no-challenge', undefined, 'no Digest challenge with realm and nonce');
    const sent = sentCredentials(request);
    const callId = callIdOf(request);
    const answered: AnsweredChallenge[] = [];
    const fresh: RealmState[] = [];
    let unsupported: string | undefined;
    let noCredentials: string | undefined;
    for (const group of groups) {
      const key = stateKey(group.proxy, group.realm);
      const prior = this.#states.get(key);
      // A stale challenge is answered with what we already hold, without asking the provider
      // (the user) again (RFC 7616 section 3.3: "without reprompting the user").
      let creds: ClientCredentials | undefined;
      let chosen: Selection | undefined;
      if (prior !== undefined && group.challenges.some((c) => c.stale)) {
        creds = { username: prior.account, ha1: { [hashOf(prior.algorithm)]: prior.ha1 } };
        chosen = this.#select(group.challenges, creds);
      }
      if (chosen === undefined) {
        creds = this.#provider(group.realm);
        if (creds === undefined) {
          noCredentials ??= group.realm;
          continue;
        }
        chosen = this.#select(group.challenges, creds);
      }
      if (chosen === undefined || creds === undefined) {
        unsupported ??= group.realm;
        continue;
      }
      const { challenge, algorithm, qop, ha1 } = chosen;
      const previous = sent.find((s) => s.key === key);
      let staleRetries = 0;
      if (previous !== undefined) {
        if (challenge.stale) {
          // Consecutive only while each answer was itself the reply to the previous stale challenge.
          // (Credentials without qop are never sent up front, so they always answered one.)
          const answeredOne = previous.qop === undefined || previous.nc === 1;
          const chained = prior !== undefined && prior.nonce === previous.nonce && answeredOne;
          staleRetries = chained ? prior.staleRetries + 1 : 1;
          if (staleRetries > this.#maxStaleRetries) {
            this.#states.delete(key);
            return fail('stale-loop', group.realm, `stale=true ${staleRetries} times in a row`);
          }
        } else if (this.#wasAnswerToChallenge(previous, prior)) {
          this.#states.delete(key);
          return fail('rejected', group.realm, 'challenged again after our credentials');
        }
      }
      const state: RealmState = {
        realm: group.realm,
        proxy: group.proxy,
        nonce: challenge.nonce,
        opaque: challenge.opaque,
        algorithm,
        qop,
        account: creds.username,
        username: challenge.userhash ? computeUserhash(algorithm, creds.username, group.realm) : creds.username,
        userhash: challenge.userhash,
        ha1,
        cnonce: this.#cnonce(),
        nc: 0,
        staleRetries,
        source: 'challenge',
        host: group.proxy ? undefined : hostOf(request.uri),
        callIds: new Set(prior?.callIds ?? []),
      };
      rememberCallId(state, callId);
      fresh.push(state);
      answered.push({ realm: group.realm, proxy: group.proxy, algorithm, qop, stale: challenge.stale });
    }
    if (fresh.length === 0) {
      if (noCredentials !== undefined) return fail('no-credentials', noCredentials, 'no credentials for the realm');
      return fail('unsupported', unsupported, 'no challenge with a supported algorithm and qop');
    }
    for (const s of fresh) this.#states.set(stateKey(s.proxy, s.realm), s);
    return { retry: true, request: this.#rebuild(request, sent, fresh), answered };
  }

  /**
   * Adds cached credentials up front to a new request (a re-REGISTER, a BYE, a re-INVITE) for
   * every protection space whose scope covers it and for which the request has none yet.
   * Returns how many were added.
   */
  authorize(request: OutgoingRequest): number {
    if (!this.#preemptive) return 0;
    const present = new Set(sentCredentials(request).map((s) => s.key));
    let added = 0;
    for (const [key, state] of this.#states) {
      if (state.qop === undefined || present.has(key)) continue;
      if (!inScope(state, request, this.#outboundProxyRealms)) continue;
      const value = this.#credentialsFor(state, request);
      if (value === undefined) {
        this.#states.delete(key);
        continue;
      }
      rememberCallId(state, callIdOf(request));
      request.append(state.proxy ? 'proxy-authorization' : 'authorization', value);
      added++;
    }
    return added;
  }

  /**
   * Reads Authentication-Info from a response to `request` (RFC 7615; RFC 7616 section 3.5):
   * checks rspauth against the HA1 (mutual authentication) and takes a nextnonce into the cache
   * so that the next request uses it with nc=00000001.
   */
  handleAuthenticationInfo(request: SipRequest, response: SipResponse): AuthenticationInfoResult {
    const got = response.tryGet('authentication-info');
    if (!got.ok) return { status: 'malformed', nextnonce: false };
    const info = got.value;
    if (info === undefined) return { status: 'absent', nextnonce: false };
    const creds = request.tryGet('authorization');
    let state: RealmState | undefined;
    let sentCreds: ReturnType<typeof parseCredentials> | undefined;
    for (const v of creds.ok ? creds.value : []) {
      const parsed = parseCredentials(v);
      if (!parsed.ok) continue;
      const s = this.#states.get(stateKey(false, parsed.credentials.realm));
      if (s !== undefined && s.algorithm === parsed.credentials.algorithm) {
        state = s;
        sentCreds = parsed;
        break;
      }
    }
    if (state === undefined || sentCreds === undefined || !sentCreds.ok) {
      return { status: 'unknown-realm', nextnonce: false };
    }
    const c = sentCreds.credentials;
    let status: AuthenticationInfoStatus = 'no-rspauth';
    const rspauth = info.getUnquoted('rspauth');
    if (rspauth !== undefined && c.qop !== undefined) {
      const expected = computeRspauth({
        algorithm: state.algorithm,
        ha1: state.ha1,
        nonce: c.nonce,
        uri: c.uri,
        qop: c.qop,
        nc: c.ncText,
        cnonce: c.cnonce,
        body: response.body,
      });
      const echoed = info.getUnquoted('cnonce') ?? c.cnonce;
      status = timingSafeEqualHex(rspauth, expected) && echoed === c.cnonce ? 'verified' : 'mismatch';
    }
    const nextnonce = info.getUnquoted('nextnonce');
    if (nextnonce === undefined || status === 'mismatch') return { status, nextnonce: false };
    // RFC 7616 section 3.5: the client "should use the nextnonce ... for its next request".
    this.#states.set(stateKey(false, state.realm), {
      ...state,
      nonce: nextnonce,
      nc: 0,
      cnonce: this.#cnonce(),
      staleRetries: 0,
      source: 'nextnonce',
      callIds: new Set(state.callIds),
    });
    return { status, nextnonce: true };
  }

  /**
   * True when the credentials we sent were the direct answer to a challenge (nc=00000001, or no
   * qop), so a new challenge means they were refused; false for credentials sent up front.
   */
  #wasAnswerToChallenge(previous: SentCredentials, prior: RealmState | undefined): boolean {
    if (prior !== undefined && prior.nonce === previous.nonce && prior.source === 'nextnonce') return false;
    return previous.qop === undefined || previous.nc === 1;
  }

  /** The challenge to answer among one realm's, with its qop and HA1; undefined if none is usable. */
  #select(challenges: readonly DigestChallenge[], creds: ClientCredentials): Selection | undefined {
    let best: Selection | undefined;
    for (const challenge of challenges) {
      const algorithm = challenge.algorithm;
      // RFC 8760 section 2.4: "The UAC MUST ignore any header field with an algorithm it does not support".
      if (algorithm === undefined || !this.#algorithms.has(algorithm)) continue;
      const qop = chooseQop(challenge.qop);
      if (qop === null) continue;
      // A "-sess" HA1 needs a cnonce, which exists only with a qop (RFC 7616 section 3.4.2).
      if (qop === undefined && isSessionAlgorithm(algorithm)) continue;
      const ha1 = ha1Of(creds, algorithm, challenge.realm);
      if (ha1 === undefined) continue;
      if (best === undefined) best = { challenge, algorithm, qop, ha1 };
      else if (this.#selection === 'strongest' && algorithmStrength(algorithm) > algorithmStrength(best.algorithm)) {
        best = { challenge, algorithm, qop, ha1 };
      }
      if (this.#selection === 'server-order') break;
    }
    return best;
  }

  /** A copy of the request whose credentials answer `fresh` and carry the others forward. */
  #rebuild(request: OutgoingRequest, sent: readonly SentCredentials[], fresh: readonly RealmState[]): OutgoingRequest {
    const next = request.clone();
    next.remove('authorization');
    next.remove('proxy-authorization');
    const done = new Set<string>();
    const add = (state: RealmState): void => {
      const key = stateKey(state.proxy, state.realm);
      if (done.has(key)) return;
      const value = this.#credentialsFor(state, next);
      if (value === undefined) return;
      done.add(key);
      next.append(state.proxy ? 'proxy-authorization' : 'authorization', value);
    };
    const freshKeys = new Set(fresh.map((s) => stateKey(s.proxy, s.realm)));
    for (const line of sent) {
      const key = line.key;
      if (key !== undefined && freshKeys.has(key)) {
        const state = this.#states.get(key);
        if (state !== undefined) add(state);
        continue;
      }
      const cached = key === undefined ? undefined : this.#states.get(key);
      if (key !== undefined && cached !== undefined && cached.nonce === line.nonce && cached.qop !== undefined) {
        // Accepted before, not challenged now: the next nc, not the same one again (a replay).
        add(cached);
        continue;
      }
      if (key === undefined || !done.has(key)) next.appendRaw(line.name, line.raw);
    }
    for (const state of fresh) add(state);
    return next;
  }

  /** Credentials for a request from a cached state, advancing its nc; undefined when nc is exhausted. */
  #credentialsFor(state: RealmState, request: SipRequest): AuthValue | undefined {
    if (state.qop !== undefined) {
      if (state.nc >= MAX_NC) return undefined;
      state.nc++;
    }
    const nc = state.qop === undefined ? undefined : formatNc(state.nc);
    const cnonce = state.qop === undefined ? undefined : state.cnonce;
    // RFC 3261 section 22.4: the digest-uri is the Request-URI of the request.
    const uri = request.uri.toString();
    const response = computeResponse({
      algorithm: state.algorithm,
      ha1: state.ha1,
      nonce: state.nonce,
      method: request.method,
      uri,
      qop: state.qop,
      nc,
      cnonce,
      body: request.body,
    });
    return credentialsValue({
      username: state.username,
      realm: state.realm,
      nonce: state.nonce,
      uri,
      response,
      algorithm: state.algorithm,
      qop: state.qop,
      cnonce,
      nc: state.nc,
      opaque: state.opaque,
      userhash: state.userhash,
    });
  }
}

function fail(reason: ChallengeFailureReason, realm: string | undefined, detail: string): ChallengeResult {
  return { retry: false, reason, realm, detail };
}

/**
 * The qop to answer with: 'auth' when offered (it does not need the body), else 'auth-int';
 * undefined when the challenge has no qop (RFC 2069 server); null when only unknown ones are offered.
 */
function chooseQop(offered: readonly string[] | undefined): DigestQop | undefined | null {
  if (offered === undefined) return undefined;
  if (offered.includes('auth')) return 'auth';
  if (offered.includes('auth-int')) return 'auth-int';
  return null;
}

function ha1Of(creds: ClientCredentials, algorithm: DigestAlgorithm, realm: string): string | undefined {
  const hash = hashOf(algorithm);
  if ('password' in creds) return computeHa1(hash, creds.username, realm, creds.password);
  const ha1 = creds.ha1[hash]?.toLowerCase();
  return ha1 !== undefined && isHa1(hash, ha1) ? ha1 : undefined;
}
