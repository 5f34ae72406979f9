/**
 * A TransactionUser that sits between the transaction layer and the UA core and counts the
 * INVITE transactions the layer passes up: new dialog-creating INVITEs (no To tag), not their
 * retransmissions, which the INVITE server transactions absorb (RFC 3261 section 17.2.1). With
 * per-Call-ID counting on, a Call-ID seen twice means a retransmission reached the TU as a new
 * request, the failure SIPp's -lost tests look for. Everything is delegated unchanged.
 */
import type { IncomingRequest, IncomingResponse } from '../../sip/index.js';
import type { InviteServerTransaction, ServerTransaction, TransactionUser } from '../../transaction/index.js';

export interface InviteCounts {
  /** Dialog-creating INVITE transactions passed to the TU. */
  readonly invites: number;
  /** Of those, how many carried a Call-ID already counted (per-Call-ID counting only). */
  readonly repeatedCallIds: number;
  /** Distinct Call-IDs counted (per-Call-ID counting only). */
  readonly distinctCallIds: number;
}

export class InviteCounter implements TransactionUser {
  private invites = 0;
  private repeated = 0;
  private readonly perCallId: Map<string, number> | undefined;

  constructor(
    private readonly inner: TransactionUser,
    options: { readonly perCallId?: boolean } = {},
  ) {
    this.perCallId = options.perCallId ? new Map() : undefined;
  }

  counts(): InviteCounts {
    return { invites: this.invites, repeatedCallIds: this.repeated, distinctCallIds: this.perCallId?.size ?? 0 };
  }

  /** How many INVITE transactions with this Call-ID reached the TU (per-Call-ID counting only). */
  countFor(callId: string): number {
    return this.perCallId?.get(callId) ?? 0;
  }

  /** Every Call-ID counted more than once, with its count (per-Call-ID counting only). */
  repeatedCalls(): [callId: string, count: number][] {
    return [...(this.perCallId ?? new Map<string, number>())].filter(([, n]) => n > 1);
  }

  onRequest(request: IncomingRequest, transaction: ServerTransaction): void {
    if (request.method === 'INVITE' && request.toTag === undefined) {
      this.invites++;
      if (this.perCallId) {
        const n = (this.perCallId.get(request.callId) ?? 0) + 1;
        this.perCallId.set(request.callId, n);
        if (n > 1) this.repeated++;
      }
    }
    this.inner.onRequest(request, transaction);
  }

  onAck(ack: IncomingRequest, acknowledged: InviteServerTransaction | undefined): void {
    this.inner.onAck?.(ack, acknowledged);
  }

  onCancel(invite: InviteServerTransaction, cancel: IncomingRequest): void {
    this.inner.onCancel?.(invite, cancel);
  }

  onStrayResponse(response: IncomingResponse): void {
    this.inner.onStrayResponse?.(response);
  }
}
