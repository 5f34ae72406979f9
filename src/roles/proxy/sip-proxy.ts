/**
 * The stateful proxy core (RFC 3261 section 16; RFC 3263; RFC 5393), the transaction user of a
 * proxy. Each new request goes down one pipeline with an explicit outcome:
 *
 *   validation (16.3) ─> route processing (16.4) ─> authentication (22.3) ─> onRequest hooks
 *     ─> routing: policy, Route, location service (16.5) ─> response context (16.6-16.10)
 *
 * and every stage that answers says so in the outcome (`events.outcome`, metrics). Answers to
 * requests that failed authentication are sent without a transaction (section 26.3.2.4: one
 * small response, never retransmitted); other answers go through the server transaction, which
 * retransmits them and absorbs the ACK. ACKs of 2xx, responses no transaction matches and
 * CANCELs without a response context are forwarded statelessly (16.10, 16.11); a CANCEL that
 * matches reaches every pending branch (16.10).
 */

import {
  type IncomingRequest,
  type IncomingResponse,
  type OutgoingRequest,
  type OutgoingResponse,
  responseTo,
  type ValidationProblem,
} from '../../sip/index.js';
import type {
  InviteServerTransaction,
  ServerTransaction,
  TransactionLayer,
  TransactionUser,
} from '../../transaction/index.js';
import { Resolver } from '../../transport/index.js';
import { type Clock, Emitter, errorMessage, type Logger, nullLogger } from '../../util/index.js';
import { contextIdFor } from './loop-detection.js';
import { MetricSet } from './metric-set.js';
import { Myself } from './myself.js';
import { authenticate } from './proxy-auth.js';
import type { ProxyOptions } from './proxy-options.js';
import { checkProxyRequest } from './request-checks.js';
import { type ContextDeps, ResponseContext } from './response-context.js';
import { processRoute } from './route-processing.js';
import { type RoutingDeps, route } from './routing.js';
import { forwardCancel } from './stateless-cancel.js';
import { forwardAck, forwardResponse, sendResponseStatelessly } from './stateless-forward.js';
import { StatelessReplies } from './stateless-reply.js';
import type { NextHopResolver, ProxyHooks, ProxyOutcome, RequestDecision } from './types.js';

export interface ProxyEvents {
  [event: string]: unknown[];
  /** One request finished its pipeline (answered, forwarded and answered, absorbed ...). */
  outcome: [request: IncomingRequest, outcome: ProxyOutcome];
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);
/** The methods a proxy lists in Allow when it answers OPTIONS for itself. */
export const PROXY_ALLOW: readonly string[] = [
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
  'INFO',
  'MESSAGE',
  'UPDATE',
  'PRACK',
];

interface Pending {
  cancelled: boolean;
  context: ResponseContext | undefined;
}

export class SipProxy implements TransactionUser {
  readonly events: Emitter<ProxyEvents>;
  readonly metrics: MetricSet;
  readonly myself: Myself;
  readonly transactions: TransactionLayer;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: ProxyOptions;
  readonly #resolve: NextHopResolver;
  readonly #sl: StatelessReplies;
  readonly #pending = new Map<ServerTransaction, Pending>();
  readonly #contextDeps: ContextDeps;
  readonly #routingDeps: RoutingDeps;

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.transactions = options.transactions;
    this.#clock = options.clock ?? options.transactions.clock;
    this.#logger = (options.logger ?? nullLogger).child({ component: 'proxy' });
    this.metrics = options.metrics ?? new MetricSet();
    this.events = new Emitter((err, event) =>
      this.#logger.error('listener threw', { event, error: errorMessage(err) }),
    );
    const transport = options.transactions.transport;
    this.myself = new Myself(() => transport.endpoints(), options.domains ?? [], options.aliases ?? []);
    const resolver =
      options.resolve === undefined ? new Resolver({ clock: this.#clock, logger: this.#logger }) : undefined;
    this.#resolve = options.resolve ?? ((uri) => (resolver as Resolver).resolve(uri));
    this.#sl = new StatelessReplies(options.secret);
    this.#contextDeps = {
      transactions: options.transactions,
      clock: this.#clock,
      logger: this.#logger,
      resolve: this.#resolve,
      endpointFor: (t) => transport.localEndpoint(t),
      hooks: options.hooks ?? [],
      timerCMs: options.timerCMs ?? 185_000,
      ringTimeoutMs: options.ringTimeoutMs,
      forking: options.forking ?? 'q',
      defaultMaxBreadth: options.maxBreadth ?? 60,
      recurseOn3xx: options.recurseOn3xx ?? true,
      respond: (server, response) => this.respond(server, response),
      forwardStateless: (response) => sendResponseStatelessly(response, this.#statelessDeps()),
      finished: (context, status) => this.contextFinished(context, status),
    };
    this.#routingDeps = {
      myself: this.myself,
      locations: options.locations,
      relay: options.relay ?? 'local',
      natRouting: options.natRouting ?? false,
      now: () => this.#clock.wallTime(),
      registrar: options.registrar,
      allow: options.allow ?? PROXY_ALLOW,
    };
    this.metrics
      .declare('sip_requests_received_total', 'counter', 'SIP requests received, by method')
      .declare('sip_responses_sent_total', 'counter', 'SIP responses sent, by class and method')
      .declare('proxy_forwarded_total', 'counter', 'Requests forwarded on a branch, by method');
  }

