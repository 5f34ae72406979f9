/**
 * One branch of a stateful proxy (RFC 3261 section 16.6 steps 1-11): a copy of the request sent
 * to one target in its own client transaction, with
 * - the Request-URI set to the target (step 2), the target's Path as Route (RFC 3327), our
 *   Record-Route (step 4, double when the transport changes), onBranch hooks (step 5),
 *   Max-Breadth (RFC 5393 section 5.3), and a branch parameter carrying the loop hash (step 8);
 * - next-hop failover: "If the transport fails or the request times out or a 503 comes back, the
 *   next destination" (RFC 3263 section 4.3), each in a new client transaction;
 * - Timer C (section 16.8): "set for each client transaction when an INVITE request is proxied
 *   ... larger than 3 minutes", reset by every 101-199 response; on expiry a branch that saw a
 *   provisional response is CANCELled, one that did not counts as a 408;
 * - a ring timeout (Kamailio's fr_inv_timer): no final answer in time counts as 408 at once and
 *   the branch is CANCELled; the proxy moves on to the next target (forward on no answer).
 *
 * A branch reports exactly one final result to its response context; whatever arrives later
 * (the 487 of a branch we gave up on) is absorbed, except a 2xx, which is always reported
 * (section 16.7 step 5: 2xx responses to INVITE are forwarded even after a final response).
 */
import type { IncomingRequest, IncomingResponse, OutgoingRequest, TransportProtocol } from '../../sip/index.js';
import { SipUri } from '../../sip/index.js';
import type {
  ClientTransaction,
  ClientTransactionFailure,
  ClientTransactionUser,
  InviteClientTransaction,
  TransactionLayer,
} from '../../transaction/index.js';
import type { Destination, LocalEndpoint } from '../../transport/index.js';
import type { Clock, Logger, TimerHandle } from '../../util/index.js';
import { errorMessage } from '../../util/index.js';
import type { BranchResult } from './best-response.js';
import { addRecordRoute } from './route-processing.js';
import type { NextHopResolver, ProxyHooks, Target } from './types.js';

export interface BranchDeps {
  readonly transactions: TransactionLayer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolve: NextHopResolver;
  readonly endpointFor: (transport: TransportProtocol) => LocalEndpoint | undefined;
  readonly hooks: readonly ProxyHooks[];
  readonly timerCMs: number;
  readonly ringTimeoutMs: number | undefined;
}

export interface BranchEvents {
  /** A 101-199 response while the branch is live. */
  onProvisional(branch: ProxyBranch, response: IncomingResponse): void;
  /** The branch's one final result. */
  onFinal(branch: ProxyBranch, result: BranchResult): void;
  /** A 2xx after the branch's final result (another fork's 2xx, or an answer after we gave up). */
  onLate2xx(branch: ProxyBranch, response: IncomingResponse): void;
}

export interface BranchInit {
  readonly original: IncomingRequest;
  /** The request after route processing and Max-Forwards, shared by every branch (cloned here). */
  readonly base: OutgoingRequest;
  readonly target: Target;
  readonly index: number;
  /** The Via branch parameter (loop-detection hash included). */
  readonly branchId: string;
  readonly maxBreadth: number;
  readonly recordRoute: boolean;
}

export type BranchState = 'resolving' | 'calling' | 'proceeding' | 'done';

export class ProxyBranch implements ClientTransactionUser {
  #state: BranchState = 'resolving';
  #tx: ClientTransaction | undefined;
  #destinations: Destination[] = [];
  #attempt = 0;
  #cancel: { reason: string | undefined } | undefined;
  #timerC: TimerHandle | undefined;
  #ring: TimerHandle | undefined;
  readonly target: Target;
  readonly index: number;
  /** The request of the current attempt, as sent. */
  request: OutgoingRequest | undefined;

  private readonly init: Omit<BranchInit, 'base'>;
  private readonly isInvite: boolean;
  /** What each attempt copies; let go once the branch is done (its client transaction may live on). */
  #base: OutgoingRequest | undefined;

  constructor(
    private readonly deps: BranchDeps,
    private readonly events: BranchEvents,
    init: BranchInit,
  ) {
    const { base, ...rest } = init;
    this.init = rest;
    this.#base = base;
    this.isInvite = base.method === 'INVITE';
    this.target = init.target;
    this.index = init.index;
  }

