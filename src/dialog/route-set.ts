/**
 * Route sets and request targeting inside a dialog (RFC 3261 section 12.2.1.1, with the strict
 * routing of RFC 2543 proxies handled as section 16.12.1.2 and 12.2.1.1 describe): loose routing
 * when the first route has `lr`, otherwise the first route becomes the Request-URI and the remote
 * target is appended as the last Route.
 */
import { NameAddr, SipUri, type Uri } from '../sip/index.js';

export interface RequestTarget {
  /** The Request-URI to use. */
  readonly requestUri: Uri;
  /** The Route header values, in order. */
  readonly route: readonly NameAddr[];
  /** Where the request goes next (first Route, or the Request-URI): resolve it per RFC 3263. */
  readonly nextHop: Uri;
}

/** True when the URI asks for loose routing (`;lr`). */
export function isLooseRoute(uri: Uri): boolean {
  return uri instanceof SipUri && uri.params.has('lr');
}

/** Where a request within a dialog goes and with which Request-URI and Route headers (12.2.1.1). */
export function targetRequest(remoteTarget: Uri, routeSet: readonly NameAddr[]): RequestTarget {
  const first = routeSet[0];
  if (!first) return { requestUri: remoteTarget, route: [], nextHop: remoteTarget };
  if (isLooseRoute(first.uri)) return { requestUri: remoteTarget, route: routeSet, nextHop: first.uri };
  // "If the route set is not empty, and its first URI does not contain the lr parameter, the UAC
  // MUST place the first URI from the route set into the Request-URI, stripping any parameters
  // that are not allowed in a Request-URI. The UAC MUST add a Route header field containing the
  // remainder of the route set values in order, including all parameters. The UAC MUST then
  // place the remote target URI into the Route header field as the last value."
  const ruri = first.uri instanceof SipUri ? stripForRequestUri(first.uri) : first.uri;
  return { requestUri: ruri, route: [...routeSet.slice(1), new NameAddr(remoteTarget)], nextHop: ruri };
}

/** Removes what section 19.1.1 does not allow in a Request-URI (headers; method on non-REFER... keep params). */
export function stripForRequestUri(uri: SipUri): SipUri {
  return uri.headers.size > 0 ? uri.with({ headers: undefined }) : uri;
}
