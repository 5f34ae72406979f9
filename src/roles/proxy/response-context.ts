/**
 * The response context of one proxied request (RFC 3261 sections 16.6 to 16.10): the server
 * transaction towards the caller, the target set, the branches, and what goes back upstream.
 *
 *   targets ──> group (equal q, Max-Breadth) ──> branches ──> responses
 *      ^                                                        │
 *      ├── 3xx Contacts (recursion, 16.7 step 4) <──────────────┤
 *      ├── next group when every branch of this one failed <────┤
 *      └── onFailure hooks (forward on busy / no answer) <── all failed
 *
 * Upstream (16.7 step 5): provisional responses other than 100 and every 2xx at once; after a
 * 2xx (INVITE) the other branches are CANCELled (16.7 step 10) and no new ones start; a 6xx
 * cancels the others and stops the search (16.7 step 5); when no branch is left and nothing
 * started, the best response (best-response.ts). A CANCEL from upstream cancels every pending
 * branch and starts no new one (16.10).
 */
import {
  type IncomingRequest,
  type IncomingResponse,
  type OutgoingRequest,
  type OutgoingResponse,
  responseTo,
  SipUri,
} from '../../sip/index.js';
import type { ServerTransaction } from '../../transaction/index.js';
import { errorMessage } from '../../util/index.js';
import { type BranchResult, chooseBest, mergeChallenges } from './best-response.js';
import { branchFor } from './loop-detection.js';
import { type BranchDeps, type BranchEvents, ProxyBranch } from './proxy-branch.js';
import { TargetSet } from './target-set.js';
import type { BranchSummary, FailureDecision, ForkingMode, ResponseSpec, Target } from './types.js';

export interface ContextDeps extends BranchDeps {
  readonly forking: ForkingMode;
  readonly defaultMaxBreadth: number;
  readonly recurseOn3xx: boolean;
  /** Sends a response on the server transaction (counted); false when the state refused it. */
  respond(server: ServerTransaction, response: OutgoingResponse): boolean;
  /** Forwards a response without a transaction (a 2xx after a non-2xx final was sent). */
  forwardStateless(response: OutgoingResponse): void;
  /** The context is finished: a final response went upstream and no branch is pending. */
  finished(context: ResponseContext, status: number): void;
}

export interface ContextInit {
  readonly id: string;
  readonly original: IncomingRequest;
  readonly server: ServerTransaction;
  /** The request after route processing, Max-Forwards and credential removal. */
  readonly base: OutgoingRequest;
  readonly loop: string;
  readonly maxBreadth: number | undefined;
  readonly recordRoute: boolean;
}

const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

export class ResponseContext implements BranchEvents {
  readonly #targets: TargetSet;
  readonly #branches: ProxyBranch[] = [];
  readonly #results: BranchResult[] = [];
  readonly #summaries: BranchSummary[] = [];
  #stopped = false;
  #cancelled = false;
  #finalStatus: number | undefined;
  #failureRounds = 0;
  #inFailureHook = false;
  #reported = false;
  /** What new branches copy; let go once the context is finished (no branch can start then). */
  #base: OutgoingRequest | undefined;

  private readonly init: Omit<ContextInit, 'base'>;

  constructor(
    private readonly deps: ContextDeps,
    init: ContextInit,
  ) {
    const { base, ...rest } = init;
    this.init = rest;
    this.#base = base;
    this.#targets = new TargetSet(deps.forking);
  }

  get original(): IncomingRequest {
    return this.init.original;
  }

  get server(): ServerTransaction {
    return this.init.server;
  }

  get branchCount(): number {
    return this.#branches.length;
  }

  private get isInvite(): boolean {
    return this.init.original.method === 'INVITE';
  }

  /** Starts forwarding to `targets` (an empty set goes straight to the failure stage: 480). */
  start(targets: readonly Target[]): void {
    // Section 16.2 / 17.2.1: the INVITE server transaction answers 100 Trying; we send it now
    // that forwarding is decided, so that the caller stops retransmitting.
    if (this.isInvite && this.init.server.lastStatus === undefined) {
      this.deps.respond(this.init.server, responseTo(this.init.original, 100));
    }
    this.#targets.add(targets);
    if (this.init.maxBreadth === 0 && this.#targets.remaining > 0) {
      // RFC 5393 section 5.3.3: no branch may be sent with Max-Breadth 0, so a request that
      // arrives with 0 cannot be forwarded at all: 440 (Max-Breadth Exceeded).
      this.sendSpec({ status: 440, reason: 'Max-Breadth Exceeded' });
      return;
    }
    this.progress();
  }