  /** Requests currently being proxied (response contexts and requests still in the pipeline). */
  get activeRequests(): number {
    return this.#pending.size;
  }

  #statelessDeps() {
    return { transactions: this.transactions, resolve: this.#resolve, myself: this.myself, logger: this.#logger };
  }

  // ---------------------------------------------------------------- TransactionUser

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    this.metrics.inc('sip_requests_received_total', { method: request.method });
    const pending: Pending = { cancelled: false, context: undefined };
    this.#pending.set(tx, pending);
    this.process(request, tx, pending).catch((err: unknown) => {
      this.#logger.error('proxy pipeline failed', { method: request.method, error: errorMessage(err) });
      this.answer(request, tx, { status: 500, reason: 'Server Internal Error' }, 'routing');
    });
  }

  onAck(ack: IncomingRequest, acknowledged: InviteServerTransaction | undefined): void {
    this.metrics.inc('sip_requests_received_total', { method: 'ACK' });
    if (acknowledged !== undefined) return;
    if (this.#sl.acknowledgesOurs(ack)) {
      this.events.emit('outcome', ack, { kind: 'absorbed', what: 'ACK of a stateless answer' });
      return;
    }
    void forwardAck(ack, this.#statelessDeps()).then((v) => {
      this.events.emit(
        'outcome',
        ack,
        v === 'forwarded' ? { kind: 'stateless', method: 'ACK' } : { kind: 'absorbed', what: 'ACK with nowhere to go' },
      );
    });
  }

  onCancel(invite: InviteServerTransaction, cancel: IncomingRequest): void {
    this.metrics.inc('sip_requests_received_total', { method: 'CANCEL' });
    const pending = this.#pending.get(invite);
    if (pending === undefined) return;
    pending.cancelled = true;
    const reason = cancel.getRaw('Reason');
    pending.context?.cancel(reason.length > 0 ? reason.join(', ') : undefined);
  }

  onStrayResponse(response: IncomingResponse): void {
    forwardResponse(response, this.#statelessDeps());
  }

  // ---------------------------------------------------------------- pipeline

  private async process(request: IncomingRequest, tx: ServerTransaction, pending: Pending): Promise<void> {
    const toUs = this.addressedToUs(request);
    const check = checkProxyRequest(request, this.myself, {
      supported: this.#options.supported ?? [],
      addressedToUs: toUs,
    });
    if (!check.ok) {
      this.answer(request, tx, problemSpec(check.problem), 'validation');
      return;
    }
    const routed = processRoute(request, this.myself);
    const base = routed.request;
    // Section 16.6 step 3: "If the copy contains a Max-Forwards header field, the proxy MUST
    // decrement its value by one (1). If the copy does not contain a Max-Forwards header field,
    // the proxy MUST add one with a field value, which SHOULD be 70."
    base.set('max-forwards', (request.get('max-forwards') ?? 71) - 1);
    if (toUs && request.method === 'OPTIONS') {
      const allow = (this.#options.allow ?? PROXY_ALLOW).join(', ');
      this.answer(
        request,
        tx,
        {
          status: 200,
          headers: [
            ['Allow', allow],
            ['Accept', 'application/sdp'],
          ],
        },
        'local',
      );
      return;
    }
    if (request.method === 'CANCEL') {
      await this.cancelWithoutContext(request, tx, base, routed.routed, check.loop);
      return;
    }
    let user: string | undefined;
    if (this.#options.auth !== undefined) {
      const verdict = await authenticate(request, base, this.myself, this.#options.auth);
      if (verdict.kind === 'reject') {
        this.#logger.info('request not authenticated', { method: request.method, detail: verdict.detail });
        this.replyStateless(request, tx, verdict.response);
        return;
      }
      user = verdict.user;
    }
    if (pending.cancelled) return this.terminated(request, tx);
    const ctx = { request, local: this.myself.isLocalUri(base.uri), routed: routed.routed, authenticatedUser: user };
    const decision = await this.runRequestHooks(ctx);
    const result = await route(request, base, ctx, decision, this.#routingDeps);
    if (pending.cancelled) return this.terminated(request, tx);
    if (result.kind === 'respond') {
      this.answer(request, tx, result.spec, result.stage);
      return;
    }
    if (result.kind === 'redirect') {
      const res = responseTo(request, result.status, { contact: result.contacts });
      this.respond(tx, res);
      this.done(request, tx, { kind: 'responded', stage: 'hook', status: result.status });
      return;
    }
    const context = new ResponseContext(this.#contextDeps, {
      id: contextIdFor(request),
      original: request,
      server: tx,
      base,
      loop: check.loop,
      maxBreadth: check.maxBreadth,
      recordRoute:
        (this.#options.recordRoute ?? true) && request.toTag === undefined && DIALOG_CREATING.has(request.method),
    });
    pending.context = context;
    context.start(result.targets);
  }

  /** Section 16.10: a CANCEL no response context knows is forwarded statelessly (stateless-cancel.ts). */
  private async cancelWithoutContext(
    request: IncomingRequest,
    tx: ServerTransaction,
    base: OutgoingRequest,
    routed: boolean,
    loop: string,
  ): Promise<void> {
    const ctx = { request, local: this.myself.isLocalUri(base.uri), routed, authenticatedUser: undefined };
    const result = await route(request, base, ctx, undefined, this.#routingDeps);
    if (result.kind !== 'targets' || result.targets.length === 0) {
      this.answer(request, tx, { status: 481, reason: 'Call/Transaction Does Not Exist' }, 'routing');
      return;
    }
    // No transaction of ours: the callee's 200 comes back as a stray response, forwarded upstream.
    this.#pending.delete(tx);
    tx.abort();
    const sent = await forwardCancel(base, result.targets, loop, contextIdFor(request), this.#statelessDeps());
    this.events.emit('outcome', request, { kind: 'stateless', method: `CANCEL x${sent}` });
  }

  private async runRequestHooks(
    ctx: Parameters<NonNullable<ProxyHooks['onRequest']>>[0],
  ): Promise<RequestDecision | undefined> {
    for (const h of this.#options.hooks ?? []) {
      if (!h.onRequest) continue;
      const d = await h.onRequest(ctx);
      if (d !== undefined && d.kind !== 'continue') return d;
    }
    return undefined;
  }

  /** A request for this element itself: no user part, our address or domain, no foreign Route. */
  private addressedToUs(request: IncomingRequest): boolean {
    const uri = request.uri;
    if (uri.kind !== 'sip' || uri.user !== undefined || !this.myself.isLocalUri(uri)) return false;
    const routes = request.tryGet('route');
    return routes.ok && routes.value.every((r) => this.myself.isOwnUri(r.uri));
  }

  // ---------------------------------------------------------------- answers

  /** Sends a response on a server transaction, counting it; false when the transaction refused. */
  respond(tx: ServerTransaction, response: OutgoingResponse): boolean {
    const ok = tx.respond(response);
    if (ok) this.countResponse(response, tx.request.method);
    return ok;
  }

  private countResponse(response: OutgoingResponse, method: string): void {
    this.metrics.inc('sip_responses_sent_total', { code_class: `${Math.floor(response.status / 100)}xx`, method });
  }

  private answer(
    request: IncomingRequest,
    tx: ServerTransaction,
    spec: { status: number; reason?: string | undefined; headers?: readonly (readonly [string, string])[] | undefined },
    stage: 'validation' | 'auth' | 'policy' | 'hook' | 'routing' | 'local',
  ): void {
    this.respond(tx, responseTo(request, spec.status, { reason: spec.reason, headers: spec.headers }));
    this.done(request, tx, { kind: 'responded', stage, status: spec.status });
  }

  /** Section 26.3.2.4: one answer, no transaction, no retransmission (challenges, 403 Forbidden Auth ID). */
  private replyStateless(request: IncomingRequest, tx: ServerTransaction, response: OutgoingResponse): void {
    this.#sl.stamp(request, response);
    this.#pending.delete(tx);
    tx.abort();
    this.transactions.respondStateless(response, request).catch((err: unknown) => {
      this.#logger.info('stateless answer not sent', { status: response.status, error: errorMessage(err) });
    });
    this.countResponse(response, request.method);
    this.events.emit('outcome', request, { kind: 'responded', stage: 'auth', status: response.status });
  }

  private terminated(request: IncomingRequest, tx: ServerTransaction): void {
    this.answer(request, tx, { status: 487, reason: 'Request Terminated' }, 'routing');
  }

  private done(request: IncomingRequest, tx: ServerTransaction, outcome: ProxyOutcome): void {
    this.#pending.delete(tx);
    this.events.emit('outcome', request, outcome);
  }

  private contextFinished(context: ResponseContext, status: number): void {
    this.metrics.inc('proxy_forwarded_total', { method: context.original.method }, context.branchCount);
    this.done(context.original, context.server, { kind: 'forwarded', status, branches: context.branchCount });
  }
}

function problemSpec(p: ValidationProblem): {
  status: number;
  reason: string | undefined;
  headers: ValidationProblem['headers'];
} {
  // A 400 says what is wrong in its reason phrase, as Kamailio's sl_reply_error does.
  const reason = p.status === 400 ? p.reason.replace(/[\r\n]/g, ' ').slice(0, 80) : undefined;
  return { status: p.status, reason, headers: p.headers };
}
