/**
 * What a SipProxy is built from: the transaction layer it serves, the location service, the
 * authentication, forking and timer choices, and the hooks (types.ts). startServer fills these
 * from the configuration file (docs/servers.md).
 */
import type { SipUri } from '../../sip/index.js';
import type { LocationStore } from '../../store/index.js';
import type { TransactionLayer } from '../../transaction/index.js';
import type { Clock, Logger } from '../../util/index.js';
import type { MetricSet } from './metric-set.js';
import type { ProxyAuthOptions } from './proxy-auth.js';
import type { ForkingMode, NextHopResolver, ProxyHooks, RelayPolicy } from './types.js';

export interface ProxyOptions {
  readonly transactions: TransactionLayer;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** SIP domains this proxy is responsible for (its own addresses always count). */
  readonly domains?: readonly string[];
  /** Other names of this host (DNS names in Via, Route or Request-URIs). */
  readonly aliases?: readonly string[];
  /** The location service; without it only requests for other domains are forwarded. */
  readonly locations?: LocationStore;
  /** RFC 3263 next-hop resolution; default a Resolver on the system's DNS. */
  readonly resolve?: NextHopResolver;
  /** Digest authentication of our users' requests (407); none when absent. */
  readonly auth?: ProxyAuthOptions;
  /** Record-Route dialog-creating requests (default true). */
  readonly recordRoute?: boolean;
  readonly forking?: ForkingMode;
  /** Timer C, ms (default 185 000; RFC 3261 section 16.6 step 11 wants more than 3 minutes). */
  readonly timerCMs?: number;
  /** Per-branch ring timeout, ms: no final answer by then counts as 408 (default none). */
  readonly ringTimeoutMs?: number;
  /** Max-Breadth given to requests that arrive without one (RFC 5393; default 60). */
  readonly maxBreadth?: number;
  /** Try the Contacts of 3xx responses (default true). */
  readonly recurseOn3xx?: boolean;
  readonly relay?: RelayPolicy;
  /** Reach registered phones over the flow they registered from (NAT; default false). */
  readonly natRouting?: boolean;
  readonly hooks?: readonly ProxyHooks[];
  /** Option tags accepted in Proxy-Require. */
  readonly supported?: readonly string[];
  /** Where to send REGISTERs for our domains when no registrar runs beside this proxy. */
  readonly registrar?: SipUri;
  /** Methods listed in Allow when the proxy answers OPTIONS for itself. */
  readonly allow?: readonly string[];
  /** Secret for the To tags of stateless answers (instances behind one address share it). */
  readonly secret?: string | Uint8Array;
  readonly metrics?: MetricSet;
}
