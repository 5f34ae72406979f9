/**
 * The INVITE server transaction (RFC 3261 section 17.2.1, with the RFC 6026 Accepted state).
 *
 *                                |INVITE
 *                                |pass INV to TU
 *             INVITE             V send 100 if TU won't in 200 ms
 *             send response+-----------+
 *                 +--------|           |--------+ 101-199 from TU
 *                 |        |           |        | send response
 *                 +------->|           |<-------+
 *                          | Proceeding|
 *                          |           |--------+ Transport Err.
 *                          |           |        | Inform TU
 *                          |           |<-------+
 *                          +-----------+
 *             300-699 from TU |     |2xx from TU
 *             send response   |     |send response
 *                             |     +------------------> Accepted (RFC 6026)
 *             INVITE          V          Timer G fires    INVITE: absorbed
 *             send response+-----------+ send response    2xx from TU: send
 *                 +--------|           |--------+         ACK: to TU
 *                 |        | Completed |        |         Timer L: Terminated
 *                 +------->|           |<-------+
 *                          +-----------+
 *                             |     ^
 *                             |     |
 *                             |     +-------> Terminated on Timer H (inform TU)
 *                             |ACK          or Transport Err.
 *                             |-
 *                             V
 *                          +-----------+
 *                          | Confirmed |   ACK: absorbed
 *                          +-----------+
 *                                | Timer I fires
 *                                V
 *                          +-----------+
 *                          | Terminated|
 *                          +-----------+
 */
import { type IncomingRequest, type OutgoingResponse, responseTo } from '../sip/index.js';
import { type RespondOptions, ServerTransaction } from './server-transaction.js';
import { type TimerName, timerValues } from './timers.js';
import type { TransactionContext } from './transaction.js';

export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

/** The layer's table of transactions waiting for the ACK of a 2xx they retransmit. */
export interface AckWaitRegistry {
  waitForAck(key: string, transaction: InviteServerTransaction): void;
  stopWaiting(key: string): void;
}

export class InviteServerTransaction extends ServerTransaction<InviteServerState> {
  readonly kind = 'IST' as const;
  protected readonly transitions = {
    Proceeding: ['Completed', 'Accepted', 'Terminated'],
    Completed: ['Confirmed', 'Terminated'],
    Confirmed: ['Terminated'],
    Accepted: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<InviteServerState, readonly InviteServerState[]>;

  private intervalG: number;
  private retransmitting2xx: { key: string } | undefined;
  private acked = false;
  private cancelled = false;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: IncomingRequest,
    private readonly ackWaits: AckWaitRegistry,
    tryingDelayMs: number,
  ) {
    super(ctx, id, 'Proceeding', request);
    this.intervalG = ctx.timers.T1;
    // "the server transaction MUST generate a 100 (Trying) response unless it knows that the TU
    // will generate a provisional or final response within 200 ms" (17.2.1).
    if (tryingDelayMs <= 0) this.sendTrying();
    else this.startTimer('Trying', tryingDelayMs);
  }

  /** True once a CANCEL matched this transaction (section 9.2). */
  get cancelRequested(): boolean {
    return this.cancelled;
  }

  /** Marks the transaction cancelled (the layer calls this when a CANCEL matches). */
  markCancelled(): void {
    this.cancelled = true;
  }

  /** True once the ACK of a 2xx this transaction retransmitted has arrived. */
  get ackReceived(): boolean {
    return this.acked;
  }

  private sendTrying(): void {
    if (this.last === undefined && this.state === 'Proceeding') this.send(responseTo(this.request, 100));
  }

  protected onEnter(state: InviteServerState): void {
    const t = timerValues(this.ctx.timers, this.reliable);
    switch (state) {
      case 'Completed':
        // "For unreliable transports, timer G is set to fire in T1 seconds ... When the 'Completed'
        // state is entered, timer H MUST be set to fire in 64*T1 seconds for all transports."
        this.stopTimer('Trying');
        if (!this.reliable) this.startTimer('G', this.intervalG);
        this.startTimer('H', t.H);
        break;
      case 'Confirmed':
        this.stopTimer('G');
        this.stopTimer('H');
        // "timer I is set to fire in T4 seconds for unreliable transports, and zero seconds for
        // reliable transports."
        this.startTimer('I', t.I);
        break;
      case 'Accepted':
        this.stopTimer('Trying');
        // RFC 6026 section 7.1: "the server transaction MUST start timer L with a value of 64*T1".
        this.startTimer('L', t.L);
        break;
      default:
        break;
    }
  }

