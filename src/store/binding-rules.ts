/**
 * Rules every backend shares for bindings: input validation, which existing bindings a Contact
 * replaces (RFC 3261 section 10.3 step 7, RFC 5626 section 6, RFC 5627), and the order in which
 * bindings are returned (q descending, then most recently written). Kept out of the SQL so that
 * SQLite and PostgreSQL cannot drift apart.
 */

import { normalizeAor } from './aor.js';
import type { Binding, BindingInput } from './binding.js';
import { contactKey, contactsMatch } from './contact-key.js';
import { InvalidRecordError } from './errors.js';

const MAX_CSEQ = 2 ** 31 - 1;

/** Call-ID and CSeq of a REGISTER (checked even when it carries no Contact). */
export function checkRequestIds(callId: string, cseq: number): void {
  if (typeof callId !== 'string' || callId.length === 0) {
    throw new InvalidRecordError('callId', 'empty Call-ID');
  }
  if (!Number.isInteger(cseq) || cseq < 0 || cseq > MAX_CSEQ) {
    throw new InvalidRecordError('cseq', `must be an integer 0..2^31-1, not ${cseq}`);
  }
}

/** Validates a binding to write and completes it into a Binding written at `now`. */
export function toBinding(input: BindingInput, now: number): Binding {
  if (typeof input.contact !== 'string' || input.contact.length === 0) {
    throw new InvalidRecordError('contact', 'empty contact');
  }
  if (!Number.isSafeInteger(input.expiresAt)) {
    throw new InvalidRecordError('expiresAt', `not an integer number of ms: ${input.expiresAt}`);
  }
  const q = input.q ?? null;
  if (q !== null && !(Number.isFinite(q) && q >= 0 && q <= 1)) {
    throw new InvalidRecordError('q', `must be between 0 and 1, not ${q}`);
  }
  checkRequestIds(input.callId, input.cseq);
  const regId = input.regId ?? null;
  if (regId !== null && !(Number.isInteger(regId) && regId >= 1 && regId <= MAX_CSEQ)) {
    throw new InvalidRecordError('regId', `must be a positive integer, not ${regId}`);
  }
  if (!Number.isSafeInteger(now)) throw new InvalidRecordError('now', `not an integer number of ms: ${now}`);
  return {
    aor: normalizeAor(input.aor),
    contact: input.contact,
    contactKey: contactKey(input.contact),
    expiresAt: input.expiresAt,
    q,
    callId: input.callId,
    cseq: input.cseq,
    instanceId: input.instanceId ?? null,
    regId,
    path: [...(input.path ?? [])],
    flow: input.flow ?? null,
    userAgent: input.userAgent ?? null,
    contactParams: input.contactParams ?? null,
    updatedAt: now,
  };
}

/**
 * Instance URNs compare without their quotes and angle brackets and case-insensitively: UAs
 * send `"<urn:uuid:F81D4FAE-...>"` and RFC 4122 UUIDs are case-insensitive hex.
 */
export function sameInstance(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const norm = (s: string): string => s.replace(/^"|"$/g, '').replace(/^<|>$/g, '').toLowerCase();
  return norm(a) === norm(b);
}

/**
 * Does `next` replace `existing`? With a +sip.instance, the instance (and reg-id, both absent
 * or both equal) decides (RFC 5626 section 6: a REGISTER with the same instance-id and reg-id
 * replaces the flow; RFC 5627: instance-id instead of URI comparison), and a binding made before
 * the UA sent an instance-id is still found by URI. Without one, section 19.1.4 URI equality
 * decides. Whatever the rules, the same canonical key is always the same binding.
 */
export function replaces(existing: Binding, next: Binding): boolean {
  if (existing.contactKey === next.contactKey) return true;
  if (next.instanceId !== null) {
    if (existing.instanceId !== null) {
      return sameInstance(existing.instanceId, next.instanceId) && existing.regId === next.regId;
    }
    return contactsMatch(existing.contact, next.contact);
  }
  return contactsMatch(existing.contact, next.contact);
}

/** Is `existing` a binding of this contact URI text (same canonical key, or section 19.1.4 equal)? */
export function sameContact(existing: Binding, contact: string): boolean {
  return existing.contactKey === contactKey(contact) || contactsMatch(existing.contact, contact);
}

/** q descending (absent q counts as 1.0), then most recently written first; stable otherwise. */
export function compareBindings(a: Binding, b: Binding): number {
  const qa = a.q ?? 1;
  const qb = b.q ?? 1;
  if (qa !== qb) return qb - qa;
  return b.updatedAt - a.updatedAt;
}

export function orderBindings(list: readonly Binding[]): Binding[] {
  return [...list].sort(compareBindings);
}
