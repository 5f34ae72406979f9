/**
 * A registrar on its own (`switchboard registrar`): the transaction user that answers REGISTER
 * through the Registrar, OPTIONS sent to the registrar itself with 200, and anything else with
 * 405 and Allow (section 8.2.1: a UAS that does not implement a method it recognises). A
 * `server` runs the Registrar behind the proxy instead (server-dispatcher.ts).
 */
import { type IncomingRequest, responseTo } from '../../sip/index.js';
import type { ServerTransaction, TransactionUser } from '../../transaction/index.js';
import type { Registrar } from './registrar.js';

const ALLOW = 'REGISTER, OPTIONS';

export class RegistrarService implements TransactionUser {
  constructor(private readonly registrar: Registrar) {}

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    if (request.method === 'REGISTER') {
      void this.registrar.handle(request, tx);
      return;
    }
    if (request.method === 'OPTIONS' && request.uri.kind === 'sip' && request.uri.user === undefined) {
      tx.respond(
        responseTo(request, 200, {
          headers: [
            ['Allow', ALLOW],
            ['Accept', 'application/sdp'],
          ],
        }),
      );
      return;
    }
    // A CANCEL that matched nothing (a pending INVITE is never ours) gets 481 (section 9.2).
    if (request.method === 'CANCEL') {
      tx.respond(responseTo(request, 481));
      return;
    }
    tx.respond(responseTo(request, 405, { headers: [['Allow', ALLOW]] }));
  }
}
