/**
 * Route information processing (RFC 3261 section 16.4) and Record-Route insertion (section 16.6
 * step 4, RFC 3261 section 16.12.1.2 for the strict-router case).
 *
 * Processing, in the RFC's order:
 * 1. Strict routing: "If the Request-URI contains a value this proxy previously placed into a
 *    Record-Route header field ..., the proxy MUST replace the Request-URI in the request with the
 *    last value from the Route header field, and remove that value from the Route header field."
 *    (an RFC 2543 element routed the request to us as a strict router would);
 * 2. maddr naming us: "the proxy MUST strip the maddr and any non-default port or transport
 *    parameter and continue processing as if those values had not been present";
 * 3. "If the first value in the Route header field indicates this proxy, the proxy MUST remove
 *    that value from the request" — repeated, because with double record-routing (one entry per
 *    transport, as Kamailio's enable_double_rr) both of our entries are on top.
 */
import {
  type IncomingRequest,
  NameAddr,
  type OutgoingRequest,
  Params,
  SipUri,
  type TransportProtocol,
} from '../../sip/index.js';
import { bracketHost, type LocalEndpoint } from '../../transport/index.js';
import type { Myself } from './myself.js';

export interface RoutedRequest {
  /** The copy to forward, with the Request-URI and Route set fixed as above. */
  readonly request: OutgoingRequest;
  /** True when at least one Route value named this proxy (the request follows a route we are on). */
  readonly routed: boolean;
  /** True when the request arrived strict-routed (step 1 applied). */
  readonly strict: boolean;
}

/** True for a URI this proxy puts in Record-Route: one of our addresses, no user, `;lr`. */
function isOurRecordRoute(uri: SipUri, myself: Myself): boolean {
  return uri.user === undefined && uri.params.has('lr') && myself.isOwnUri(uri);
}

export function processRoute(received: IncomingRequest, myself: Myself): RoutedRequest {
  const request = received.toOutgoing();
  let strict = false;
  const routes = request.get('route');
  const last = routes.at(-1);
  if (request.uri instanceof SipUri && isOurRecordRoute(request.uri, myself) && last !== undefined) {
    request.uri = last.uri;
    if (routes.length === 1) request.remove('route');
    else request.set('route', routes.slice(0, -1));
    strict = true;
  }
  const uri = request.uri;
  if (uri instanceof SipUri) {
    const maddr = uri.params.getUnquoted('maddr');
    if (maddr !== undefined && myself.isLocalDomain(maddr)) {
      request.uri = uri.with({ port: undefined, params: uri.params.without('maddr').without('transport') });
    }
  }
  let routed = false;
  for (;;) {
    const first = request.get('route')[0];
    if (first === undefined || !myself.isOwnUri(first.uri)) break;
    request.shift('route');
    routed = true;
  }
  return { request, routed, strict };
}

/** The URI this proxy records for a listener: `sip:host:port;transport=tcp;lr`. */
export function recordRouteUri(endpoint: LocalEndpoint): SipUri {
  const params = Params.of({ transport: endpoint.transport === 'udp' ? undefined : endpoint.transport, lr: null });
  return new SipUri({ host: bracketHost(endpoint.host), port: endpoint.port, params });
}

/**
 * Adds our Record-Route (section 16.6 step 4: "the proxy MUST insert a Record-Route header field
 * value ... before any existing Record-Route header field values"). When the request arrived on
 * one transport and leaves on another, two values are added so that each side of the dialog
 * reaches us over its own transport: the one facing the caller below, the one facing the callee
 * on top (the callee's route set starts with the top value, the caller's with the bottom one).
 */
export function addRecordRoute(
  request: OutgoingRequest,
  endpointFor: (transport: TransportProtocol) => LocalEndpoint | undefined,
  inbound: TransportProtocol,
  outbound: TransportProtocol,
): void {
  const inEp = endpointFor(inbound) ?? endpointFor(outbound);
  if (inEp === undefined) return;
  request.prepend('record-route', new NameAddr(recordRouteUri(inEp)));
  if (outbound !== inbound) {
    const outEp = endpointFor(outbound);
    if (outEp !== undefined) request.prepend('record-route', new NameAddr(recordRouteUri(outEp)));
  }
}
