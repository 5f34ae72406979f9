/**
 * What the transaction layer tells the layers above it (the transaction users: UA core, proxy
 * core, registrar), declared here so that the lower layer calls upward only through interfaces
 * it owns (ARCHITECTURE.md principle 12). Locally generated failures are distinct from wire
 * responses: a timeout or a transport error is a ClientTransactionFailure, not a fake 408/503
 * message, although each names the status section 8.1.3.1 says to treat it as.
 */
import type { IncomingRequest, IncomingResponse } from '../sip/index.js';
import type { TransportError } from '../transport/index.js';
import { SwitchboardError } from '../util/errors.js';
import type { ClientTransaction } from './client-transaction.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';

export type ClientTransactionFailure =
  /** Timer B or F fired: treat as 408 Request Timeout (section 8.1.3.1). */
  | { readonly kind: 'timeout'; readonly status: 408 }
  /** The transport could not deliver the request: treat as 503 Service Unavailable (section 8.1.3.1). */
  | { readonly kind: 'transport'; readonly status: 503; readonly error: TransportError };

/** The user of one client transaction. */
export interface ClientTransactionUser {
  /**
   * Every response the transaction passes up: provisional and final responses, and for an INVITE
   * in the Accepted state (RFC 6026) every further 2xx (retransmissions and other forks), which the
   * TU must acknowledge.
   */
  onResponse(response: IncomingResponse, transaction: ClientTransaction): void;
  /** The request failed locally (timeout, transport error). No final response will follow. */
  onFailure(failure: ClientTransactionFailure, transaction: ClientTransaction): void;
  /** The transaction reached Terminated and was destroyed. */
  onTerminated?(transaction: ClientTransaction): void;
}

/** The user of the server side: receives every new request. */
export interface TransactionUser {
  /** A new request (not ACK, not a retransmission). Respond through `transaction.respond(...)`. */
  onRequest(request: IncomingRequest, transaction: ServerTransaction): void;
  /**
   * An ACK that matched no INVITE server transaction in the Completed state: the ACK of a 2xx
   * (section 13.3.1.4; a new transaction of its own), or a stray ACK. When it acknowledges a 2xx
   * sent by a transaction of this layer, that transaction is given and has stopped retransmitting.
   */
  onAck?(ack: IncomingRequest, acknowledged: InviteServerTransaction | undefined): void;
  /**
   * A CANCEL matched a pending INVITE server transaction (section 9.2). The layer has already
   * answered the CANCEL with 200; the TU should answer the INVITE with 487 if it has not sent a
   * final response. CANCELs that match nothing arrive through onRequest like other requests
   * (a UA answers 481, a proxy forwards them statelessly, section 16.10).
   */
  onCancel?(invite: InviteServerTransaction, cancel: IncomingRequest): void;
  /** A response that matched no client transaction (section 17.1.3 / 18.1.2). */
  onStrayResponse?(response: IncomingResponse): void;
}

/** Thrown when a TU uses a transaction in a way its state does not allow (a bug in the caller). */
export class TransactionStateError extends SwitchboardError {
  constructor(message: string) {
    super('ERR_TRANSACTION_STATE', message);
  }
}