  protected onTimer(timer: TimerName | 'Cancel'): void {
    switch (timer) {
      case 'Trying':
        this.sendTrying();
        break;
      case 'G':
        if (this.state === 'Completed') {
          // "the response is passed to the transport layer once more for retransmission, and timer
          // G is set to fire in MIN(2*T1, T2) seconds. From then on, when timer G fires, the
          // response is passed to the transport again ... MIN(2*T1, T2)".
          this.resendLast();
          this.intervalG = Math.min(2 * this.intervalG, this.ctx.timers.T2);
          this.rearmTimer('G', this.intervalG);
        } else if (this.state === 'Accepted' && this.retransmitting2xx) {
          // Section 13.3.1.4: the UAS core retransmits the 2xx at T1, doubling up to T2.
          this.resendLast();
          this.intervalG = Math.min(2 * this.intervalG, this.ctx.timers.T2);
          this.rearmTimer('G', this.intervalG);
        }
        break;
      case 'H':
        // "If timer H fires while in the 'Completed' state, it implies that the ACK was never
        // received. In this case, the server transaction MUST transition to the 'Terminated'
        // state, and MUST indicate to the TU that a transaction failure has occurred."
        this.events.onAckTimeout?.(this);
        this.transition('Terminated');
        break;
      case 'I':
        this.transition('Terminated');
        break;
      case 'L':
        if (this.retransmitting2xx && !this.acked) this.events.onAckTimeout?.(this);
        this.transition('Terminated');
        break;
      default:
        break;
    }
  }

  respond(response: OutgoingResponse, options: RespondOptions = {}): boolean {
    const status = response.status;
    switch (this.state) {
      case 'Proceeding':
        this.stopTimer('Trying');
        this.send(response);
        if (status < 200) return true;
        if (status < 300) {
          this.transition('Accepted');
          if (options.retransmitUntilAck) this.startRetransmitting2xx(response);
        } else this.transition('Completed');
        return true;
      case 'Accepted':
        // RFC 6026 section 7.1: "any 2xx response passed from the TU to the server transaction
        // MUST be passed to the transport layer for transmission" (retransmissions, other forks).
        if (status < 200 || status >= 300) return false;
        this.send(response);
        return true;
      default:
        return false;
    }
  }

  private startRetransmitting2xx(response: OutgoingResponse): void {
    // Section 13.3.1.4 asks for this over every transport: a later hop may be unreliable.
    const key = ackKeyFor(this.request, response);
    this.retransmitting2xx = { key };
    this.ackWaits.waitForAck(key, this);
    this.intervalG = this.ctx.timers.T1;
    this.startTimer('G', this.intervalG);
  }

  /** Accepted (RFC 6026): a 2xx is sent again only when the transaction retransmits it itself. */
  protected override resendsLast(): boolean {
    return this.state !== 'Accepted' || this.retransmitting2xx !== undefined;
  }

  /** The ACK of the 2xx arrived (the layer matched it by dialog identifiers). */
  receiveAckFor2xx(): void {
    this.acked = true;
    this.stopRetransmitting();
  }

  /**
   * Stops retransmitting the 2xx without an ACK: the TU knows the session is over (a BYE arrived,
   * so the UAC had the 2xx and its ACK was lost; or the call was hung up).
   */
  stopRetransmitting(): void {
    if (this.retransmitting2xx) {
      this.ackWaits.stopWaiting(this.retransmitting2xx.key);
      this.retransmitting2xx = undefined;
    }
    this.stopTimer('G');
    this.releaseLastBytes();
  }

  /** The ACK of a non-2xx final response matched this transaction (section 17.2.3). */
  receiveAck(): void {
    // "If an ACK is received while the server transaction is in the 'Completed' state, the server
    // transaction MUST transition to the 'Confirmed' state." In Confirmed, ACKs are absorbed.
    if (this.state === 'Completed') this.transition('Confirmed');
  }

  receiveRetransmission(_request: IncomingRequest): void {
    // Proceeding: "the most recent provisional response ... MUST be passed to the transport
    // layer for retransmission". Completed: the final response again. Accepted: absorbed.
    if (this.state === 'Proceeding' || this.state === 'Completed') this.resendLast();
  }

  protected override onTerminated(): void {
    if (this.retransmitting2xx) this.ackWaits.stopWaiting(this.retransmitting2xx.key);
    super.onTerminated();
  }
}

function ackKeyFor(request: IncomingRequest, response: OutgoingResponse): string {
  return [request.callId, request.cseq.seq, request.fromTag ?? '', response.toTag ?? ''].join('\u0000');
}
