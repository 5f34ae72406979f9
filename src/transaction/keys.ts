/**
 * Transaction matching keys.
 *
 * Client side (RFC 3261 section 17.1.3): a response matches the client transaction whose request
 * had the same top-Via branch and the same CSeq method (CANCEL shares the INVITE's branch but is
 * its own transaction).
 *
 * Server side (section 17.2.3): with an RFC 3261 branch (magic cookie z9hG4bK plus an identifier),
 * a request matches when the branch and the sent-by of the top Via are equal and the method is
 * equal, except that ACK matches the INVITE. Without the magic cookie (RFC 2543 peers, and
 * RFC 4475 badbranch whose branch is only the cookie) the fallback compares Request-URI, From tag,
 * Call-ID, CSeq number, and the whole top Via.
 */
import type { IncomingRequest, SipRequest, Via } from '../sip/index.js';
import { MAGIC_COOKIE } from '../util/ids.js';

/** True when the branch follows RFC 3261 (cookie plus at least one more character). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

export function clientKey(branch: string, method: string): string {
  return `${branch}\u0000${method === 'ACK' ? 'INVITE' : method}`;
}

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/**
 * The server transaction key of a request. `asMethod` overrides the method (CANCEL looks for the
 * INVITE it cancels under its own branch).
 */
export function serverKey(request: SipRequest, asMethod?: string): string {
  const via = request.topVia;
  const method = asMethod ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  const branch = via.branch;
  if (isRfc3261Branch(branch)) return `${branch}\u0000${sentBy(via)}\u0000${method}`;
  const cseq = request.cseq;
  return ['2543', request.uri.toString(), request.fromTag ?? '', request.callId, cseq.seq, method, via.toString()].join(
    '\u0000',
  );
}

/** Key under which an INVITE server transaction in the Accepted state waits for the ACK of its 2xx. */
export function ackKey(callId: string, cseq: number, fromTag: string | undefined, toTag: string | undefined): string {
  return `${callId}\u0000${cseq}\u0000${fromTag ?? ''}\u0000${toTag ?? ''}`;
}

export function ackKeyOf(ack: IncomingRequest): string {
  return ackKey(ack.callId, ack.cseq.seq, ack.fromTag, ack.toTag);
}
