/**
 * Sending one request to the first destination that answers (RFC 3263 section 4.3: on a timeout,
 * a transport error or a 503, try the next destination in a new client transaction), answering
 * 401/407 challenges with credentials (RFC 3261 section 22.2: same Call-ID, CSeq incremented, new
 * branch), and passing every other response to the caller. Used by calls (INVITE), registrations
 * and every non-INVITE request a UA sends. The Cisco backup-proxy flow is this failover with the
 * configured proxies as the destination list.
 */
import type { IncomingResponse, OutgoingRequest, Uri } from '../sip/index.js';
import type { ClientTransaction, ClientTransactionFailure, TransactionLayer } from '../transaction/index.js';
import type { Destination } from '../transport/index.js';
import { TransportError } from '../transport/index.js';
import type { Logger } from '../util/logger.js';
import type { RequestAuthenticator, Resolver } from './types.js';

export interface OutgoingRequestHandlers {
  /** A response of the current attempt (provisional, 2xx, or a final the flow does not handle itself). */
  onResponse(response: IncomingResponse, transaction: ClientTransaction): void;
  /** Every destination failed locally; no response will come. */
  onFailure(failure: ClientTransactionFailure): void;
  /** A new attempt started (new transaction): the request actually sent. */
  onAttempt?(request: OutgoingRequest, transaction: ClientTransaction): void;
}

export interface OutgoingRequestDeps {
  readonly transactions: TransactionLayer;
  readonly resolve: Resolver;
  readonly authenticator: RequestAuthenticator | undefined;
  readonly logger: Logger;
}

/** How many times one request may be re-sent with new credentials (a wrong password stops it). */
const MAX_AUTH_ATTEMPTS = 3;

export class OutgoingRequestFlow {
  private destinations: Destination[] = [];
  private index = 0;
  private authAttempts = 0;
  private current: ClientTransaction | undefined;
  private lastRequest: OutgoingRequest | undefined;
  /** The request of the current attempt as built, before the transport stamped its Via. */
  private lastBuilt: OutgoingRequest | undefined;
  private cancelled = false;

  /**
   * @param template the request without Via; it is cloned for every attempt and never sent itself.
   * @param nextHops where to send it, in order (proxies, or the target itself); each is resolved.
   */
  constructor(
    private readonly deps: OutgoingRequestDeps,
    private readonly template: OutgoingRequest,
    private readonly nextHops: readonly Uri[] | readonly Destination[],
    private readonly handlers: OutgoingRequestHandlers,
  ) {}

  get transaction(): ClientTransaction | undefined {
    return this.current;
  }

  /** The request of the current attempt (with its Via and credentials). */
  get request(): OutgoingRequest | undefined {
    return this.lastRequest;
  }

  async start(): Promise<void> {
    for (const hop of this.nextHops) {
      if (isDestination(hop)) this.destinations.push(hop);
      else {
        try {
          this.destinations.push(...(await this.deps.resolve(hop)));
        } catch (err) {
          this.deps.logger.warn('cannot resolve next hop', { hop: hop.toString(), error: (err as Error).message });
        }
      }
    }
    if (this.destinations.length === 0) {
      this.handlers.onFailure({
        kind: 'transport',
        status: 503,
        error: new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no destination for ${this.template.uri.toString()}`),
      });
      return;
    }
    this.attempt(this.template.clone());
  }

  /** Stops trying further destinations (a cancelled call). */
  stop(): void {
    this.cancelled = true;
  }

  private attempt(request: OutgoingRequest): void {
    const destination = this.destinations[this.index] as Destination;
    this.deps.authenticator?.preauthorize?.(request);
    this.lastRequest = request;
    this.lastBuilt = request;
    const sent = request.clone();
    const tx = this.deps.transactions.sendRequest(sent, destination, {
      onResponse: (response, t) => this.onResponse(response, t),
      onFailure: (failure, t) => this.onTxFailure(failure, t),
    });
    this.current = tx;
    this.lastRequest = sent;
    this.handlers.onAttempt?.(sent, tx);
  }

  private onResponse(response: IncomingResponse, tx: ClientTransaction): void {
    if (tx !== this.current) return;
    const status = response.status;
    if (
      (status === 401 || status === 407) &&
      this.deps.authenticator &&
      this.authAttempts < MAX_AUTH_ATTEMPTS &&
      !this.cancelled
    ) {
      // The retry starts as a copy of what was sent, credentials included: the authenticator tells
      // a refused answer (challenged again after our credentials) from a first challenge by them.
      const retry = (this.lastBuilt ?? this.template).clone();
      retry.set('cseq', { seq: (this.lastRequest ?? this.template).cseq.seq + 1, method: retry.cseq.method });
      if (this.deps.authenticator.authorize(retry, response)) {
        this.authAttempts++;
        // Keep later attempts (failover) on the incremented CSeq and with the credentials.
        this.template.set('cseq', retry.cseq);
        this.attempt(retry);
        return;
      }
    }
    if (status === 503 && this.index + 1 < this.destinations.length && !this.cancelled) {
      this.index++;
      this.attempt(this.template.clone());
      return;
    }
    this.handlers.onResponse(response, tx);
  }

  private onTxFailure(failure: ClientTransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.current) return;
    if (this.index + 1 < this.destinations.length && !this.cancelled) {
      this.deps.logger.info('next hop failed, trying the next one', {
        failed: `${this.destinations[this.index]?.address}:${this.destinations[this.index]?.port}`,
        kind: failure.kind,
      });
      this.index++;
      const next = this.template.clone();
      // A new transaction for the same request: a new branch and the next CSeq (section 8.1.3.1).
      next.set('cseq', { seq: (this.lastRequest?.cseq.seq ?? next.cseq.seq) + 1, method: next.cseq.method });
      this.template.set('cseq', next.cseq);
      this.attempt(next);
      return;
    }
    this.handlers.onFailure(failure);
  }
}

function isDestination(hop: Uri | Destination): hop is Destination {
  return typeof (hop as Destination).address === 'string' && typeof (hop as Destination).port === 'number';
}