  get state(): BranchState {
    return this.#state;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Resolves the next hop and sends the first attempt. */
  start(): void {
    const fixed = this.target.destination;
    if (fixed !== undefined) {
      this.#destinations = [fixed];
      this.send();
      return;
    }
    const route = this.target.route?.[0] ?? this.#base?.get('route')[0];
    const hop = route?.uri ?? this.target.uri;
    if (!(hop instanceof SipUri)) {
      this.finish({
        status: 416,
        reason: `Cannot Route To ${hop.scheme}: URI`,
        response: undefined,
        local: 'transport',
      });
      return;
    }
    this.deps.resolve(hop).then(
      (destinations) => {
        this.#destinations = destinations;
        this.send();
      },
      (err: unknown) => {
        this.deps.logger.info('next hop not resolved', { hop: hop.toString(), error: errorMessage(err) });
        this.finish({ status: 503, reason: 'Next Hop Not Resolved', response: undefined, local: 'transport' });
      },
    );
  }

  private build(base: OutgoingRequest, transport: TransportProtocol): OutgoingRequest {
    const req = base.clone();
    req.uri = this.target.uri;
    const path = this.target.route ?? [];
    if (path.length > 0) req.set('route', [...path, ...req.get('route')]);
    req.setRaw('Max-Breadth', String(this.init.maxBreadth));
    if (this.init.recordRoute) {
      addRecordRoute(req, this.deps.endpointFor, this.init.original.flow?.transport ?? 'udp', transport);
    }
    for (const h of this.deps.hooks) {
      h.onBranch?.({ original: this.init.original, request: req, target: this.target, index: this.index, transport });
    }
    return req;
  }

  private send(): void {
    if (this.#state === 'done') return;
    if (this.#cancel !== undefined) {
      this.finish({ status: 487, reason: 'Request Terminated', response: undefined, local: 'cancelled' });
      return;
    }
    const destination = this.#destinations[this.#attempt];
    const base = this.#base;
    if (destination === undefined || base === undefined) {
      this.finish({ status: 503, reason: 'No Destination', response: undefined, local: 'transport' });
      return;
    }
    const req = this.build(base, destination.transport);
    this.request = req;
    const branch = this.#attempt === 0 ? this.init.branchId : `${this.init.branchId}r${this.#attempt}`;
    this.#state = 'calling';
    this.#tx = this.deps.transactions.sendRequest(req, destination, this, { branch });
    if (this.isInvite) {
      this.#timerC?.cancel();
      this.#timerC = this.deps.clock.setTimer(this.deps.timerCMs, () => this.onTimerC());
      if (this.deps.ringTimeoutMs !== undefined && this.#ring === undefined) {
        this.#ring = this.deps.clock.setTimer(this.deps.ringTimeoutMs, () => this.onRingTimeout());
      }
    }
  }

  /** Tries the next destination (RFC 3263 section 4.3); false when there is none or we stopped. */
  private failover(): boolean {
    if (this.#cancel !== undefined || this.#attempt + 1 >= this.#destinations.length) return false;
    this.#attempt++;
    this.send();
    return true;
  }

  onResponse(response: IncomingResponse, tx: ClientTransaction): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (this.#state === 'done' || tx !== this.#tx) {
        this.events.onLate2xx(this, response);
        return;
      }
      this.finish({ status, reason: response.reason, response, local: undefined });
      return;
    }
    if (tx !== this.#tx || this.#state === 'done') return;
    if (status < 200) {
      this.#state = 'proceeding';
      if (status > 100) {
        // Section 16.7 step 2: "If the response is a provisional response [101-199], the proxy MUST reset Timer C".
        this.#timerC?.cancel();
        if (this.isInvite) this.#timerC = this.deps.clock.setTimer(this.deps.timerCMs, () => this.onTimerC());
        this.events.onProvisional(this, response);
      }
      return;
    }
    if (status === 503 && this.failover()) return;
    this.finish({ status, reason: response.reason, response, local: undefined });
  }

  onFailure(failure: ClientTransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.#tx || this.#state === 'done') return;
    if (this.failover()) return;
    if (failure.kind === 'timeout') {
      this.finish({ status: 408, reason: 'Request Timeout', response: undefined, local: 'timeout' });
    } else {
      this.finish({ status: 503, reason: 'Service Unavailable', response: undefined, local: 'transport' });
    }
  }

  private onTimerC(): void {
    this.#timerC = undefined;
    if (this.#state === 'done') return;
    // Section 16.8: "If the client transaction has received a provisional response, the proxy MUST
    // generate a CANCEL request matching that transaction. If the client transaction has not
    // received a provisional response, the proxy MUST behave as if the transaction received a 408".
    const proceeding = this.#state === 'proceeding';
    // Without a provisional response the CANCEL waits in the client transaction (section 9.1).
    this.cancelTransaction(undefined);
    if (!proceeding) this.finish({ status: 408, reason: 'Request Timeout', response: undefined, local: 'timeout' });
  }

  private onRingTimeout(): void {
    this.#ring = undefined;
    if (this.#state === 'done') return;
    this.deps.logger.info('no answer in time, cancelling the branch', {
      index: this.index,
      target: String(this.target.uri),
    });
    this.cancelTransaction('SIP;cause=408;text="No answer"');
    this.finish({ status: 408, reason: 'Request Timeout', response: undefined, local: 'no-answer' });
  }

  private cancelTransaction(reason: string | undefined): void {
    const tx = this.#tx;
    if (tx !== undefined && tx.method === 'INVITE') (tx as InviteClientTransaction).cancel(reason);
  }

  /**
   * CANCELs the branch (section 16.10; 16.7 step 10 after a 2xx). A branch that has not seen a
   * provisional response cannot send its CANCEL yet (section 9.1); with `fake487` it counts as
   * 487 at once (Kamailio cancel_b_method 0) and the CANCEL goes out when a provisional arrives.
   */
  cancel(reason: string | undefined, fake487: boolean): void {
    if (this.#state === 'done') return;
    this.#cancel = { reason };
    if (this.#state === 'resolving') return; // send() finishes it with 487
    this.cancelTransaction(reason);
    if (fake487 && this.#state === 'calling') {
      this.finish({ status: 487, reason: 'Request Terminated', response: undefined, local: 'cancelled' });
    }
  }

  private finish(result: BranchResult): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#base = undefined;
    this.#timerC?.cancel();
    this.#ring?.cancel();
    this.#timerC = undefined;
    this.#ring = undefined;
    this.events.onFinal(this, result);
  }
}
