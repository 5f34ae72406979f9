/**
 * The non-INVITE server transaction (RFC 3261 section 17.2.2).
 *
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             |           |
 *                             | Trying    |-------------+
 *                             |           |             |
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                                   |                   |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *             +<--------------|           |             |
 *             |Trnsprt Err    +-----------+             |
 *             |Inform TU            |                   |
 *             |                     |                   |
 *             |                     |200-699 from TU    |
 *             |                     |send response      |
 *             |  Request            V                   |
 *             |  send response+-----------+             |
 *             |      +--------|           |             |
 *             |      |        | Completed |<------------+
 *             |      +------->|           |
 *             +<--------------|           |
 *             |Trnsprt Err    +-----------+
 *             |Inform TU            |
 *             |                     |Timer J fires
 *             |                     |-
 *             |                     |
 *             |                     V
 *             |               +-----------+
 *             |               |           |
 *             +-------------->| Terminated|
 *                             |           |
 *                             +-----------+
 */
import type { IncomingRequest, OutgoingResponse } from '../sip/index.js';
import { ServerTransaction } from './server-transaction.js';
import { type TimerName, timerValues } from './timers.js';
import type { TransactionContext } from './transaction.js';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteServerTransaction extends ServerTransaction<NonInviteServerState> {
  readonly kind = 'NIST' as const;
  protected readonly transitions = {
    Trying: ['Proceeding', 'Completed', 'Terminated'],
    Proceeding: ['Completed', 'Terminated'],
    Completed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<NonInviteServerState, readonly NonInviteServerState[]>;

  constructor(ctx: TransactionContext, id: string, request: IncomingRequest) {
    super(ctx, id, 'Trying', request);
    // Not in the RFC: a TU that never answers would leave the transaction forever. After 64*T1
    // the client has given up (its Timer F), so nothing is lost by forgetting the request then.
    this.startTimer('F', 64 * ctx.timers.T1);
  }

  protected onEnter(state: NonInviteServerState): void {
    // "When the server transaction enters the 'Completed' state, it MUST set Timer J to fire in
    // 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    if (state === 'Completed') {
      this.stopTimer('F');
      this.startTimer('J', timerValues(this.ctx.timers, this.reliable).J);
    }
  }

  protected onTimer(timer: TimerName | 'Cancel'): void {
    if (timer === 'J') this.transition('Terminated');
    else if (timer === 'F' && (this.state === 'Trying' || this.state === 'Proceeding')) {
      this.ctx.logger.warn('no final response from the transaction user; forgetting the request', {
        method: this.method,
        branch: this.branch,
      });
      this.transition('Terminated');
    }
  }

  respond(response: OutgoingResponse): boolean {
    if (this.state === 'Completed' || this.state === 'Terminated') return false;
    this.send(response);
    this.transition(response.status < 200 ? 'Proceeding' : 'Completed');
    return true;
  }

  receiveRetransmission(_request: IncomingRequest): void {
    // Trying: "any retransmissions of the request received while in this state MUST be
    // discarded". Proceeding and Completed: the last response is sent again.
    if (this.state === 'Proceeding' || this.state === 'Completed') this.resendLast();
  }
}
