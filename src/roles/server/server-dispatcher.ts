/**
 * The transaction user of `switchboard server`: one transaction layer, one port, the registrar
 * and the proxy behind it, as Kamailio's default configuration does it (`if
 * (is_method("REGISTER")) { save("location"); exit; }` before routing). A REGISTER whose
 * Request-URI is one of our domains, and that no foreign Route sends elsewhere, goes to the
 * registrar (RFC 3261 section 10.3 step 1); everything else — including REGISTERs for other
 * domains, which "the server SHOULD forward" — goes to the proxy.
 */
import type { IncomingRequest, IncomingResponse } from '../../sip/index.js';
import type { InviteServerTransaction, ServerTransaction, TransactionUser } from '../../transaction/index.js';
import type { SipProxy } from '../proxy/index.js';
import type { Registrar } from '../registrar/index.js';

export class ServerDispatcher implements TransactionUser {
  constructor(
    private readonly proxy: SipProxy,
    private readonly registrar: Registrar,
  ) {}

  private forRegistrar(request: IncomingRequest): boolean {
    if (request.method !== 'REGISTER' || !this.registrar.servesRequestUri(request.uri)) return false;
    const routes = request.tryGet('route');
    return routes.ok && routes.value.every((r) => this.proxy.myself.isOwnUri(r.uri));
  }

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    if (this.forRegistrar(request)) void this.registrar.handle(request, tx);
    else this.proxy.onRequest(request, tx);
  }

  onAck(ack: IncomingRequest, acknowledged: InviteServerTransaction | undefined): void {
    this.proxy.onAck(ack, acknowledged);
  }

  onCancel(invite: InviteServerTransaction, cancel: IncomingRequest): void {
    this.proxy.onCancel(invite, cancel);
  }

  onStrayResponse(response: IncomingResponse): void {
    this.proxy.onStrayResponse(response);
  }
}
