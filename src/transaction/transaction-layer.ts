/**
 * The transaction layer (RFC 3261 section 17): it owns every client and server transaction of one
 * stack, matches incoming messages to them (sections 17.1.3 and 17.2.3), creates server
 * transactions for new requests, answers CANCEL for pending INVITEs (section 9.2), absorbs
 * retransmissions, and passes everything else to its transaction user — a UA core, a proxy core
 * or a registrar. It serves a stateful proxy as well as a phone: branches can be chosen by the
 * caller, 2xx retransmission by the transaction is optional, stray responses and ACKs for 2xx go
 * to the TU, and requests or responses can also be sent statelessly.
 */
import {
  type IncomingRequest,
  type IncomingResponse,
  type OutgoingRequest,
  type OutgoingResponse,
  Params,
  responseTo,
  Via,
} from '../sip/index.js';
import type { Destination, Sent, Transport, TransportUser } from '../transport/index.js';
import { type Clock, RealClock } from '../util/clock.js';
import { newBranch } from '../util/ids.js';
import { type Logger, nullLogger } from '../util/logger.js';
import type { ClientTransaction } from './client-transaction.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { type AckWaitRegistry, InviteServerTransaction } from './invite-server-transaction.js';
import { ackKeyOf, clientKey, serverKey } from './keys.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';
import { DEFAULT_TIMER_BASE, type TimerBase } from './timers.js';
import type { Transaction, TransactionContext } from './transaction.js';
import type { ClientTransactionFailure, ClientTransactionUser, TransactionUser } from './types.js';

export interface TransactionLayerOptions {
  readonly transport: Transport;
  readonly clock?: Clock;
  /** T1, T2, T4 (defaults 500, 4000, 5000 ms). */
  readonly timers?: Partial<TimerBase>;
  readonly logger?: Logger;
  /**
   * How long an INVITE server transaction waits for the TU's first response before it sends
   * 100 Trying itself (section 17.2.1 asks for it within 200 ms). 0 sends it at once, as
   * proxies usually do. Default 100 ms.
   */
  readonly tryingDelayMs?: number;
  readonly user?: TransactionUser;
}

export interface SendRequestOptions {
  /** Branch for the new top Via (a proxy may compute it, section 16.6 step 8); default random. */
  readonly branch?: string;
}

/** The outcome of a whole non-INVITE request: its final response, or a local failure. */
export type RequestOutcome =
  | { readonly kind: 'response'; readonly response: IncomingResponse }
  | ({ readonly kind: 'failure' } & { readonly failure: ClientTransactionFailure });

export interface TransactionStats {
  readonly clientTransactions: number;
  readonly serverTransactions: number;
  readonly awaitingAck: number;
}

