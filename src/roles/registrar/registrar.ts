/**
 * The registrar (RFC 3261 section 10.3), step by step:
 * 1. the Request-URI must name a domain we serve (else 404; in `server` mode the proxy forwards
 *    REGISTERs for other domains before they get here);
 * 2. Require: 420 for extensions we lack (validation);
 * 3. authentication: 401 with WWW-Authenticate, sent once without a transaction (section
 *    26.3.2.4), the same answer for an unknown user and a wrong password (no enumeration);
 * 4. authorization: "the authenticated user is authorized to modify registrations for this
 *    address-of-record" — otherwise 403 (a user cannot register someone else's AOR);
 * 5. the AOR is the To URI, which must be in our domains (404);
 * 6-7. Contacts, expiry, 423, `*`, Call-ID/CSeq ordering (contact-updates.ts, register-guard.ts);
 * 8. the 200 OK lists every binding — sent only once the store's write has resolved, i.e. the
 *    binding is durable (a registrar killed right after its 200 OK loses nothing).
 */
import type { DigestServer, UserLookup } from '../../auth/index.js';
import { authorizedForAor } from '../../auth/index.js';
import { type IncomingRequest, type OutgoingResponse, responseTo, SipUri, validateRequest } from '../../sip/index.js';
import {
  InvalidAorError,
  InvalidRecordError,
  type LocationStore,
  normalizeAor,
  StoreClosedError,
  StoreError,
} from '../../store/index.js';
import type { ServerTransaction, TransactionLayer } from '../../transaction/index.js';
import { type Clock, Emitter, errorMessage, type Logger, nullLogger } from '../../util/index.js';
import type { MetricSet, Myself } from '../proxy/index.js';
import { contactUpdates, type ExpiryPolicy } from './contact-updates.js';
import { registerGuard } from './register-guard.js';
import { registerOk } from './registrar-response.js';

export interface RegistrarAuth {
  readonly digest: DigestServer;
  readonly users: UserLookup;
  /** One realm for every domain; default: the domain of the AOR (the To host). */
  readonly realm?: string | undefined;
}

export interface RegistrarOptions {
  readonly transactions: TransactionLayer;
  readonly locations: LocationStore;
  /** Which domains and addresses are ours (shared with the proxy in `server` mode). */
  readonly myself: Myself;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly auth?: RegistrarAuth;
  /** Seconds (default 60). */
  readonly minExpires?: number;
  /** Seconds (default 86 400). */
  readonly maxExpires?: number;
  /** Seconds (default 3600). */
  readonly defaultExpires?: number;
  /** Bindings per AOR at most (default 0: no limit). */
  readonly maxContacts?: number;
  readonly metrics?: MetricSet;
}

export type RegistrarOutcome =
  | { readonly kind: 'registered'; readonly aor: string; readonly contacts: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string }
  | { readonly kind: 'challenged'; readonly status: number };

export interface RegistrarEvents {
  [event: string]: unknown[];
  outcome: [request: IncomingRequest, outcome: RegistrarOutcome];
}

/** Option tags a REGISTER may Require of this registrar. */
const SUPPORTED = ['path'];

export class Registrar {
  readonly events: Emitter<RegistrarEvents>;
  readonly #o: RegistrarOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #policy: ExpiryPolicy;

