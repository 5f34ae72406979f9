/**
 * The proxy's contract with the code that extends it (ARCHITECTURE.md principle 10: a server
 * role is a pipeline with explicit outcomes and hooks per phase, as Kamailio's request_route,
 * branch_route, onreply_route and failure_route, or repro's Processor chain):
 *
 *   request ──> onRequest ──> target set ──> onBranch (per branch) ──> response context
 *                  │                                                   │        │
 *                  └─ respond / redirect                     onReply (each)   onFailure (all failed:
 *                                                                            forward on busy / no answer)
 *
 * Every hook is optional and may be asynchronous where it decides something (onRequest,
 * onFailure). Hooks run in the order given; the first one that returns a decision other than
 * `continue` / `default` wins.
 */
import type {
  IncomingRequest,
  IncomingResponse,
  NameAddr,
  OutgoingRequest,
  SipUri,
  TransportProtocol,
  Uri,
} from '../../sip/index.js';
import type { Destination } from '../../transport/index.js';

/** One place a request may be forwarded to (RFC 3261 section 16.5: an element of the target set). */
export interface Target {
  /** The Request-URI of the forwarded request (section 16.6 step 2). */
  readonly uri: Uri;
  /** Preference (the Contact's q, 0..1); absent counts as 1.0 (section 16.6). */
  readonly q?: number | undefined;
  /** Route values to put in front of the request's own (a registration's Path, RFC 3327 section 5.4). */
  readonly route?: readonly NameAddr[] | undefined;
  /** Send here instead of resolving the next hop (the flow a UA registered over, RFC 5626). */
  readonly destination?: Destination | undefined;
  /** Where the target came from, for logs and hooks. */
  readonly source?: 'request-uri' | 'location' | 'redirect' | 'hook' | undefined;
}

/** What a response to a request is made of when a hook answers it itself. */
export interface ResponseSpec {
  readonly status: number;
  readonly reason?: string | undefined;
  readonly headers?: readonly (readonly [string, string])[] | undefined;
}

/** onRequest's decision (Kamailio request_route: sl_send_reply, redirect, lookup + t_relay). */
export type RequestDecision =
  /** Go on with the default routing (location lookup for local users, else the Request-URI). */
  | { readonly kind: 'continue' }
  /** Answer the request (4xx, 6xx, 200 to an OPTIONS ...). */
  | ({ readonly kind: 'respond' } & ResponseSpec)
  /** Answer with a 3xx listing these Contacts (a redirect server; 302 by default). */
  | {
      readonly kind: 'redirect';
      readonly contacts: readonly (NameAddr | Uri | string)[];
      readonly status?: 300 | 301 | 302 | 305 | 380 | undefined;
    }
  /** Forward to exactly these targets (forking rules apply). */
  | { readonly kind: 'forward'; readonly targets: readonly Target[] };

/** What onRequest sees. The request is immutable; `local` tells whether it addresses our domains. */
export interface RequestContext {
  readonly request: IncomingRequest;
  /** The Request-URI addresses a domain this proxy is responsible for (section 16.5). */
  readonly local: boolean;
  /** The request carried a Route to this proxy (in-dialog traffic of a dialog we record-routed). */
  readonly routed: boolean;
  /** The authenticated user name, when the proxy checked credentials. */
  readonly authenticatedUser: string | undefined;
}

/** What onBranch may change: the copy of the request for one target, before it is sent (16.6 step 5). */
export interface BranchContext {
  readonly original: IncomingRequest;
  /** The request this branch sends; headers may be added or changed. */
  readonly request: OutgoingRequest;
  readonly target: Target;
  /** 0 for the first branch of the request. */
  readonly index: number;
  /** The transport the branch leaves on. */
  readonly transport: TransportProtocol;
}

/** onReply's view of every response a branch receives (Kamailio onreply_route). */
export interface ReplyContext {
  readonly original: IncomingRequest;
  readonly response: IncomingResponse;
  readonly target: Target;
  readonly index: number;
}

/** What onReply decides: provisional responses may be kept from the caller. */
export type ReplyDecision = { readonly drop?: boolean } | undefined;

/** One finished branch, as onFailure sees it. */
export interface BranchSummary {
  readonly target: Target;
  readonly status: number;
  readonly reason: string;
  /** Why a status was made up locally: no answer in time (ring timeout, Timer C), a transport error, ... */
  readonly local: 'timeout' | 'no-answer' | 'transport' | 'cancelled' | undefined;
}

/** onFailure's view: every target failed and none answered 2xx or 6xx (Kamailio failure_route). */
export interface FailureContext {
  readonly request: IncomingRequest;
  /** The status the proxy would send now (section 16.7 step 6). */
  readonly best: { readonly status: number; readonly reason: string };
  /** Every branch tried so far, in the order they finished. */
  readonly branches: readonly BranchSummary[];
  /** How many times onFailure already forwarded this request (to stop forwarding chains). */
  readonly round: number;
}

/** onFailure's decision: new targets (forward on busy / no answer), an answer, or the best response. */
export type FailureDecision =
  | { readonly kind: 'default' }
  | { readonly kind: 'forward'; readonly targets: readonly Target[] }
  | ({ readonly kind: 'respond' } & ResponseSpec);

/** A set of hooks; a proxy takes a list of them and runs them in order. */
export interface ProxyHooks {
  readonly name?: string;
  onRequest?(ctx: RequestContext): RequestDecision | undefined | Promise<RequestDecision | undefined>;
  onBranch?(ctx: BranchContext): void;
  onReply?(ctx: ReplyContext): ReplyDecision | undefined;
  onFailure?(ctx: FailureContext): FailureDecision | undefined | Promise<FailureDecision | undefined>;
}

/** How a target set is turned into branches (section 16.6; Kamailio t_load_contacts / t_next_contacts). */
export type ForkingMode =
  /** Every target at once. */
  | 'parallel'
  /** One target after the other, highest q first. */
  | 'sequential'
  /** Highest q first; targets with equal q in parallel (the default). */
  | 'q';

/** Whose requests the proxy forwards to domains it is not responsible for. */
export type RelayPolicy =
  /** Requests from our own domains (Kamailio's default "403 Not relaying" rule). */
  | 'local'
  /** Anyone's (an open relay: only behind a firewall). */
  | 'open';

/** The outcome of one request, as the proxy reports it (events, metrics, tests). */
export type ProxyOutcome =
  | {
      readonly kind: 'responded';
      /** The pipeline stage that answered. */
      readonly stage: 'validation' | 'auth' | 'policy' | 'hook' | 'routing' | 'local';
      readonly status: number;
    }
  | { readonly kind: 'forwarded'; readonly status: number; readonly branches: number }
  | { readonly kind: 'absorbed'; readonly what: string }
  | { readonly kind: 'stateless'; readonly method: string };

/** The resolver a proxy uses for next hops (RFC 3263). */
export type NextHopResolver = (uri: SipUri) => Promise<Destination[]>;
