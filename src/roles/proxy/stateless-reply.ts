/**
 * Answers sent without a transaction, and recognising the ACKs they draw (Kamailio's `sl`
 * module: sl_send_reply plus its ACK filter).
 *
 * RFC 3261 section 26.3.2.4 (denial of service): "proxies ... SHOULD NOT ... [retransmit]
 * challenges ... an element that sends a 401/407 statelessly does not keep state", so that an
 * unauthenticated request costs the server one small response. Such a response gets a To tag
 * derived from the request with a secret (section 19.3 wants it unpredictable; it is the same
 * for every retransmission of the request and for an unknown user and a wrong password). The
 * ACK of a non-2xx response repeats the request's Call-ID, From tag, CSeq number and top Via
 * (section 17.1.1.3), so the same function of the ACK gives the same tag: an ACK whose To tag
 * matches acknowledges one of our stateless answers and is absorbed instead of being routed on.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingRequest, OutgoingResponse, SipRequest } from '../../sip/index.js';

export class StatelessReplies {
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array | string = randomBytes(32)) {
    this.#secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  }

  /** The To tag of a stateless answer to `request` (or of the answer an ACK acknowledges). */
  tagFor(request: SipRequest): string {
    const via = request.get('via')[0];
    const cseq = request.get('cseq');
    return createHmac('sha256', this.#secret)
      .update('sl\0')
      .update(`${request.get('call-id') ?? ''}\0${request.fromTag ?? ''}\0${cseq?.seq ?? ''}\0`)
      .update(`${via?.branch ?? ''}\0${via?.host ?? ''}:${via?.port ?? ''}`)
      .digest('hex')
      .slice(0, 20);
  }

  /** Gives a response to an initial request our stateless To tag (a request's own To tag is kept). */
  stamp(request: IncomingRequest, response: OutgoingResponse): OutgoingResponse {
    const to = request.get('to');
    if (to !== undefined && to.tag === undefined && response.status > 100) {
      response.set('to', to.withTag(this.tagFor(request)));
    }
    return response;
  }

  /** True when an ACK acknowledges a response this element sent statelessly. */
  acknowledgesOurs(ack: IncomingRequest): boolean {
    const tag = ack.toTag;
    return tag !== undefined && tag === this.tagFor(ack);
  }
}
