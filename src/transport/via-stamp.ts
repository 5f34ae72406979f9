/**
 * The Via edits the transport layer makes.
 *
 * Sending a request (RFC 3261 section 18.1.1): the top Via names the transport actually used and
 * the sent-by of the socket it leaves from, and asks for rport (RFC 3581 section 3).
 *
 * Receiving a request (section 18.2.1, RFC 3581 section 4): the server adds `received` when the
 * sent-by host differs from the packet's source address (or is a host name), fills an empty
 * `rport` with the source port, and, when rport was asked for, adds `received` even if it
 * equals sent-by. IncomingRequest is immutable, so the edit yields a new IncomingRequest whose
 * top Via carries the parameters; every other header line is the same object, unparsed lines
 * stay raw. Doing it on receipt (as Kamailio, Asterisk and PJSIP do) means a UAS response copies
 * the parameters and a proxy forwards them, so a stateless proxy can route the response back
 * (section 18.2.2) without remembering the flow.
 */
import {
  type Flow,
  type HeaderLine,
  headerKeyOf,
  IncomingRequest,
  type OutgoingRequest,
  type OutgoingResponse,
  Params,
  type TransportProtocol,
  Via,
} from '../sip/index.js';
import { errorMessage } from '../util/errors.js';
import { newBranch } from '../util/ids.js';
import { bracketHost, isIpLiteral, normalizeAddress, sameAddress } from './addresses.js';
import { TransportError } from './types.js';

/** Sets the top Via's transport and sent-by (adding a Via with a new branch when there is none). */
export function stampSentBy(
  request: OutgoingRequest,
  transport: TransportProtocol,
  host: string,
  port: number,
  rport: boolean,
): void {
  const top = request.get('via')[0];
  const token = transport.toUpperCase();
  let via: Via;
  if (top === undefined) {
    via = new Via({ transport: token, host: bracketHost(host), port, params: Params.of({ branch: newBranch() }) });
  } else {
    if (top.transport === token && top.host === bracketHost(host) && top.port === port) {
      if (!rport || top.params.has('rport')) return;
    }
    via = top.with({ transport: token, host: bracketHost(host), port });
    request.shift('via');
  }
  // RFC 3581 section 3: "the client MUST include an rport parameter with no value".
  if (rport && !via.params.has('rport')) via = via.withParam('rport');
  request.prepend('via', via);
}

/** The top Via as a server sees it after section 18.2.1 and RFC 3581 section 4; the same object when nothing changes. */
export function viaAsReceived(via: Via, source: { address: string; port: number }): Via {
  let out = via;
  const rportAsked = via.params.has('rport') && via.rport === true;
  if (rportAsked) out = out.withParam('rport', source.port);
  const sentByHost = via.host;
  const differs = !isIpLiteral(sentByHost) || !sameAddress(sentByHost, source.address);
  // RFC 3581 section 4: with rport, received is added "even if it is identical to ... sent-by".
  // A received= the client wrote itself is replaced: responses go where the packet came from.
  const received = normalizeAddress(source.address);
  if ((differs || rportAsked) && via.received !== received) out = out.withParam('received', received);
  return out;
}

/** The ordered header line objects of an incoming message (shared, not copied). */
function orderedLines(request: IncomingRequest): HeaderLine[] {
  const groups = new Map<string, { lines: readonly HeaderLine[]; next: number }>();
  const out: HeaderLine[] = [];
  for (const { name } of request.headerLines()) {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    let group = groups.get(key);
    if (group === undefined) {
      group = { lines: request.linesOf(name), next: 0 };
      groups.set(key, group);
    }
    const line = group.lines[group.next++];
    if (line !== undefined) out.push(line);
  }
  return out;
}

/**
 * The request with received/rport set in its top Via per its flow (section 18.2.1); the same
 * request when nothing needs adding. Throws SipHeaderError when the Via is malformed.
 */
export function stampReceived(request: IncomingRequest, flow: Flow): IncomingRequest {
  const top = request.get('via')[0];
  if (top === undefined) return request;
  const stamped = viaAsReceived(top, { address: flow.remoteAddress, port: flow.remotePort });
  if (stamped === top) return request;
  const lines = orderedLines(request);
  const firstVia = lines.findIndex((l) => l.key === 'via');
  const old = lines[firstVia] as HeaderLine;
  const values = (old.values ?? [top]).slice(1);
  lines[firstVia] = {
    name: old.name,
    key: 'via',
    known: true,
    raw: undefined,
    values: [stamped, ...values],
    error: undefined,
  };
  return new IncomingRequest(request.method, request.uri, lines, request.body, {
    flow: request.flow,
    receivedAt: request.receivedAt,
  });
}

/**
 * Applies section 18.2.1 to the top Via of a response about to be sent for a request that came
 * on `requestFlow`, when the request was not stamped on receipt (built elsewhere); a no-op for
 * responses built from requests this layer handed up.
 */
export function stampResponseVia(response: OutgoingResponse, requestFlow: Flow): Via | undefined {
  const top = response.get('via')[0];
  if (top === undefined) return undefined;
  const stamped = viaAsReceived(top, { address: requestFlow.remoteAddress, port: requestFlow.remotePort });
  if (stamped !== top) {
    response.shift('via');
    response.prepend('via', stamped);
  }
  return stamped;
}

/**
 * The top Via a response is routed by (section 18.2.2): stamped for `requestFlow` when given,
 * as it stands otherwise. A Via that does not parse makes the response undeliverable.
 */
export function responseVia(response: OutgoingResponse, requestFlow: Flow | undefined): Via | undefined {
  try {
    return requestFlow ? stampResponseVia(response, requestFlow) : response.get('via')[0];
  } catch (err) {
    throw new TransportError('ERR_TRANSPORT_SEND', `response with a malformed Via: ${errorMessage(err)}`, requestFlow);
  }
}
