/**
 * Builders for outgoing messages: a new request (RFC 3261 section 8.1.1), a response to a request
 * (section 8.2.6), and the requests whose headers the RFC derives from another request: CANCEL
 * (section 9.1) and the ACK of a non-2xx final response (section 17.1.1.3).
 */
import { newCallId, newTag } from '../util/ids.js';
import {
  type IncomingRequest,
  OutgoingRequest,
  OutgoingResponse,
  type SipRequest,
  type SipResponse,
} from './message.js';
import { NameAddr, parseNameAddr } from './name-addr.js';
import { reasonPhrase } from './reason-phrases.js';
import type { Uri } from './uri.js';
import { parseUri } from './uri-parse.js';
import type { Via } from './via.js';

export interface RequestInit {
  method: string;
  uri: Uri | string;
  /** From; a tag is added when it has none (section 8.1.1.3). */
  from: NameAddr | string;
  to: NameAddr | string;
  callId?: string;
  cseq?: number;
  maxForwards?: number;
  contact?: NameAddr | string | readonly (NameAddr | string)[];
  /** Route set, in order (section 8.1.1.1 / 12.2.1.1). */
  route?: readonly (NameAddr | string)[];
  /** Via to put on top; usually added later by the transaction layer. */
  via?: Via;
  /** Extra headers, in order, as name and value text. */
  headers?: readonly (readonly [string, string])[];
  body?: Uint8Array | string;
  contentType?: string;
}

function addr(v: NameAddr | string, what: string): NameAddr {
  return typeof v === 'string' ? parseNameAddr(v, what) : v;
}

/** Builds a request with the six headers section 8.1.1 requires (Via comes from the transaction layer). */
export function createRequest(init: RequestInit): OutgoingRequest {
  const uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
  const req = new OutgoingRequest(init.method, uri);
  if (init.via) req.set('via', init.via);
  req.set('max-forwards', init.maxForwards ?? 70);
  if (init.route && init.route.length > 0)
    req.set(
      'route',
      init.route.map((r) => addr(r, 'Route')),
    );
  let from = addr(init.from, 'From');
  if (from.tag === undefined) from = from.withTag(newTag());
  req.set('from', from);
  req.set('to', addr(init.to, 'To'));
  req.set('call-id', init.callId ?? newCallId());
  req.set('cseq', { seq: init.cseq ?? 1 + Math.floor(Math.random() * 0x7fff), method: init.method });
  if (init.contact !== undefined) {
    const list = Array.isArray(init.contact) ? init.contact : [init.contact];
    req.set(
      'contact',
      list.map((c: NameAddr | string) => addr(c, 'Contact')),
    );
  }
  for (const [name, value] of init.headers ?? []) req.appendRaw(name, value);
  if (init.body !== undefined) req.setBody(init.body, init.contentType);
  return req;
}

export interface ResponseOptions {
  reason?: string;
  /**
   * Tag to add to To when the request's To has none (section 8.2.6.2; never for 100). Pass the
   * same tag for every response of one transaction (a 180 then a 200 of one dialog); without it
   * a fresh tag is drawn, which suits a single final response (a 4xx, a 200 to OPTIONS).
   */
  toTag?: string;
  /**
   * Copy Record-Route (section 12.1.1: a UAS copies it into dialog-creating responses).
   * Default: for 101-299 responses to requests that can create a dialog.
   */
  recordRoute?: boolean;
  contact?: NameAddr | readonly NameAddr[];
  headers?: readonly (readonly [string, string])[];
  body?: Uint8Array | string;
  contentType?: string;
}

/** Methods whose 101-299 responses create a dialog: INVITE (section 12.1), SUBSCRIBE and NOTIFY (RFC 6665 section 4.4.1), REFER (RFC 3515). */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

/**
 * A response to `request` with the headers section 8.2.6.2 says to copy: every Via in order,
 * From, To (with a tag added unless the status is 100 or the To has one), Call-ID and CSeq, and
 * Timestamp for 100 Trying (section 8.2.6.1). Via, From, Call-ID, CSeq (and To when it keeps its
 * tag) are copied as received, octet for octet, since the client matches on them.
 */
export function responseTo(request: SipRequest, status: number, options: ResponseOptions = {}): OutgoingResponse {
  const res = new OutgoingResponse(status, options.reason ?? reasonPhrase(status));
  res.copyFrom(request, 'via');
  res.copyFrom(request, 'from');
  const to = request.get('to');
  if (to && status > 100 && to.tag === undefined) res.set('to', to.withTag(options.toTag ?? newTag()));
  else res.copyFrom(request, 'to');
  res.copyFrom(request, 'call-id');
  res.copyFrom(request, 'cseq');
  if (status === 100) res.copyFrom(request, 'timestamp');
  const copyRR =
    options.recordRoute ??
    (status > 100 && status < 300 && DIALOG_CREATING.has(request.method) && to?.tag === undefined);
  if (copyRR) res.copyFrom(request, 'record-route');
  if (options.contact !== undefined)
    res.set('contact', Array.isArray(options.contact) ? options.contact : [options.contact]);
  for (const [name, value] of options.headers ?? []) res.appendRaw(name, value);
  if (options.body !== undefined) res.setBody(options.body, options.contentType);
  return res;
}

/**
 * CANCEL for a pending request (section 9.1): same Request-URI, Call-ID, To, From and CSeq number
 * (method CANCEL), a single Via equal to the request's top Via, and the request's Route headers.
 */
export function cancelFor(request: SipRequest, reason?: string): OutgoingRequest {
  const cancel = new OutgoingRequest('CANCEL', request.uri);
  cancel.set('via', request.topVia);
  cancel.set('max-forwards', 70);
  cancel.copyFrom(request, 'route');
  // "MUST be identical to those in the request being cancelled, including tags": copied as sent.
  cancel.copyFrom(request, 'from');
  cancel.copyFrom(request, 'to');
  cancel.copyFrom(request, 'call-id');
  cancel.set('cseq', { seq: request.cseq.seq, method: 'CANCEL' });
  if (reason) cancel.appendRaw('Reason', reason);
  return cancel;
}

/**
 * The ACK for a non-2xx final response, built by the client transaction (section 17.1.1.3):
 * Request-URI, Call-ID, From and top Via of the request, To of the response, CSeq number of the
 * request with method ACK, and the request's Route headers.
 */
export function ackForNon2xx(request: SipRequest, response: SipResponse): OutgoingRequest {
  const ack = new OutgoingRequest('ACK', request.uri);
  ack.set('via', request.topVia);
  ack.set('max-forwards', 70);
  ack.copyFrom(request, 'route');
  ack.copyFrom(request, 'from');
  ack.copyFrom(response, 'to');
  ack.copyFrom(request, 'call-id');
  ack.set('cseq', { seq: request.cseq.seq, method: 'ACK' });
  return ack;
}

/** True when `msg` is a request received from the network (immutable). */
export function isIncomingRequest(msg: SipRequest): msg is IncomingRequest {
  return msg.kind === 'request' && !(msg instanceof OutgoingRequest);
}

export { NameAddr };