export class TransactionLayer implements TransportUser {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly timers: TimerBase;
  readonly logger: Logger;
  private readonly tryingDelayMs: number;
  private user: TransactionUser | undefined;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly ackWaiting = new Map<string, InviteServerTransaction>();
  private readonly ctx: TransactionContext;
  private readonly ackRegistry: AckWaitRegistry;

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.clock = options.clock ?? new RealClock();
    this.timers = { ...DEFAULT_TIMER_BASE, ...options.timers };
    this.logger = options.logger ?? nullLogger;
    this.tryingDelayMs = options.tryingDelayMs ?? 100;
    this.user = options.user;
    this.ctx = {
      clock: this.clock,
      transport: this.transport,
      timers: this.timers,
      logger: this.logger,
      destroyed: (tx) => this.forget(tx),
    };
    this.ackRegistry = {
      waitForAck: (key, tx) => this.ackWaiting.set(key, tx),
      stopWaiting: (key) => this.ackWaiting.delete(key),
    };
    this.transport.setUser(this);
  }

  setUser(user: TransactionUser): void {
    this.user = user;
  }

  stats(): TransactionStats {
    return {
      clientTransactions: this.clients.size,
      serverTransactions: this.servers.size,
      awaitingAck: this.ackWaiting.size,
    };
  }

  private forget(tx: Transaction<string>): void {
    if (tx.kind === 'ICT' || tx.kind === 'NICT') {
      if (this.clients.get(tx.id) === tx) this.clients.delete(tx.id);
    } else if (this.servers.get(tx.id) === tx) this.servers.delete(tx.id);
  }

  // ---------------------------------------------------------------- client side

  /**
   * Starts a client transaction for `request` towards `destination`: prepends a Via with a new
   * branch (the transport fills in sent-by and rport) and sends it. INVITE gets an INVITE client
   * transaction, anything else but ACK a non-INVITE one. ACK is never a transaction: use sendStateless.
   */
  sendRequest(
    request: OutgoingRequest,
    destination: Destination,
    user: ClientTransactionUser,
    options: SendRequestOptions = {},
  ): ClientTransaction {
    if (request.method === 'ACK') throw new TypeError('ACK is not sent in a transaction; use sendStateless');
    const branch = options.branch ?? newBranch();
    request.prepend('via', viaFor(destination, branch));
    const id = clientKey(branch, request.method);
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.ctx, id, request, destination, user, branch, (cancel, dest) =>
            this.sendCancel(cancel, dest),
          )
        : new NonInviteClientTransaction(this.ctx, id, request, destination, user, branch);
    this.clients.set(id, tx);
    tx.start();
    return tx;
  }

  /** Sends a non-INVITE request and resolves with its final response or its local failure. */
  request(
    request: OutgoingRequest,
    destination: Destination,
    onProvisional?: (response: IncomingResponse) => void,
  ): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      this.sendRequest(request, destination, {
        onResponse: (response) => {
          if (response.status < 200) onProvisional?.(response);
          else resolve({ kind: 'response', response });
        },
        onFailure: (failure) => resolve({ kind: 'failure', failure }),
      });
    });
  }

  private sendCancel(cancel: OutgoingRequest, destination: Destination): void {
    // The CANCEL keeps the INVITE's Via (and so its branch): it is a transaction of its own,
    // matched by branch plus method (section 9.1).
    const branch = cancel.topVia.branch ?? newBranch();
    const id = clientKey(branch, 'CANCEL');
    const tx = new NonInviteClientTransaction(
      this.ctx,
      id,
      cancel,
      destination,
      {
        onResponse: () => {},
        onFailure: (f) => this.logger.info('CANCEL failed', { branch, kind: f.kind }),
      },
      branch,
    );
    this.clients.set(id, tx);
    tx.start();
  }

  /**
   * Sends a request outside any transaction (the ACK of a 2xx, section 13.2.2.4; a stateless
   * proxy's forward). A new top Via is added unless `keepVia` is set.
   */
  sendStateless(
    request: OutgoingRequest,
    destination: Destination,
    options: { branch?: string; keepVia?: boolean } = {},
  ): Promise<Sent> {
    if (!options.keepVia) request.prepend('via', viaFor(destination, options.branch ?? newBranch()));
    return this.transport.sendRequest(request, destination);
  }

  /** Sends a response outside any transaction (stateless errors; a stateless proxy). */
  respondStateless(response: OutgoingResponse, request: IncomingRequest): Promise<Sent> {
    return this.transport.sendResponse(response, request.flow);
  }

  // ---------------------------------------------------------------- server side

  /** Entry point from the transport layer. */
  onMessage(message: IncomingRequest | IncomingResponse): void {
    try {
      if (message.kind === 'response') this.receiveResponse(message);
      else this.receiveRequest(message);
    } catch (err) {
      // A TU bug or a message the checks below missed: log and drop, never crash the stack.
      this.logger.error('error while handling a message', { error: err instanceof Error ? err.stack : String(err) });
    }
  }

  private receiveResponse(response: IncomingResponse): void {
    const via = response.get('via')[0];
    const cseq = response.get('cseq');
    const branch = via?.branch;
    if (!via || !cseq || branch === undefined || response.get('call-id') === undefined) {
      this.logger.debug('dropping a response without Via, CSeq or Call-ID');
      return;
    }
    const tx = this.clients.get(clientKey(branch, cseq.method));
    if (tx) tx.receiveResponse(response);
    else this.user?.onStrayResponse?.(response);
  }

  private receiveRequest(request: IncomingRequest): void {
    // Without these headers no transaction can be matched or answered (section 8.1.1).
    for (const key of ['via', 'cseq', 'call-id', 'from', 'to'] as const) {
      const r = request.tryGet(key);
      const missing = r.ok && (Array.isArray(r.value) ? r.value.length === 0 : r.value === undefined);
      if (!r.ok || missing) {
        if (key !== 'via' && request.method !== 'ACK' && request.get('via').length > 0) {
          const reason = r.ok ? `Missing ${key}` : r.error.message;
          this.respondStateless(responseTo(request, 400, { reason: reason.slice(0, 80) }), request).catch(() => {});
        }
        return;
      }
    }
    if (request.method === 'ACK') {
      this.receiveAck(request);
      return;
    }
    const key = serverKey(request);
    const existing = this.servers.get(key);
    if (existing) {
      existing.receiveRetransmission(request);
      return;
    }
    if (request.method === 'CANCEL' && this.receiveCancel(request, key)) return;
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, key, request, this.ackRegistry, this.tryingDelayMs)
        : new NonInviteServerTransaction(this.ctx, key, request);
    this.servers.set(key, tx);
    if (this.user) this.user.onRequest(request, tx);
    else tx.respond(responseTo(request, 503, { reason: 'No Transaction User' }));
  }

  private receiveAck(ack: IncomingRequest): void {
    const tx = this.servers.get(serverKey(ack));
    if (tx instanceof InviteServerTransaction && (tx.state === 'Completed' || tx.state === 'Confirmed')) {
      tx.receiveAck();
      return;
    }
    const waiting = this.ackWaiting.get(ackKeyOf(ack));
    if (waiting) waiting.receiveAckFor2xx();
    this.user?.onAck?.(ack, waiting);
  }

  /** Section 9.2: a CANCEL matching a pending INVITE gets 200 here; returns false when nothing matched. */
  private receiveCancel(cancel: IncomingRequest, cancelKey: string): boolean {
    const invite = this.servers.get(serverKey(cancel, 'INVITE'));
    if (!(invite instanceof InviteServerTransaction)) return false;
    const tx = new NonInviteServerTransaction(this.ctx, cancelKey, cancel);
    this.servers.set(cancelKey, tx);
    // "the CANCEL request ... MUST respond with a 200 (OK)" whatever the INVITE's state; the TU
    // answers the INVITE with 487 if it has not sent a final response yet.
    tx.respond(responseTo(cancel, 200));
    invite.markCancelled();
    if (!invite.finalSent) this.user?.onCancel?.(invite, cancel);
    return true;
  }

  /** Terminates every transaction (stack shutdown); their timers stop. */
  close(): void {
    for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.abort();
    this.ackWaiting.clear();
  }
}

function viaFor(destination: Destination, branch: string): Via {
  return new Via({
    transport: destination.transport.toUpperCase(),
    // Placeholder sent-by: the transport sets the host and port of the socket actually used.
    host: 'invalid.invalid',
    params: new Params([
      ['branch', branch],
      ['rport', null],
    ]),
  });
}
