/**
 * The routing stage of the proxy pipeline: from a validated, authenticated request to its target
 * set (RFC 3261 section 16.5) or to an answer, after the onRequest hooks had their say.
 *
 * - A request that still carries a Route after ours came off is on its way somewhere else (a
 *   loose route, section 16.4/16.6 step 7): its only target is the Request-URI, sent to the Route.
 * - "If the domain of the Request-URI indicates a domain this element is not responsible for, the
 *   Request-URI MUST be placed into the target set as the only target" — after the relay policy.
 * - A Request-URI in our domains is looked up in the location service; no live binding leaves the
 *   set empty, which the response context turns into 480 ("SHOULD be the 480 (Temporarily
 *   Unavailable) response", section 16.5) unless onFailure forwards it somewhere.
 * - A Request-URI naming us without a user is for this element (Kamailio: 484 Address Incomplete).
 */
import { type IncomingRequest, NameAddr, type OutgoingRequest, parseUri, SipUri, type Uri } from '../../sip/index.js';
import type { LocationStore } from '../../store/index.js';
import { locationTargets } from './location-targets.js';
import type { Myself } from './myself.js';
import type { RelayPolicy, RequestContext, RequestDecision, ResponseSpec, Target } from './types.js';

export type RoutingResult =
  | { readonly kind: 'targets'; readonly targets: readonly Target[] }
  | { readonly kind: 'respond'; readonly stage: 'policy' | 'hook' | 'routing'; readonly spec: ResponseSpec }
  | { readonly kind: 'redirect'; readonly status: number; readonly contacts: readonly NameAddr[] };

export interface RoutingDeps {
  readonly myself: Myself;
  readonly locations: LocationStore | undefined;
  readonly relay: RelayPolicy;
  readonly natRouting: boolean;
  readonly now: () => number;
  /** Where REGISTERs for our domains go when no registrar runs in this process. */
  readonly registrar: SipUri | undefined;
  readonly allow: readonly string[];
}

function contactOf(c: NameAddr | Uri | string): NameAddr {
  if (c instanceof NameAddr) return c;
  return new NameAddr(typeof c === 'string' ? parseUri(c) : c);
}

/** Runs the request policy and the onRequest hooks' decision, then finds the targets. */
export async function route(
  original: IncomingRequest,
  base: OutgoingRequest,
  ctx: RequestContext,
  decision: RequestDecision | undefined,
  deps: RoutingDeps,
): Promise<RoutingResult> {
  if (decision !== undefined && decision.kind !== 'continue') {
    if (decision.kind === 'respond') return { kind: 'respond', stage: 'hook', spec: decision };
    if (decision.kind === 'redirect') {
      return { kind: 'redirect', status: decision.status ?? 302, contacts: decision.contacts.map(contactOf) };
    }
    return { kind: 'targets', targets: decision.targets };
  }
  const hasRoute = base.get('route').length > 0;
  if (hasRoute) return { kind: 'targets', targets: [{ uri: base.uri, source: 'request-uri' }] };
  const uri = base.uri;
  const inDialog = original.toTag !== undefined;
  if (!ctx.local) {
    if (!inDialog && deps.relay === 'local' && !fromLocal(original, deps.myself)) {
      return { kind: 'respond', stage: 'policy', spec: { status: 403, reason: 'Relaying Denied' } };
    }
    return { kind: 'targets', targets: [{ uri, source: 'request-uri' }] };
  }
  if (inDialog && !ctx.routed) {
    // An in-dialog request for our own domain that no Route of ours brought: nothing to do with it
    // (Kamailio's WITHINDLG: "404 Not here").
    return { kind: 'respond', stage: 'routing', spec: { status: 404, reason: 'Not Here' } };
  }
  if (original.method === 'REGISTER') {
    if (deps.registrar !== undefined) {
      const hop = new NameAddr(deps.registrar.withParam('lr'));
      return { kind: 'targets', targets: [{ uri, route: [hop], source: 'request-uri' }] };
    }
    const allow = deps.allow.filter((m) => m !== 'REGISTER').join(', ');
    return { kind: 'respond', stage: 'routing', spec: { status: 405, headers: [['Allow', allow]] } };
  }
  if (!(uri instanceof SipUri) || uri.user === undefined) {
    return { kind: 'respond', stage: 'routing', spec: { status: 484, reason: 'Address Incomplete' } };
  }
  if (deps.locations === undefined) {
    return { kind: 'respond', stage: 'routing', spec: { status: 404, reason: 'No Location Service' } };
  }
  return { kind: 'targets', targets: await locationTargets(deps.locations, uri, deps.now(), deps.natRouting) };
}

function fromLocal(request: IncomingRequest, myself: Myself): boolean {
  const from = request.get('from');
  return from !== undefined && from.uri instanceof SipUri && myself.isLocalDomain(from.uri.host);
}