  /** A CANCEL matched the server transaction (section 16.10). */
  cancel(reason: string | undefined): void {
    if (this.#cancelled || this.#finalStatus !== undefined) return;
    this.#cancelled = true;
    this.stopSearch(reason, true);
    this.progress();
  }

  private stopSearch(reason: string | undefined, fake487: boolean): void {
    this.#stopped = true;
    this.#targets.clear();
    for (const b of this.#branches) if (!b.done) b.cancel(reason, fake487);
  }

  private launch(): void {
    const base = this.#base;
    if (base === undefined) {
      this.deps.logger.error('response context: no branch can start once the context finished');
      return;
    }
    const group = this.#targets.nextGroup();
    const breadth = this.init.maxBreadth ?? this.deps.defaultMaxBreadth;
    // RFC 5393 section 5.3.3: the Max-Breadth values of concurrent branches sum to at most the
    // incoming one, each at least 1; the targets that do not fit wait for the next round.
    const concurrent = Math.max(1, Math.min(group.length, breadth));
    this.#targets.requeue(group.slice(concurrent));
    const share = Math.floor(breadth / concurrent);
    group.slice(0, concurrent).forEach((target, i) => {
      const index = this.#branches.length;
      const branch = new ProxyBranch(this.deps, this, {
        original: this.init.original,
        base,
        target,
        index,
        branchId: branchFor(this.init.loop, this.init.id, index),
        maxBreadth: Math.max(1, share + (i < breadth % concurrent ? 1 : 0)),
        recordRoute: this.init.recordRoute,
      });
      this.#branches.push(branch);
      branch.start();
    });
  }

  /** Decides what happens next whenever a branch finished or the context was started. */
  private progress(): void {
    if (this.#inFailureHook) return;
    if (this.#finalStatus !== undefined) {
      if (this.#branches.every((b) => b.done)) this.report();
      return;
    }
    if (this.#branches.some((b) => !b.done)) return;
    if (!this.#stopped && this.#targets.remaining > 0) {
      this.launch();
      return;
    }
    if (!this.#stopped && this.deps.hooks.some((h) => h.onFailure)) {
      void this.runFailureHooks();
      return;
    }
    this.sendBest();
  }

  private best(): { status: number; reason: string; result: BranchResult | undefined } {
    const chosen = chooseBest(this.#results);
    if (chosen !== undefined) return { status: chosen.status, reason: chosen.reason, result: chosen };
    if (this.#cancelled) return { status: 487, reason: 'Request Terminated', result: undefined };
    // Section 16.5: an empty target set "SHOULD" give 480; 16.7 step 6: no response at all, 408.
    if (this.#branches.length === 0) return { status: 480, reason: 'Temporarily Unavailable', result: undefined };
    return { status: 408, reason: 'Request Timeout', result: undefined };
  }

  private async runFailureHooks(): Promise<void> {
    this.#inFailureHook = true;
    const { status, reason } = this.best();
    let decision: FailureDecision | undefined;
    try {
      for (const h of this.deps.hooks) {
        if (!h.onFailure) continue;
        const d = await h.onFailure({
          request: this.init.original,
          best: { status, reason },
          branches: [...this.#summaries],
          round: this.#failureRounds,
        });
        if (d !== undefined && d.kind !== 'default') {
          decision = d;
          break;
        }
      }
    } catch (err) {
      this.deps.logger.error('onFailure hook threw', { error: errorMessage(err) });
    }
    this.#inFailureHook = false;
    if (this.#cancelled || this.#finalStatus !== undefined) {
      this.progress();
      return;
    }
    if (decision?.kind === 'forward') {
      this.#failureRounds++;
      if (this.#targets.add(decision.targets).length > 0) {
        this.launch();
        return;
      }
    } else if (decision?.kind === 'respond') {
      this.sendSpec(decision);
      return;
    }
    this.sendBest();
  }

  private sendSpec(spec: ResponseSpec): void {
    const res = responseTo(this.init.original, spec.status, { reason: spec.reason, headers: spec.headers });
    this.sendFinal(res);
  }

  private sendBest(): void {
    const { status, reason, result } = this.best();
    let res: OutgoingResponse;
    if (status === 503) {
      // Section 16.7 step 6: "If the only response that was received is a 503, the proxy SHOULD
      // generate a 500 response and forward that upstream" (a 503 would mean this proxy is down).
      res = responseTo(this.init.original, 500, { reason: 'Service Unavailable Downstream' });
    } else if (result?.response !== undefined) {
      res = this.upstream(result.response);
      mergeChallenges(result, res, this.#results);
    } else {
      res = responseTo(this.init.original, status, { reason });
    }
    this.sendFinal(res);
  }

  private sendFinal(res: OutgoingResponse): void {
    this.#finalStatus = res.status;
    this.deps.respond(this.init.server, res);
    this.stopSearch(undefined, false);
    this.progress();
  }

  /** Section 16.7 step 9: the response minus our Via, to the caller. */
  private upstream(response: IncomingResponse): OutgoingResponse {
    const out = response.toOutgoing();
    out.shift('via');
    return out;
  }

  private report(): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#base = undefined;
    this.deps.finished(this, this.#finalStatus ?? 500);
  }

  // ---------------------------------------------------------------- BranchEvents

  onProvisional(branch: ProxyBranch, response: IncomingResponse): void {
    if (this.hookSaysDrop(branch, response)) return;
    // Section 16.7 step 5: "Any provisional response other than 100 (Trying) MUST be forwarded
    // upstream immediately" — until a final response has been sent.
    if (this.#finalStatus === undefined) this.deps.respond(this.init.server, this.upstream(response));
  }

  onFinal(branch: ProxyBranch, result: BranchResult): void {
    const status = result.status;
    this.#summaries.push({ target: branch.target, status, reason: result.reason, local: result.local });
    if (result.response !== undefined) this.hookSaysDrop(branch, result.response);
    if (status < 300) {
      this.forward2xx(result.response as IncomingResponse);
      this.progress();
      return;
    }
    if (status < 400 && result.response !== undefined && this.recurse(result.response)) {
      this.progress();
      return;
    }
    this.#results.push(result);
    if (status >= 600 && this.#finalStatus === undefined) {
      // Section 16.7 step 5: a 6xx "SHOULD cancel all client pending transactions ... and it MUST
      // NOT create any new branches in this context".
      this.stopSearch(undefined, true);
    }
    this.progress();
  }

  onLate2xx(_branch: ProxyBranch, response: IncomingResponse): void {
    this.forward2xx(response);
  }

  private forward2xx(response: IncomingResponse): void {
    const out = this.upstream(response);
    if (this.#finalStatus === undefined) this.#finalStatus = response.status;
    // RFC 6026: an INVITE server transaction in Accepted passes every further 2xx; once a
    // non-2xx went upstream the 2xx still must reach the caller (16.7 step 5), statelessly.
    if (!this.deps.respond(this.init.server, out) && this.isInvite) this.deps.forwardStateless(out);
    // Section 16.7 step 10: "the proxy MUST generate a CANCEL request for all pending client
    // transactions associated with this response context"; no new branch starts.
    if (!this.#stopped) this.stopSearch(this.isInvite ? COMPLETED_ELSEWHERE : undefined, false);
  }

  /**
   * Section 16.7 step 4: "If the proxy chooses to recurse on any contacts in a 3xx response by
   * adding them to the target set, it MUST remove them from the response before adding the
   * response to the response context". This proxy recurses on a 3xx only when every Contact is
   * a SIP or SIPS URI, so the response never enters the context; true when it recursed.
   */
  private recurse(response: IncomingResponse): boolean {
    if (!this.deps.recurseOn3xx || this.#stopped) return false;
    const got = response.tryGet('contact');
    if (!got.ok || got.value.length === 0) return false;
    if (!got.value.every((c) => c.uri instanceof SipUri)) return false;
    const targets: Target[] = got.value.map((c) => {
      const q = Number(c.params.get('q'));
      return { uri: c.uri, q: Number.isFinite(q) && c.params.has('q') ? q : undefined, source: 'redirect' };
    });
    this.#targets.add(targets);
    return true;
  }

  private hookSaysDrop(branch: ProxyBranch, response: IncomingResponse): boolean {
    let drop = false;
    for (const h of this.deps.hooks) {
      if (!h.onReply) continue;
      try {
        const d = h.onReply({ original: this.init.original, response, target: branch.target, index: branch.index });
        if (d?.drop) drop = true;
      } catch (err) {
        this.deps.logger.error('onReply hook threw', { error: errorMessage(err) });
      }
    }
    return drop && response.status < 200;
  }
}
