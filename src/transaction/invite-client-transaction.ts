/**
 * The INVITE client transaction (RFC 3261 section 17.1.1, with the RFC 6026 Accepted state).
 *
 *                                |INVITE from TU
 *              Timer A fires     |INVITE sent
 *              Reset A,          V                      Timer B fires
 *              INVITE sent +-----------+                or Transport Err.
 *                +---------|           |---------------+inform TU
 *                |         |  Calling  |               |
 *                +-------->|           |-------------->|
 *                          +-----------+ 2xx           |
 *                             |  |       2xx to TU     |
 *                             |  |1xx                  |
 *     300-699 +---------------+  |1xx to TU            |
 *    ACK sent |                  |                     |
 * resp. to TU |  1xx             V                     |
 *             |  1xx to TU  -----------+               |
 *             |  +---------|           |               |
 *             |  |         |Proceeding |-------------->|
 *             |  +-------->|           | 2xx           |
 *             |            +-----------+ 2xx to TU     |
 *             |       300-699    |                     |
 *             |       ACK sent,  |                     |
 *             |       resp. to TU|                     |
 *             |                  |                     |
 *             |  300-699         V                     |
 *             |  ACK sent  +-----------+Transport Err. |
 *             |  +---------|           |Inform TU      |
 *             |  |         | Completed |-------------->|
 *             |  +-------->|           |               |
 *             |            +-----------+               |
 *             |              ^   |                     |
 *             |              |   | Timer D fires       |
 *             +--------------+   | -                   |
 *                                V                     |
 *         2xx (RFC 6026)   +-----------+               |
 *   Calling/Proceeding --> | Accepted  | 2xx to TU     |
 *                          +-----------+               |
 *                                | Timer M fires       |
 *                                V                     |
 *                          +-----------+               |
 *                          | Terminated|<--------------+
 *                          +-----------+
 *
 * CANCEL (section 9.1) is sent by this transaction on request of the TU, but not before a
 * provisional response has arrived; if no final response follows within 64*T1 the transaction
 * gives up as if Timer B had fired.
 */
import { ackForNon2xx, cancelFor, type IncomingResponse, type OutgoingRequest } from '../sip/index.js';
import type { Destination, TransportError } from '../transport/index.js';
import { flowDestination } from '../transport/index.js';
import { ClientTransaction } from './client-transaction.js';
import { type TimerName, type TimerValues, timerValues } from './timers.js';
import type { TransactionContext } from './transaction.js';
import type { ClientTransactionUser } from './types.js';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

/** Sends a CANCEL in its own non-INVITE client transaction (provided by the layer). */
export type CancelSender = (cancel: OutgoingRequest, destination: Destination) => void;

export class InviteClientTransaction extends ClientTransaction<InviteClientState> {
  readonly kind = 'ICT' as const;
  protected readonly transitions = {
    Calling: ['Proceeding', 'Completed', 'Accepted', 'Terminated'],
    Proceeding: ['Completed', 'Accepted', 'Terminated'],
    Completed: ['Terminated'],
    Accepted: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<InviteClientState, readonly InviteClientState[]>;

  private intervalA: number;
  private cancelWanted: { reason: string | undefined } | undefined;
  private cancelSent = false;
  private ackBytes: Buffer | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: OutgoingRequest,
    destination: Destination,
    user: ClientTransactionUser,
    branch: string,
    private readonly sendCancelRequest: CancelSender,
  ) {
    super(ctx, id, 'Calling', request, destination, user, branch);
    this.intervalA = ctx.timers.T1;
  }

  private get t(): TimerValues {
    return timerValues(this.ctx.timers, this.reliable);
  }

  protected onEnter(state: InviteClientState): void {
    switch (state) {
      case 'Calling':
        // "If an unreliable transport is being used, the client transaction MUST start timer A
        // with a value of T1 ... For any transport, the client transaction MUST start timer B
        // with a value of 64*T1 seconds" (17.1.1.2).
        if (this.destination.transport === 'udp') this.startTimer('A', this.intervalA);
        this.startTimer('B', this.t.B);
        break;
      case 'Proceeding':
        // RFC 6026 section 8.4: Timer B no longer applies once a provisional response arrived.
        this.stopTimer('A');
        this.stopTimer('B');
        break;
      case 'Completed':
        this.stopTimer('A');
        this.stopTimer('B');
        this.stopTimer('Cancel');
        this.endRetransmissions();
        // "The client transaction SHOULD start timer D ... at least 32 seconds for unreliable
        // transports, and ... zero seconds for reliable transports."
        this.startTimer('D', this.t.D);
        break;
      case 'Accepted':
        this.stopTimer('A');
        this.stopTimer('B');
        this.stopTimer('Cancel');
        this.endRetransmissions();
        // RFC 6026 section 8.4: "start timer M with a value of 64*T1".
        this.startTimer('M', this.t.M);
        break;
      default:
        break;
    }
  }

