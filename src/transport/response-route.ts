/**
 * Where a response goes: RFC 3261 section 18.2.2 with RFC 3581 section 4.
 *
 * - Reliable transport: back on the connection the request came on while it is open; otherwise a
 *   new connection to the `received` address (else the sent-by host) and the sent-by port (else
 *   the transport's default). rport is not used there: it is the client's ephemeral source port,
 *   where nothing listens.
 * - Unreliable transport: to `maddr` when present (port from sent-by, else 5060) unless it is a
 *   multicast group, which this stack does not send to (it falls through to the next rule);
 *   else to `received` with the port of a filled `rport` (RFC 3581), else the sent-by port or
 *   5060; else to sent-by, resolved per RFC 3263 section 5 when it is a host name. A UDP response
 *   leaves from the socket the request arrived on (RFC 3581 section 4, symmetric NATs).
 *
 * The route is computed from the top Via as the server sees it: when the response is answered on
 * the request's flow, received/rport are derived from that flow (via-stamp.ts).
 */
import { type Flow, isReliable, type TransportProtocol, type Via } from '../sip/index.js';
import { defaultPort, isIpLiteral, isMulticast, normalizeAddress, parseTransport, unbracket } from './addresses.js';
import { viaAsReceived } from './via-stamp.js';

export type ResponseRoute =
  /** Send on this stream connection. */
  | { readonly kind: 'connection'; readonly flow: Flow }
  /** Send to an IP literal (a new connection for streams); `via` is the local socket to use for UDP. */
  | {
      readonly kind: 'address';
      readonly transport: TransportProtocol;
      readonly address: string;
      readonly port: number;
      readonly via?: Flow | undefined;
    }
  /** Resolve a host name first (RFC 3263 section 5); port undefined means SRV applies. */
  | {
      readonly kind: 'resolve';
      readonly transport: TransportProtocol;
      readonly host: string;
      readonly port: number | undefined;
    }
  | { readonly kind: 'unroutable'; readonly reason: string };

export function responseRoute(
  topVia: Via | undefined,
  requestFlow: Flow | undefined,
  isOpen: (flow: Flow) => boolean,
): ResponseRoute {
  if (topVia === undefined) {
    // No Via to route by: only the flow can carry the answer back.
    if (requestFlow === undefined) return { kind: 'unroutable', reason: 'the response has no Via' };
    if (isReliable(requestFlow.transport)) {
      return isOpen(requestFlow)
        ? { kind: 'connection', flow: requestFlow }
        : { kind: 'unroutable', reason: 'no Via and the connection is closed' };
    }
    return {
      kind: 'address',
      transport: requestFlow.transport,
      address: requestFlow.remoteAddress,
      port: requestFlow.remotePort,
      via: requestFlow,
    };
  }
  const transport = requestFlow?.transport ?? parseTransport(topVia.transport);
  if (transport === undefined) return { kind: 'unroutable', reason: `unsupported Via transport ${topVia.transport}` };
  const via = requestFlow
    ? viaAsReceived(topVia, { address: requestFlow.remoteAddress, port: requestFlow.remotePort })
    : topVia;
  const sentByPort = via.port ?? defaultPort(transport);
  const received = via.received;

  if (isReliable(transport)) {
    // Section 18.2.2: "If the 'sent-protocol' is a reliable transport protocol such as TCP or
    // SCTP, or TLS over those, the response MUST be sent using the existing connection to the
    // source of the original request that created the transaction, if that connection is still
    // open." Otherwise "the server SHOULD open a connection to the IP address in the 'received'
    // parameter, if present, using the port in the 'sent-by' value".
    if (requestFlow?.connectionId !== undefined && isOpen(requestFlow))
      return { kind: 'connection', flow: requestFlow };
    if (received !== undefined && isIpLiteral(received)) {
      return { kind: 'address', transport, address: normalizeAddress(received), port: sentByPort };
    }
    return sentBy(transport, via);
  }

  // "Otherwise, if the Via header field value contains a 'maddr' parameter, the response MUST be
  // forwarded to the address listed there, using the port indicated in 'sent-by', or port 5060".
  const maddr = via.maddr;
  if (maddr !== undefined && !isMulticast(maddr)) {
    if (isIpLiteral(maddr)) return { kind: 'address', transport, address: normalizeAddress(maddr), port: sentByPort };
    return { kind: 'resolve', transport, host: maddr, port: sentByPort };
  }
  // "Otherwise ... if the top Via contains a 'received' parameter, the response MUST be sent to
  // the address in the 'received' parameter, using the port indicated in the 'sent-by' value"; RFC
  // 3581: "... and the port in the 'rport' parameter".
  if (received !== undefined && isIpLiteral(received)) {
    const rport = via.rport;
    const port = typeof rport === 'number' ? rport : sentByPort;
    return { kind: 'address', transport, address: normalizeAddress(received), port, via: requestFlow };
  }
  return sentBy(transport, via, requestFlow);
}

function sentBy(transport: TransportProtocol, via: Via, requestFlow?: Flow): ResponseRoute {
  const host = unbracket(via.host);
  if (isIpLiteral(host)) {
    return {
      kind: 'address',
      transport,
      address: normalizeAddress(host),
      port: via.port ?? defaultPort(transport),
      via: requestFlow,
    };
  }
  // RFC 3263 section 5: a host name in sent-by is resolved (SRV when there is no port).
  return { kind: 'resolve', transport, host, port: via.port };
}
