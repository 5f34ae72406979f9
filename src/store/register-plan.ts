/**
 * The plan of one REGISTER against the AOR's current bindings (RFC 3261 section 10.3 steps 6-8),
 * computed in memory by both backends inside their transaction: which rows go, which rows come,
 * and what the 200 OK will list. The backends then only execute deletes and inserts.
 */
import type { Binding, RegisterPlanView, RegisterUpdate } from './binding.js';
import { checkRequestIds, orderBindings, replaces, toBinding } from './binding-rules.js';
import { InvalidRecordError } from './errors.js';

export interface RegisterPlan {
  readonly view: RegisterPlanView;
  /** Current bindings to delete (by contactKey). */
  readonly deletes: readonly Binding[];
  /** Bindings to insert. */
  readonly inserts: readonly Binding[];
  readonly added: readonly Binding[];
  readonly refreshed: readonly Binding[];
  readonly removed: readonly Binding[];
}

/**
 * `current` are the AOR's live bindings in store order. Each Contact is applied in request
 * order to a working set: the bindings it replaces leave, and unless it expires (`expiresAt <=
 * now`, Expires: 0) the new binding joins. A Contact that matches nothing and expires is a no-op,
 * as section 10.3 step 7 implies ("if the binding does not exist, it is tentatively added" —
 * with zero expiry there is nothing to add).
 */
export function planRegister(
  aor: string,
  current: readonly Binding[],
  update: RegisterUpdate,
  now: number,
): RegisterPlan {
  checkRequestIds(update.callId, update.cseq);
  if (update.removeAll && update.contacts.length > 0) {
    throw new InvalidRecordError('contacts', 'Contact: * cannot be combined with other contacts');
  }
  let working: Binding[] = update.removeAll ? [] : [...current];
  const matches: Binding[][] = [];
  const added: Binding[] = [];
  const refreshed: Binding[] = [];
  const removed: Binding[] = update.removeAll ? [...current] : [];
  for (const contact of update.contacts) {
    const next = toBinding({ ...contact, aor, callId: update.callId, cseq: update.cseq }, now);
    const hit = working.filter((b) => replaces(b, next));
    matches.push(hit);
    if (hit.length > 0) working = working.filter((b) => !hit.includes(b));
    if (next.expiresAt <= now) {
      removed.push(...hit.filter((b) => current.includes(b)));
      continue;
    }
    working.push(next);
    if (hit.some((b) => current.includes(b))) refreshed.push(next);
    else added.push(next);
  }
  const deletes = current.filter((b) => !working.includes(b));
  const inserts = working.filter((b) => !current.includes(b));
  const resulting = orderBindings(working);
  return {
    view: { aor, now, update, current, matches, resulting },
    deletes,
    inserts,
    added: added.filter((b) => working.includes(b)),
    refreshed: refreshed.filter((b) => working.includes(b)),
    removed,
  };
}
