/**
 * The phone's RequestAuthenticator (the interface ua/ declares) on top of the auth layer's
 * DigestClient: a 401 from the registrar or a 407 from the proxy (RFC 3261 sections 22.2, 22.3)
 * is answered with credentials for the configured account, and credentials cached from earlier
 * challenges go up front on later requests (nc=00000002, ...) within the scope RFC 3261 allows.
 * A challenge after our own credentials means the password is wrong: the request then fails with
 * the 401/407 instead of looping.
 */
import { type ChallengeFailureReason, DigestClient } from '../../auth/index.js';
import type { IncomingResponse, OutgoingRequest } from '../../sip/index.js';
import type { RequestAuthenticator } from '../../ua/index.js';

export interface DigestAccount {
  readonly username: string;
  readonly password: string;
  /** Realms this account is for; default: any realm that challenges us. */
  readonly realms?: readonly string[];
}

export class DigestAuthenticator implements RequestAuthenticator {
  private readonly client: DigestClient;
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
    request.remove('authorization');
    request.remove('proxy-authorization');
    request.copyFrom(r.request, 'authorization');
    request.copyFrom(r.request, 'proxy-authorization');
    return true;
  }

  preauthorize(request: OutgoingRequest): void {
    this.client.authorize(request);
  }
}
