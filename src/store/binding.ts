/**
 * The records of the location service (RFC 3261 section 10, RFC 3327 Path, RFC 5626 outbound):
 * a binding maps an address of record to one contact address, with everything the registrar
 * was told when it was made and everything the proxy needs to reach it later. Plain data,
 * identical for every backend.
 */
import type { Flow } from '../sip/index.js';

/** Where a REGISTER came from: the flow it arrived on (NAT traversal, RFC 5626 flow reuse). */
export type BindingFlow = Flow;

export interface Binding {
  /** Canonical AOR, `sip:user@host` (see normalizeAor). */
  readonly aor: string;
  /** The Contact URI text exactly as registered, URI parameters and headers kept. */
  readonly contact: string;
  /** contactKey(contact): the canonical form the store indexes. */
  readonly contactKey: string;
  /** Absolute wall-clock expiry in ms since the epoch; survives restarts unchanged. */
  readonly expiresAt: number;
  /** The Contact's q parameter (0..1), or null when the UA gave none (treated as 1.0 when ordering). */
  readonly q: number | null;
  /** Call-ID and CSeq of the REGISTER that last wrote this binding (section 10.3 step 7). */
  readonly callId: string;
  readonly cseq: number;
  /** The +sip.instance value (RFC 5626 section 4.1, RFC 5627), e.g. `<urn:uuid:...>`; null when absent. */
  readonly instanceId: string | null;
  /** The reg-id (RFC 5626 section 4.2); null when absent. */
  readonly regId: number | null;
  /** Path header values in order (RFC 3327), each a name-addr as received; empty when none. */
  readonly path: readonly string[];
  /** The flow the REGISTER arrived on; null when unknown (bindings added by hand). */
  readonly flow: BindingFlow | null;
  /** User-Agent of the registering UA, for `location show` and diagnostics. */
  readonly userAgent: string | null;
  /**
   * The Contact header field parameters other than expires and q, as written (`;+sip.instance=
   * "<urn:uuid:...>";reg-id=1;methods="INVITE,BYE"`), so that callee capabilities (RFC 3840) and
   * the 200 OK's Contact list can be rebuilt; null when none.
   */
  readonly contactParams: string | null;
  /** Wall-clock ms of the last write. */
  readonly updatedAt: number;
}

/** A binding to write; the store fills contactKey and updatedAt (from `now`). */
export interface BindingInput {
  readonly aor: string;
  readonly contact: string;
  readonly expiresAt: number;
  readonly q?: number | null;
  readonly callId: string;
  readonly cseq: number;
  readonly instanceId?: string | null;
  readonly regId?: number | null;
  readonly path?: readonly string[];
  readonly flow?: BindingFlow | null;
  readonly userAgent?: string | null;
  readonly contactParams?: string | null;
}

/** One Contact of a REGISTER: what to bind, until when; `expiresAt <= now` removes it (Expires: 0). */
export type ContactUpdate = Omit<BindingInput, 'aor' | 'callId' | 'cseq'>;

/** The whole of one REGISTER, applied atomically by LocationStore.applyRegister. */
export interface RegisterUpdate {
  readonly callId: string;
  readonly cseq: number;
  /** `Contact: *` with `Expires: 0` (section 10.3 step 6): remove every binding of the AOR. */
  readonly removeAll?: boolean;
  /** The request's Contacts in order; empty for a query (section 10.2.3). */
  readonly contacts: readonly ContactUpdate[];
}

/** Why a register guard refused the update; the registrar turns it into its response. */
export interface RegisterRejection {
  /** The status the registrar should answer (e.g. 500 for an out-of-order CSeq, 403 for too many contacts). */
  readonly status: number;
  readonly reason: string;
}

/**
 * What a REGISTER would do, shown to the guard inside the transaction before anything is
 * written: the AOR's live bindings, for each Contact the bindings it would replace (same index
 * as update.contacts), and the bindings as they would be afterwards.
 */
export interface RegisterPlanView {
  readonly aor: string;
  readonly now: number;
  readonly update: RegisterUpdate;
  readonly current: readonly Binding[];
  readonly matches: readonly (readonly Binding[])[];
  readonly resulting: readonly Binding[];
}

/**
 * The registrar's policy (Call-ID/CSeq ordering of section 10.3 steps 6 and 7, maximum contacts,
 * minimum expiry...), run synchronously inside the store's transaction with the AOR locked, so
 * that what it checks is still true when the update commits. Returns a rejection to abort.
 */
export type RegisterGuard = (plan: RegisterPlanView) => RegisterRejection | undefined;

export type RegisterOutcome =
  | {
      readonly ok: true;
      /** The AOR's bindings after the update, ordered as get() orders them (for the 200 OK). */
      readonly bindings: readonly Binding[];
      readonly added: readonly Binding[];
      readonly refreshed: readonly Binding[];
      readonly removed: readonly Binding[];
    }
  | {
      readonly ok: false;
      readonly rejection: RegisterRejection;
      /** The AOR's bindings, unchanged. */
      readonly bindings: readonly Binding[];
    };

export interface LocationStats {
  /** AORs with at least one live binding. */
  readonly aors: number;
  /** Live bindings. */
  readonly contacts: number;
}
