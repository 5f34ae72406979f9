/**
 * The phone's RequestAuthenticator (the interface ua/ declares) on top of the auth layer's
 * DigestClient: a 401 from the registrar or a 407 from the proxy (RFC 3261 sections 22.2, 22.3)
 * is answered with credentials for the configured account, and credentials cached from earlier
 * challenges go up front on later requests (nc=00000002, ...) within the scope RFC 3261 allows,
 * and only on the re-REGISTERs and on the requests of a call that was challenged (its Call-ID),
 * with the kind of credentials that call was asked for: a new call's INVITE leaves without any,
 * as in the seeds (B-19 step 1: INVITE, then 407, then the INVITE with credentials). The auth
 * layer's scope also covers any request to the registrar's host, which for a domain AOR is every
 * call to a colleague: the proxy forwards an Authorization header untouched, so the callee would
 * receive the registrar's credentials.
 * A challenge after our own credentials means the password is wrong: the request then fails with
 * the 401/407 instead of looping.
 */
import { type ChallengeFailureReason, DigestClient } from '../../auth/index.js';
import type { IncomingResponse, OutgoingRequest } from '../../sip/index.js';
import type { RequestAuthenticator } from '../../ua/index.js';

const MAX_CHALLENGED_CALLS = 64;

type CredentialsHeader = 'authorization' | 'proxy-authorization';

export interface DigestAccount {
  readonly username: string;
  readonly password: string;
  /** Realms this account is for; default: any realm that challenges us. */
  readonly realms?: readonly string[];
}

export class DigestAuthenticator implements RequestAuthenticator {
  private readonly client: DigestClient;
  /**
   * Calls (Call-IDs) whose requests we answered a challenge for, with the header the challenge
   * asked for (401: Authorization, 407: Proxy-Authorization); bounded, oldest forgotten first.
   */
  private readonly challenged = new Map<string, Set<CredentialsHeader>>();
  /** Why the last challenge could not be answered (for the phone's registration/call events). */
  lastFailure: { readonly reason: ChallengeFailureReason; readonly realm: string | undefined } | undefined;

  constructor(account: DigestAccount, options: { outboundProxyRealms?: readonly string[] } = {}) {
    this.client = new DigestClient({
      credentials: (realm) =>
        account.realms === undefined || account.realms.includes(realm)
          ? { username: account.username, password: account.password }
          : undefined,
      ...(options.outboundProxyRealms ? { outboundProxyRealms: options.outboundProxyRealms } : {}),
    });
  }

  authorize(request: OutgoingRequest, challenge: IncomingResponse): boolean {
    const r = this.client.handleChallenge(request, challenge);
    if (!r.retry) {
      this.lastFailure = { reason: r.reason, realm: r.realm };
      return false;
    }
    this.lastFailure = undefined;
    this.remember(request.callId, challenge.status === 407 ? 'proxy-authorization' : 'authorization');
    request.remove('authorization');
    request.remove('proxy-authorization');
    request.copyFrom(r.request, 'authorization');
    request.copyFrom(r.request, 'proxy-authorization');
    return true;
  }

  preauthorize(request: OutgoingRequest): void {
    if (request.method === 'REGISTER') {
      this.client.authorize(request);
      return;
    }
    const asked = this.challenged.get(request.callId);
    if (asked === undefined) return;
    // Within a challenged call, only the kind of credentials that call was asked for (a BYE after
    // the proxy's 407 carries Proxy-Authorization, not the registrar's Authorization).
    const probe = request.clone();
    if (this.client.authorize(probe) === 0) return;
    for (const name of asked) if (!request.has(name)) request.copyFrom(probe, name);
  }

  private remember(callId: string, header: CredentialsHeader): void {
    const asked = this.challenged.get(callId) ?? new Set<CredentialsHeader>();
    asked.add(header);
    this.challenged.delete(callId);
    this.challenged.set(callId, asked);
    if (this.challenged.size > MAX_CHALLENGED_CALLS) {
      const oldest = this.challenged.keys().next();
      if (!oldest.done) this.challenged.delete(oldest.value);
    }
  }
}
