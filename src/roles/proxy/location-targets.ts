/**
 * Targets from the location service (RFC 3261 section 16.5: "If the domain of the Request-URI
 * indicates a domain this element is responsible for, the Request-URI MUST be placed into the
 * target set ... [as the result of] an abstract location service"): every live binding of the
 * address of record becomes a target with its q, its Path as Route (RFC 3327 section 5.4), and,
 * when NAT routing is on, the flow the REGISTER came over as its destination (Kamailio's
 * `received` / RFC 5626 flow reuse: a phone behind NAT is reached where it registered from,
 * whatever private address its Contact names).
 */
import { type IncomingRequest, parseNameAddr, parseUri, type SipUri } from '../../sip/index.js';
import { type Binding, type LocationStore, normalizeAor } from '../../store/index.js';
import { flowDestination } from '../../transport/index.js';
import type { Target } from './types.js';

function targetOf(binding: Binding, natRouting: boolean): Target | undefined {
  try {
    const uri = parseUri(binding.contact);
    const route = binding.path.map((p) => parseNameAddr(p, 'Path'));
    const flow = binding.flow;
    const viaFlow = natRouting && flow !== null && flow.transport !== 'ws' && flow.transport !== 'wss';
    return {
      uri,
      q: binding.q ?? undefined,
      route: route.length > 0 ? route : undefined,
      destination: viaFlow ? { ...flowDestination(flow), fixedTransport: flow.transport !== 'udp' } : undefined,
      source: 'location',
    };
  } catch {
    return undefined;
  }
}

/** The targets of an address of record now; empty when it has no live binding or no user part. */
export async function locationTargets(
  locations: LocationStore,
  uri: SipUri,
  now: number,
  natRouting: boolean,
): Promise<Target[]> {
  let aor: string;
  try {
    aor = normalizeAor(uri);
  } catch {
    return [];
  }
  const bindings = await locations.get(aor, now);
  return bindings.map((b) => targetOf(b, natRouting)).filter((t): t is Target => t !== undefined);
}

/** True when the request is for a user (the Request-URI has a user part), as a lookup needs. */
export function hasUser(request: IncomingRequest | { readonly uri: SipUri }): boolean {
  return request.uri.kind === 'sip' && (request.uri as SipUri).user !== undefined;
}
