/**
 * What the INVITE and non-INVITE client transactions share (RFC 3261 section 17.1): the request
 * with its branch, the destination, the first send through the transport and the bytes kept for
 * retransmission, transport errors reported to the user (section 17.1.4), and response delivery.
 */
import type { Flow, IncomingResponse, OutgoingRequest } from '../sip/index.js';
import { type Destination, type Sent, TransportError } from '../transport/index.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { ClientTransactionFailure, ClientTransactionUser } from './types.js';

export abstract class ClientTransaction<S extends string = string> extends Transaction<S> {
  /** The request as sent (its top Via carries this transaction's branch). */
  readonly request: OutgoingRequest;
  readonly destination: Destination;
  /** The flow of the first send, once it completed. */
  protected sentFlow: Flow | undefined;
  /** The request's bytes, for retransmission; released once a final response arrived. */
  private sentBytes: Buffer | undefined;
  private retransmissionsOver = false;
  protected user: ClientTransactionUser;
  private failed = false;

  protected constructor(
    ctx: TransactionContext,
    id: string,
    initial: S,
    request: OutgoingRequest,
    destination: Destination,
    user: ClientTransactionUser,
    branch: string,
  ) {
    super(ctx, id, initial, request.method, branch, request.get('call-id'));
    this.request = request;
    this.destination = destination;
    this.user = user;
  }

  get flow(): Flow | undefined {
    return this.sentFlow;
  }

  /** True when the transport used is reliable (no retransmission timers A and E). */
  protected get reliable(): boolean {
    return (this.sentFlow?.transport ?? this.destination.transport) !== 'udp';
  }

  /** Sends the request for the first time (called by the layer right after construction). */
  start(): void {
    this.onEnter(this.state, this.state);
    this.ctx.transport.sendRequest(this.request, this.destination).then(
      (sent: Sent) => {
        this.sentFlow = sent.flow;
        if (!this.retransmissionsOver) this.sentBytes = sent.bytes;
        this.onSent();
      },
      (err: unknown) => this.transportError(err),
    );
  }

  /** Called once the first send completed (a reliable flow stops the retransmission timer). */
  protected abstract onSent(): void;

  /** Sends the request bytes again on the same flow (UDP retransmission). */
  protected retransmit(): void {
    if (this.sentBytes && this.sentFlow) this.ctx.transport.resend(this.sentBytes, this.sentFlow);
  }

  /**
   * A final response arrived: the request is never sent again, so its bytes are let go. The
   * Completed and Accepted states last up to 32 s (Timers D and M), and a loaded proxy holds
   * tens of thousands of them.
   */
  protected endRetransmissions(): void {
    this.retransmissionsOver = true;
    this.sentBytes = undefined;
  }

  /** A response matched this transaction (section 17.1.3); the layer calls this. */
  abstract receiveResponse(response: IncomingResponse): void;

  protected deliver(response: IncomingResponse): void {
    this.user.onResponse(response, this);
  }

  protected fail(failure: ClientTransactionFailure): void {
    if (this.failed) return;
    this.failed = true;
    this.user.onFailure(failure, this);
  }

  protected transportError(err: unknown): void {
    if (this.terminated) return;
    const error =
      err instanceof TransportError
        ? err
        : new TransportError('ERR_TRANSPORT_SEND', err instanceof Error ? err.message : String(err), this.destination, {
            cause: err,
          });
    this.ctx.logger.warn('transport error on client transaction', { branch: this.branch, error: error.message });
    // Section 17.1.4: inform the TU and terminate.
    this.onTransportFailure(error);
  }

  protected abstract onTransportFailure(error: TransportError): void;

  protected onTerminated(): void {
    this.user.onTerminated?.(this);
  }

  /** Replaces the user (a proxy hands a branch over to another handler). */
  setUser(user: ClientTransactionUser): void {
    this.user = user;
  }
}
