/**
 * Helpers for the auth tests: requests as a phone builds them, and a "wire" that serializes an
 * outgoing message and parses it back, so that every test crosses the real printer and parser
 * the way a message crosses the network.
 */
import {
  createRequest,
  IncomingRequest,
  IncomingResponse,
  type OutgoingRequest,
  type OutgoingResponse,
  parseOrThrow,
  parseVia,
} from '../../src/sip/index.js';
import { newBranch } from '../../src/util/ids.js';

export function requestOnWire(req: OutgoingRequest): IncomingRequest {
  const m = parseOrThrow(req.toBuffer());
  if (!(m instanceof IncomingRequest)) throw new Error('not a request');
  return m;
}

export function responseOnWire(res: OutgoingResponse): IncomingResponse {
  const m = parseOrThrow(res.toBuffer());
  if (!(m instanceof IncomingResponse)) throw new Error('not a response');
  return m;
}

export interface RequestSpec {
  readonly method?: string;
  readonly uri?: string;
  readonly from?: string;
  readonly to?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly branch?: string;
  readonly body?: string;
  readonly headers?: readonly (readonly [string, string])[];
}

/** A REGISTER from alice by default; any method with `method`/`uri`. */
export function request(spec: RequestSpec = {}): OutgoingRequest {
  const method = spec.method ?? 'REGISTER';
  return createRequest({
    method,
    uri: spec.uri ?? 'sip:example.com',
    from: spec.from ?? '<sip:alice@example.com>;tag=a1b2c3',
    to: spec.to ?? '<sip:alice@example.com>',
    callId: spec.callId ?? 'call-1@192.0.2.10',
    cseq: spec.cseq ?? 1,
    via: parseVia(`SIP/2.0/UDP 192.0.2.10:5060;branch=${spec.branch ?? newBranch()}`),
    contact: '<sip:alice@192.0.2.10:5060>',
    headers: spec.headers,
    body: spec.body,
    contentType: spec.body === undefined ? undefined : 'application/sdp',
  });
}

/** What a UA does before resending with credentials (RFC 3261 sections 8.1.3.5 and 22.2). */
export function nextAttempt(req: OutgoingRequest): OutgoingRequest {
  const cseq = req.cseq;
  req.set('cseq', { seq: cseq.seq + 1, method: cseq.method });
  req.set('via', parseVia(`SIP/2.0/UDP 192.0.2.10:5060;branch=${newBranch()}`));
  return req;
}
