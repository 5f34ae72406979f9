/**
 * The registrar's policy, run by the store inside the REGISTER's transaction with the AOR locked
 * (so that two REGISTERs racing on two instances cannot both pass it):
 * - Call-ID / CSeq ordering, RFC 3261 section 10.3 step 7: "If the binding does exist, the
 *   registrar checks the Call-ID value. If the Call-ID value in the existing binding differs
 *   from the Call-ID value in the request, the binding MUST be removed if the expiration time is
 *   zero and updated otherwise. If they are the same, the registrar compares the CSeq value. If
 *   the value is higher than that of the existing binding, it MUST update or remove the binding
 *   as above. If not, the update MUST be aborted and the request fails." The same holds for
 *   `Contact: *` (step 6). The failure is answered 500 with Retry-After (a reordered REGISTER;
 *   the UA's next refresh carries a higher CSeq).
 * - at most `maxContacts` bindings per AOR afterwards (403, as OpenSIPS's max_contacts).
 */
import type { RegisterGuard, RegisterPlanView } from '../../store/index.js';

export interface GuardPolicy {
  /** 0 or absent: no limit. */
  readonly maxContacts?: number | undefined;
}

export function registerGuard(policy: GuardPolicy): RegisterGuard {
  return (plan: RegisterPlanView) => {
    const { callId, cseq } = plan.update;
    const touched = plan.update.removeAll ? [plan.current] : plan.matches;
    for (const bindings of touched) {
      for (const b of bindings) {
        if (b.callId === callId && cseq <= b.cseq) {
          return { status: 500, reason: `Out Of Order CSeq (${cseq} <= ${b.cseq})` };
        }
      }
    }
    const max = policy.maxContacts ?? 0;
    if (max > 0 && plan.resulting.length > max) {
      return { status: 403, reason: `Too Many Contacts (at most ${max})` };
    }
    return undefined;
  };
}
