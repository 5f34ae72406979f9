/**
 * What the digest client reads from messages: the Digest challenges of a 401/407, grouped by
 * header and realm in order of first appearance (RFC 3261 section 22.3: one answer per realm),
 * and the credentials lines a request already carries. Unreadable lines are skipped, not fatal:
 * one broken challenge must not hide a good one (RFC 8760 section 2.4).
 */
import { parseAuthValue, type SipRequest, type SipResponse } from '../sip/index.js';
import { type DigestChallenge, parseChallenge } from './challenge.js';
import { stateKey } from './client-cache.js';
import { parseCredentials } from './credentials.js';
import type { DigestQop } from './digest-math.js';

export interface ChallengeGroup {
  readonly realm: string;
  readonly proxy: boolean;
  readonly challenges: DigestChallenge[];
}

export interface SentCredentials {
  readonly key: string | undefined;
  readonly name: string;
  readonly raw: string;
  readonly nonce: string | undefined;
  readonly qop: DigestQop | undefined;
  readonly nc: number | undefined;
}

/** Digest challenges of a response grouped by (header, realm), in order of first appearance. */
export function collectChallenges(response: SipResponse): ChallengeGroup[] {
  const groups = new Map<string, ChallengeGroup>();
  for (const [name, proxy] of [
    ['WWW-Authenticate', false],
    ['Proxy-Authenticate', true],
  ] as const) {
    for (const raw of response.getRaw(name)) {
      let challenge: DigestChallenge | undefined;
      try {
        challenge = parseChallenge(parseAuthValue(raw));
      } catch {
        continue; // one unreadable challenge does not hide the others
      }
      if (challenge === undefined) continue;
      const key = stateKey(proxy, challenge.realm);
      let group = groups.get(key);
      if (group === undefined) {
        group = { realm: challenge.realm, proxy, challenges: [] };
        groups.set(key, group);
      }
      group.challenges.push(challenge);
    }
  }
  return [...groups.values()];
}

/** The credentials lines of a request, in order, with what the client needs to know of each. */
export function sentCredentials(request: SipRequest): SentCredentials[] {
  const out: SentCredentials[] = [];
  for (const [name, proxy] of [
    ['Authorization', false],
    ['Proxy-Authorization', true],
  ] as const) {
    for (const raw of request.getRaw(name)) {
      let key: string | undefined;
      let nonce: string | undefined;
      let qop: DigestQop | undefined;
      let nc: number | undefined;
      try {
        const parsed = parseCredentials(parseAuthValue(raw));
        if (parsed.ok) {
          key = stateKey(proxy, parsed.credentials.realm);
          nonce = parsed.credentials.nonce;
          qop = parsed.credentials.qop;
          nc = parsed.credentials.nc;
        }
      } catch {
        // kept raw
      }
      out.push({ key, name, raw, nonce, qop, nc });
    }
  }
  return out;
}
