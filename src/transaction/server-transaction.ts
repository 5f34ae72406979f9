/**
 * What the INVITE and non-INVITE server transactions share (RFC 3261 section 17.2): the request,
 * responses sent back per section 18.2.2 through the transport, the last response kept for
 * retransmission, and transport errors reported to the TU (section 17.2.4).
 */
import type { Flow, IncomingRequest, OutgoingResponse } from '../sip/index.js';
import type { Sent } from '../transport/index.js';
import { TransportError } from '../transport/index.js';
import { Transaction, type TransactionContext } from './transaction.js';

/** Optional notifications for the TU that owns a server transaction. */
export interface ServerTransactionEvents {
  onTerminated?(transaction: ServerTransaction): void;
  /** A response could not be delivered (section 17.2.4). */
  onTransportError?(transaction: ServerTransaction, error: TransportError): void;
  /**
   * INVITE only: no ACK arrived for the final response (Timer H for a non-2xx, Timer L while
   * retransmitting a 2xx). For a 2xx the UAS core should end the dialog with BYE (13.3.1.4).
   */
  onAckTimeout?(transaction: ServerTransaction): void;
}

export interface RespondOptions {
  /**
   * INVITE 2xx only: retransmit the 2xx (T1 doubling up to T2) until the ACK arrives or Timer L
   * fires. This is the UAS core's duty (section 13.3.1.4), offered here so that every UA does it the
   * same way; proxies forward 2xx without it (section 16.7 step 10).
   */
  readonly retransmitUntilAck?: boolean;
}

export abstract class ServerTransaction<S extends string = string> extends Transaction<S> {
  readonly request: IncomingRequest;
  protected last: { status: number; bytes: Buffer | undefined; flow: Flow | undefined; pending: boolean } | undefined;
  protected events: ServerTransactionEvents = {};

  protected constructor(ctx: TransactionContext, id: string, initial: S, request: IncomingRequest) {
    super(ctx, id, initial, request.method, request.topVia.branch ?? '', request.get('call-id'));
    this.request = request;
  }

  get flow(): Flow | undefined {
    return this.last?.flow ?? this.request.flow;
  }

  /** The status of the last response sent, if any. */
  get lastStatus(): number | undefined {
    return this.last?.status;
  }

  /** True once a final (>= 200) response was sent. */
  get finalSent(): boolean {
    return (this.last?.status ?? 0) >= 200;
  }

  /** Sets the TU's notifications. */
  setEvents(events: ServerTransactionEvents): void {
    this.events = events;
  }

  protected get reliable(): boolean {
    return (this.request.flow?.transport ?? 'udp') !== 'udp';
  }

  /** Sends a response for this transaction. Returns false when the state does not allow it. */
  abstract respond(response: OutgoingResponse, options?: RespondOptions): boolean;

  /** A retransmission of the request matched this transaction (the layer calls this). */
  abstract receiveRetransmission(request: IncomingRequest): void;

  protected send(response: OutgoingResponse): void {
    const record: { status: number; bytes: Buffer | undefined; flow: Flow | undefined; pending: boolean } = {
      status: response.status,
      bytes: undefined,
      flow: undefined,
      pending: true,
    };
    this.last = record;
    this.ctx.transport.sendResponse(response, this.request.flow).then(
      (sent: Sent) => {
        if (this.resendsLast()) record.bytes = sent.bytes;
        record.flow = sent.flow;
        record.pending = false;
      },
      (err: unknown) => {
        record.pending = false;
        this.transportError(err);
      },
    );
  }

  /**
   * Whether the last response may be sent again (asked once its send completed, after respond()
   * returned): when not, its bytes are let go rather than held through the wait state.
   */
  protected resendsLast(): boolean {
    return true;
  }

  /** Lets go of the last response's bytes once resendsLast() turned false. */
  protected releaseLastBytes(): void {
    if (this.last !== undefined && !this.resendsLast()) this.last.bytes = undefined;
  }

  /** Sends the last response again (a retransmitted request, or Timer G). */
  protected resendLast(): void {
    const last = this.last;
    if (last?.bytes && last.flow) this.ctx.transport.resend(last.bytes, last.flow);
  }

  private transportError(err: unknown): void {
    if (this.terminated) return;
    const error =
      err instanceof TransportError
        ? err
        : new TransportError(
            'ERR_TRANSPORT_SEND',
            err instanceof Error ? err.message : String(err),
            this.request.flow,
            {
              cause: err,
            },
          );
    this.ctx.logger.warn('transport error on server transaction', { branch: this.branch, error: error.message });
    // Section 17.2.4: "the server transaction ... MUST inform the TU and ... transition to the
    // Terminated state" when the response cannot be delivered.
    this.events.onTransportError?.(this, error);
    this.abort();
  }

  protected onTerminated(): void {
    this.events.onTerminated?.(this);
  }
}
