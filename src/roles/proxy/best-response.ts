/**
 * Choosing the response to send upstream when every branch has a final non-2xx response (RFC 3261
 * section 16.7 steps 6 and 7).
 *
 * Step 6: "The proxy MUST choose from the 6xx class responses if any exist in the context. If no
 * 6xx class responses are present, the proxy SHOULD choose from the lowest response class stored
 * in the response context ... The proxy SHOULD give preference to responses that provide
 * information affecting resubmission of this request, such as 401, 407, 415, 420, and 484 if the
 * 4xx class is chosen." "If no final response has been received, ... 408". Among other 4xx this
 * proxy prefers what the callee said (486 Busy over a made-up 408), as Kamailio's t_pick_branch
 * does with its 4xx priorities.
 *
 * Step 7: "If the selected response is a 401 or 407 ..., the proxy MUST collect all
 * WWW-Authenticate and Proxy-Authenticate header field values from all other 401 and 407
 * responses received so far in this response context and add them to this response without
 * modification before forwarding."
 */
import type { IncomingResponse, OutgoingResponse } from '../../sip/index.js';
import type { BranchSummary } from './types.js';

/** The final outcome of one branch: a response received, or a status made up locally. */
export interface BranchResult {
  readonly status: number;
  readonly reason: string;
  /** The response, when one was received. */
  readonly response: IncomingResponse | undefined;
  readonly local: BranchSummary['local'];
}

/** Lower is better inside one class. */
function preference(r: BranchResult): number {
  const s = r.status;
  if (s === 401 || s === 407) return 0;
  if (s === 415 || s === 420 || s === 484) return 1;
  if (r.local === undefined && (s === 486 || s === 600 || s === 603)) return 2;
  if (r.local === undefined && s !== 487 && s !== 408) return 3;
  if (r.local === undefined) return 4;
  if (r.local === 'cancelled') return 5;
  return 6;
}

/** The best final response of a context (step 6), or undefined when there is none. */
export function chooseBest(results: readonly BranchResult[]): BranchResult | undefined {
  const sixes = results.filter((r) => r.status >= 600);
  const pool =
    sixes.length > 0
      ? sixes
      : (() => {
          const lowest = Math.min(...results.map((r) => Math.floor(r.status / 100)));
          return results.filter((r) => Math.floor(r.status / 100) === lowest);
        })();
  let best: BranchResult | undefined;
  for (const r of pool) if (best === undefined || preference(r) < preference(best)) best = r;
  return best;
}

/** Step 7: adds the challenges of every other 401/407 of the context to the chosen one. */
export function mergeChallenges(
  chosen: BranchResult,
  response: OutgoingResponse,
  results: readonly BranchResult[],
): number {
  if (chosen.status !== 401 && chosen.status !== 407) return 0;
  let added = 0;
  for (const r of results) {
    if (r === chosen || r.response === undefined || (r.status !== 401 && r.status !== 407)) continue;
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) {
      const n = r.response.count(name);
      if (n === 0) continue;
      response.copyFrom(r.response, name);
      added += n;
    }
  }
  return added;
}