  constructor(options: RegistrarOptions) {
    this.#o = options;
    this.#clock = options.clock ?? options.transactions.clock;
    this.#logger = (options.logger ?? nullLogger).child({ component: 'registrar' });
    this.events = new Emitter((err, event) =>
      this.#logger.error('listener threw', { event, error: errorMessage(err) }),
    );
    this.#policy = {
      minExpires: options.minExpires ?? 60,
      maxExpires: options.maxExpires ?? 86_400,
      defaultExpires: options.defaultExpires ?? 3600,
    };
    options.metrics
      ?.declare('registrar_registrations_total', 'counter', 'REGISTER requests answered, by result')
      .declare('sip_requests_received_total', 'counter', 'SIP requests received, by method')
      .declare('sip_responses_sent_total', 'counter', 'SIP responses sent, by class and method');
  }

  /** True when a REGISTER with this Request-URI is ours to answer (section 10.3 step 1). */
  servesRequestUri(uri: IncomingRequest['uri']): boolean {
    // A domain of ours on our port (or none), or our own address and port: `sip:127.0.0.1:5070`
    // is another server on this host, which the proxy forwards to (isLocalUri).
    return uri instanceof SipUri && this.#o.myself.isLocalUri(uri);
  }

  /** Answers one REGISTER on its server transaction; resolves when the answer is sent. */
  async handle(request: IncomingRequest, tx: ServerTransaction): Promise<RegistrarOutcome> {
    this.#o.metrics?.inc('sip_requests_received_total', { method: request.method });
    try {
      return await this.process(request, tx);
    } catch (err) {
      if (err instanceof InvalidRecordError || err instanceof InvalidAorError) {
        // A value the store refuses (a CSeq beyond 2^31-1, an AOR it cannot key): the request's fault.
        return this.reject(request, tx, 400, `Bad Request: ${err.message}`.slice(0, 80));
      }
      this.#logger.error('REGISTER failed', { error: errorMessage(err) });
      const busy = err instanceof StoreError || err instanceof StoreClosedError;
      const res = responseTo(request, 500, { reason: busy ? 'Location Service Failure' : 'Server Internal Error' });
      if (busy) res.appendRaw('Retry-After', '5');
      return this.finish(request, tx, res, { kind: 'rejected', status: 500, reason: errorMessage(err) });
    }
  }

  private async process(request: IncomingRequest, tx: ServerTransaction): Promise<RegistrarOutcome> {
    const problem = validateRequest(request, { role: 'registrar', supported: SUPPORTED });
    if (problem) {
      const reason = problem.status === 400 ? problem.reason.replace(/[\r\n]/g, ' ').slice(0, 80) : undefined;
      const res = responseTo(request, problem.status, { reason, headers: problem.headers });
      return this.finish(request, tx, res, { kind: 'rejected', status: problem.status, reason: problem.reason });
    }
    if (!this.servesRequestUri(request.uri)) {
      return this.reject(request, tx, 404, 'Domain Not Served Here');
    }
    const to = request.to.uri as SipUri;
    let aor: string;
    try {
      aor = normalizeAor(to);
    } catch {
      return this.reject(request, tx, 404, 'Not Found');
    }
    // Step 5: "If the address-of-record is not valid for the domain in the Request-URI, the
    // registrar MUST send a 404 (Not Found) response".
    if (!this.#o.myself.isLocalDomain(to.host)) return this.reject(request, tx, 404, 'Not Found');
    const auth = this.#o.auth;
    if (auth !== undefined) {
      const realm = auth.realm ?? this.#o.myself.realmFor(to.host);
      const verdict = await auth.digest.verify(request, { realm, proxy: false, users: auth.users });
      if (!verdict.ok) {
        this.#logger.info('REGISTER not authenticated', { aor, reason: verdict.reason, detail: verdict.detail });
        return this.challenge(request, tx, verdict.respond);
      }
      if (!authorizedForAor(verdict.username, to)) {
        this.#logger.info('REGISTER for someone else', { aor, user: verdict.username });
        return this.reject(request, tx, 403, 'Forbidden: Not Your Address Of Record');
      }
    }
    const now = this.#clock.wallTime();
    const parsed = contactUpdates(request, this.#policy, now);
    if (!parsed.ok) {
      const res = responseTo(request, parsed.status, { reason: parsed.reason, headers: parsed.headers });
      return this.finish(request, tx, res, { kind: 'rejected', status: parsed.status, reason: parsed.reason });
    }
    const guard = registerGuard({ maxContacts: this.#o.maxContacts });
    const outcome = await this.#o.locations.applyRegister(aor, parsed.update, now, guard);
    if (!outcome.ok) {
      const { status, reason } = outcome.rejection;
      const res = responseTo(request, status, { reason });
      if (status === 500) res.appendRaw('Retry-After', '1');
      return this.finish(request, tx, res, { kind: 'rejected', status, reason });
    }
    // Only now, with the write committed, may the 200 OK go out.
    const res = registerOk(request, outcome.bindings, now);
    return this.finish(request, tx, res, { kind: 'registered', aor, contacts: outcome.bindings.length });
  }

  private reject(request: IncomingRequest, tx: ServerTransaction, status: number, reason: string): RegistrarOutcome {
    return this.finish(request, tx, responseTo(request, status, { reason }), { kind: 'rejected', status, reason });
  }

  /** Section 26.3.2.4: the challenge goes out once, without a transaction. */
  private challenge(request: IncomingRequest, tx: ServerTransaction, response: OutgoingResponse): RegistrarOutcome {
    tx.abort();
    this.#o.transactions.respondStateless(response, request).catch((err: unknown) => {
      this.#logger.info('challenge not sent', { error: errorMessage(err) });
    });
    const outcome: RegistrarOutcome = { kind: 'challenged', status: response.status };
    this.count(response, outcome);
    this.events.emit('outcome', request, outcome);
    return outcome;
  }

  private finish(
    request: IncomingRequest,
    tx: ServerTransaction,
    response: OutgoingResponse,
    outcome: RegistrarOutcome,
  ): RegistrarOutcome {
    tx.respond(response);
    this.count(response, outcome);
    this.events.emit('outcome', request, outcome);
    return outcome;
  }

  private count(response: OutgoingResponse, outcome: RegistrarOutcome): void {
    const m = this.#o.metrics;
    if (m === undefined) return;
    m.inc('registrar_registrations_total', { result: outcome.kind });
    m.inc('sip_responses_sent_total', { code_class: `${Math.floor(response.status / 100)}xx`, method: 'REGISTER' });
  }
}