  protected onSent(): void {
    if (this.reliable) this.stopTimer('A');
  }

  protected onTimer(timer: TimerName | 'Cancel'): void {
    switch (timer) {
      case 'A':
        if (this.state !== 'Calling') return;
        // "When timer A fires, the client transaction MUST retransmit the request ... and reset
        // the timer with a value of 2*T1" (17.1.1.2): no cap for INVITE requests.
        this.retransmit();
        this.intervalA *= 2;
        this.rearmTimer('A', this.intervalA);
        break;
      case 'B':
        if (this.state !== 'Calling') return;
        // "If timer B fires while in the Calling state, the client transaction SHOULD inform the
        // TU that a timeout has occurred."
        this.fail({ kind: 'timeout', status: 408 });
        this.transition('Terminated');
        break;
      case 'Cancel':
        // Section 9.1: "If no final response has been received after 64*T1 seconds, the client
        // SHOULD then consider the original transaction cancelled".
        if (this.state === 'Proceeding' || this.state === 'Calling') {
          this.fail({ kind: 'timeout', status: 408 });
          this.transition('Terminated');
        }
        break;
      case 'D':
      case 'M':
        this.transition('Terminated');
        break;
      default:
        break;
    }
  }

  receiveResponse(response: IncomingResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) {
          this.transition('Proceeding');
          this.deliver(response);
          if (this.cancelWanted && !this.cancelSent) this.sendCancel();
        } else if (status < 300) {
          this.transition('Accepted');
          this.deliver(response);
        } else {
          // "the client transaction MUST transition to the Completed state ... MUST generate an
          // ACK request ... and pass the received response up to the TU" (17.1.1.2).
          this.sendAck(response);
          this.transition('Completed');
          this.deliver(response);
        }
        break;
      case 'Completed':
        // "Any retransmissions of the final response that are received while in the Completed
        // state MUST cause the ACK to be re-passed to the transport layer for retransmission, but
        // the newly received response MUST NOT be passed up to the TU."
        if (status >= 300) this.resendAck();
        break;
      case 'Accepted':
        // RFC 6026 section 8.4: 2xx responses in the Accepted state are passed to the TU.
        if (status >= 200 && status < 300) this.deliver(response);
        break;
      default:
        break;
    }
  }

  private sendAck(response: IncomingResponse): void {
    const ack = ackForNon2xx(this.request, response);
    const flow = this.sentFlow;
    if (!flow) return;
    // "The ACK MUST be sent to the same address, port, and transport to which the original
    // request was sent" (17.1.1.3): pinned to the INVITE's flow. Its bytes are kept so that
    // retransmitted final responses get the same ACK again.
    this.ctx.transport.sendRequest(ack, flowDestination(flow)).then(
      (sent) => {
        this.ackBytes = sent.bytes;
      },
      (err: unknown) => this.ctx.logger.warn('ACK not sent', { branch: this.branch, error: String(err) }),
    );
  }

  private resendAck(): void {
    if (this.ackBytes && this.sentFlow) this.ctx.transport.resend(this.ackBytes, this.sentFlow);
  }

  /**
   * Asks for the INVITE to be cancelled (section 9.1). Returns false when it is too late (a final
   * response has arrived). The CANCEL goes out at once if a provisional response was received,
   * otherwise as soon as one arrives.
   */
  cancel(reason?: string): boolean {
    if (this.state !== 'Calling' && this.state !== 'Proceeding') return false;
    if (this.cancelWanted) return true;
    this.cancelWanted = { reason };
    if (this.state === 'Proceeding') this.sendCancel();
    return true;
  }

  get cancelRequested(): boolean {
    return this.cancelWanted !== undefined;
  }

  private sendCancel(): void {
    this.cancelSent = true;
    const cancel = cancelFor(this.request, this.cancelWanted?.reason);
    const flow = this.sentFlow;
    const destination = flow
      ? {
          transport: flow.transport,
          address: flow.remoteAddress,
          port: flow.remotePort,
          hostname: this.destination.hostname,
        }
      : this.destination;
    this.sendCancelRequest(cancel, destination);
    this.startTimer('Cancel', 64 * this.ctx.timers.T1);
  }

  protected onTransportFailure(error: TransportError): void {
    if (this.state === 'Calling' || this.state === 'Proceeding') this.fail({ kind: 'transport', status: 503, error });
    this.transition('Terminated');
  }
}
