/**
 * The stateful SIP proxy role (RFC 3261 section 16, RFC 3263, RFC 5393): the Proxy transaction
 * user with its pipeline and hooks, the pieces a test or another role may reuse (target sets,
 * best-response selection, loop detection, Record-Route), and in-memory metrics. Other layers
 * and roles import only from here.
 */
export { type BranchResult, chooseBest, mergeChallenges } from './best-response.js';
export { hasUser, locationTargets } from './location-targets.js';
export { branchFor, isLoop, loopHash, loopPartOf, statelessBranch } from './loop-detection.js';
export { type MetricSample, MetricSet, type MetricType, toPrometheusText } from './metric-set.js';
export { Myself } from './myself.js';
export { type AuthVerdict, authenticate, type ProxyAuthOptions } from './proxy-auth.js';
export type { ProxyOptions } from './proxy-options.js';
export { checkProxyRequest } from './request-checks.js';
export { addRecordRoute, processRoute, type RoutedRequest, recordRouteUri } from './route-processing.js';
export { PROXY_ALLOW, type ProxyEvents, SipProxy } from './sip-proxy.js';
export { StatelessReplies } from './stateless-reply.js';
export { TargetSet } from './target-set.js';
export type {
  BranchContext,
  BranchSummary,
  FailureContext,
  FailureDecision,
  ForkingMode,
  NextHopResolver,
  ProxyHooks,
  ProxyOutcome,
  RelayPolicy,
  ReplyContext,
  ReplyDecision,
  RequestContext,
  RequestDecision,
  ResponseSpec,
  Target,
} from './types.js';
