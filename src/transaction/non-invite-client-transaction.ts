/**
 * The non-INVITE client transaction (RFC 3261 section 17.1.2).
 *
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 *                 200-699         |  |                         |
 *                 resp. to TU     |  |1xx                      |
 *                 +---------------+  |resp. to TU              |
 *                 |                  |                         |
 *                 |   Timer E        V       Timer F           |
 *                 |   send req +-----------+ or Transport Err. |
 *                 |  +---------|           | inform TU         |
 *                 |  |         |Proceeding |------------------>|
 *                 |  +-------->|           |-----+             |
 *                 |            +-----------+     |1xx          |
 *                 |              |      ^        |resp to TU   |
 *                 | 200-699      |      +--------+             |
 *                 | resp. to TU  |                             |
 *                 |              |                             |
 *                 |              V                             |
 *                 |            +-----------+                   |
 *                 |            |           |                   |
 *                 |            | Completed |                   |
 *                 |            |           |                   |
 *                 |            +-----------+                   |
 *                 |              ^   |                         |
 *                 |              |   | Timer K                 |
 *                 +--------------+   | -                       |
 *                                    |                         |
 *                                    V                         |
 *              NOTE:           +-----------+                   |
 *                              |           |                   |
 *          transitions         | Terminated|<------------------+
 *          labeled with        |           |
 *          the event           +-----------+
 *          over the action
 *          to take
 */
import type { IncomingResponse, OutgoingRequest } from '../sip/index.js';
import type { Destination, TransportError } from '../transport/index.js';
import { ClientTransaction } from './client-transaction.js';
import { type TimerName, timerValues } from './timers.js';
import type { TransactionContext } from './transaction.js';
import type { ClientTransactionUser } from './types.js';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteClientTransaction extends ClientTransaction<NonInviteClientState> {
  readonly kind = 'NICT' as const;
  protected readonly transitions = {
    Trying: ['Proceeding', 'Completed', 'Terminated'],
    Proceeding: ['Completed', 'Terminated'],
    Completed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<NonInviteClientState, readonly NonInviteClientState[]>;

  private intervalE: number;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: OutgoingRequest,
    destination: Destination,
    user: ClientTransactionUser,
    branch: string,
  ) {
    super(ctx, id, 'Trying', request, destination, user, branch);
    this.intervalE = ctx.timers.T1;
  }

  protected onEnter(state: NonInviteClientState): void {
    const t = timerValues(this.ctx.timers, this.reliable);
    switch (state) {
      case 'Trying':
        // "If an unreliable transport is in use, the client transaction MUST set timer E to fire
        // in T1 seconds" and "timer F to fire in 64*T1 seconds" (17.1.2.2).
        if (this.destination.transport === 'udp') this.startTimer('E', this.intervalE);
        this.startTimer('F', t.F);
        break;
      case 'Completed':
        this.stopTimer('E');
        this.stopTimer('F');
        this.endRetransmissions();
        // "it MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds
        // for reliable transports."
        this.startTimer('K', t.K);
        break;
      default:
        break;
    }
  }

  protected onSent(): void {
    if (this.reliable) this.stopTimer('E');
  }

  protected onTimer(timer: TimerName | 'Cancel'): void {
    switch (timer) {
      case 'E': {
        if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
        this.retransmit();
        // Trying: "reset it with a value of MIN(2*T1, T2)", doubling each time up to T2.
        // Proceeding: "the timer is reset ... with a value of T2 seconds".
        this.intervalE =
          this.state === 'Trying' ? Math.min(2 * this.intervalE, this.ctx.timers.T2) : this.ctx.timers.T2;
        this.rearmTimer('E', this.intervalE);
        break;
      }
      case 'F':
        // "If Timer F fires while the client transaction is still in the Trying state, the
        // client transaction SHOULD inform the TU about the timeout" (same in Proceeding).
        this.fail({ kind: 'timeout', status: 408 });
        this.transition('Terminated');
        break;
      case 'K':
        this.transition('Terminated');
        break;
      default:
        break;
    }
  }

  receiveResponse(response: IncomingResponse): void {
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return; // Completed: absorbed
    if (response.status < 200) {
      this.transition('Proceeding');
      this.deliver(response);
      return;
    }
    this.transition('Completed');
    this.deliver(response);
  }

  protected onTransportFailure(error: TransportError): void {
    if (this.state === 'Trying' || this.state === 'Proceeding') this.fail({ kind: 'transport', status: 503, error });
    this.transition('Terminated');
  }
}
