/**
 * What a digest client remembers per protection space (realm, and whether it is a proxy's or the
 * UAS's): the nonce, the chosen algorithm and qop, the HA1, the cnonce and the last nc used, so
 * that the next request can carry credentials up front with nc=00000002, 00000003, ... instead of
 * costing a challenge round trip each time (RFC 7616 section 3.4: the nc "counts the number of
 * requests (including the current request) that the client has sent with the nonce value").
 *
 * Each entry also records how far it may be reused:
 * - a proxy's credentials only within the Call-IDs they were learned for (RFC 3261 section 22.3:
 *   "These credentials MUST NOT be cached across dialogs"), unless the realm is configured as the
 *   local outbound proxy's, which "MAY" be cached across dialogs;
 * - a UAS's or registrar's (section 22.2) within those Call-IDs and for requests to the same host
 *   (the re-REGISTER of section 10.2 keeps its Call-ID anyway).
 */
import type { SipRequest, Uri } from '../sip/index.js';
import type { DigestAlgorithm } from './algorithm.js';
import type { DigestQop } from './digest-math.js';

export interface RealmState {
  readonly realm: string;
  readonly proxy: boolean;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: DigestAlgorithm;
  readonly qop: DigestQop | undefined;
  /** The account's username, as the provider gave it. */
  readonly account: string;
  /** The username as sent: the hash when the server asked for userhash. */
  readonly username: string;
  readonly userhash: boolean;
  /** H(username:realm:password) with the algorithm's hash. */
  readonly ha1: string;
  readonly cnonce: string;
  /** The last nc sent with this nonce (0 before the first request). */
  nc: number;
  /** Consecutive stale challenges answered for this protection space. */
  readonly staleRetries: number;
  /** Where the nonce came from: a challenge, or an Authentication-Info nextnonce. */
  readonly source: 'challenge' | 'nextnonce';
  readonly host: string | undefined;
  readonly callIds: Set<string>;
}

const MAX_CALL_IDS = 64;

export function stateKey(proxy: boolean, realm: string): string {
  return `${proxy ? 'proxy' : 'www'}\0${realm}`;
}

/** The host a request is addressed to, lower case (undefined for non-SIP URIs). */
export function hostOf(uri: Uri): string | undefined {
  return uri.kind === 'sip' ? uri.hostname.toLowerCase() : undefined;
}

export function callIdOf(request: SipRequest): string | undefined {
  const r = request.tryGet('call-id');
  return r.ok ? r.value : undefined;
}

/** Adds a Call-ID to the entry's scope, forgetting the oldest beyond a bound. */
export function rememberCallId(state: RealmState, callId: string | undefined): void {
  if (callId === undefined) return;
  state.callIds.delete(callId);
  state.callIds.add(callId);
  if (state.callIds.size > MAX_CALL_IDS) {
    const oldest = state.callIds.values().next();
    if (!oldest.done) state.callIds.delete(oldest.value);
  }
}

/** Whether cached credentials may be sent up front with this request. */
export function inScope(state: RealmState, request: SipRequest, outboundProxyRealms: ReadonlySet<string>): boolean {
  const callId = callIdOf(request);
  if (callId !== undefined && state.callIds.has(callId)) return true;
  if (state.proxy) return outboundProxyRealms.has(state.realm);
  return state.host !== undefined && state.host === hostOf(request.uri);
}
