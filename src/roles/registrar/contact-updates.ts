/**
 * From the Contact header fields of a REGISTER to the store's update (RFC 3261 section 10.3
 * steps 6 and 7):
 * - `Contact: *` is valid only alone and with `Expires: 0` (step 6: "If the request has
 *   additional Contact fields or an expiration time other than zero, the request is invalid,
 *   and the server MUST return a 400");
 * - each Contact's interval comes from its expires parameter, else the Expires header, else the
 *   registrar's default (step 7); a malformed value counts as absent (section 20.19: "If this
 *   header field [value] is malformed ... treated as ... 3600"); an interval above the maximum
 *   is shortened;
 * - "If and only if the requested expiration interval is greater than zero AND smaller than one
 *   hour AND less than a registrar-configured minimum, the registrar MAY reject the registration
 *   with a response of 423 (Interval Too Brief)" — and it does, with Min-Expires (10.2.8);
 * - q (a qvalue, section 20.10), +sip.instance and reg-id (RFC 5626 section 4.2, RFC 5627) are
 *   kept; every other header parameter is stored as written, so that the 200 OK and later
 *   fetches show it outside the URI exactly as registered (RFC 4475 cparam01/cparam02).
 */
import type { IncomingRequest, NameAddr, ParamEntry } from '../../sip/index.js';
import type { ContactUpdate, RegisterUpdate } from '../../store/index.js';

export interface ExpiryPolicy {
  /** Seconds; 0 < requested < min (and < 3600) is answered 423. */
  readonly minExpires: number;
  /** Seconds; longer requests are shortened to this. */
  readonly maxExpires: number;
  /** Seconds, when neither the Contact nor the request says. */
  readonly defaultExpires: number;
}

export type ContactParse =
  | { readonly ok: true; readonly update: RegisterUpdate }
  | {
      readonly ok: false;
      readonly status: number;
      readonly reason: string;
      readonly headers?: readonly (readonly [string, string])[];
    };

const MAX_DELTA = 2 ** 32 - 1;
const RESERVED = new Set(['expires', 'q']);

function deltaSeconds(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null) return undefined;
  const t = text.trim();
  if (!/^[0-9]+$/.test(t)) return undefined;
  // RFC 4475 scalar02: an interval beyond 2^32-1 is not a number we honour; treated as absent.
  const n = Number(t);
  return n > MAX_DELTA ? undefined : n;
}

/** A qvalue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ] (section 25.1). */
function qValue(text: string | null): number | undefined | 'bad' {
  if (text === null) return 'bad';
  if (!/^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(text.trim())) return 'bad';
  return Number(text.trim());
}

function otherParams(entries: readonly ParamEntry[]): string | null {
  const kept = entries.filter(([n]) => !RESERVED.has(n.toLowerCase()));
  if (kept.length === 0) return null;
  return kept.map(([n, v]) => (v === null ? `;${n}` : `;${n}=${v}`)).join('');
}

function requestExpires(request: IncomingRequest): number | undefined {
  const got = request.tryGet('expires');
  if (!got.ok) return deltaSeconds(request.getRaw('Expires')[0]);
  return got.value;
}

/** Reads the REGISTER into an update, or the status to refuse it with. */
export function contactUpdates(request: IncomingRequest, policy: ExpiryPolicy, now: number): ContactParse {
  const got = request.tryGet('contact');
  if (!got.ok) return { ok: false, status: 400, reason: 'Malformed Contact' };
  const contacts = got.value;
  const callId = request.callId;
  const cseq = request.cseq.seq;
  const headerExpires = requestExpires(request);
  if (contacts.some((c) => c.isWildcard)) {
    if (contacts.length !== 1 || headerExpires !== 0) {
      return { ok: false, status: 400, reason: 'Invalid Wildcard Contact' };
    }
    return { ok: true, update: { callId, cseq, removeAll: true, contacts: [] } };
  }
  const pathGot = request.tryGet('path');
  if (!pathGot.ok) return { ok: false, status: 400, reason: 'Malformed Path' };
  const path = pathGot.value.map((p) => p.toString());
  const updates: ContactUpdate[] = [];
  for (const c of contacts) {
    const parsed = contactUpdate(c, policy, headerExpires, now, path, request);
    if ('status' in parsed) return { ok: false, ...parsed };
    updates.push(parsed);
  }
  return { ok: true, update: { callId, cseq, contacts: updates } };
}

function contactUpdate(
  c: NameAddr,
  policy: ExpiryPolicy,
  headerExpires: number | undefined,
  now: number,
  path: readonly string[],
  request: IncomingRequest,
): ContactUpdate | { status: number; reason: string; headers?: readonly (readonly [string, string])[] } {
  const requested = deltaSeconds(c.params.get('expires')) ?? headerExpires ?? policy.defaultExpires;
  if (requested > 0 && requested < 3600 && requested < policy.minExpires) {
    return { status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', String(policy.minExpires)]] };
  }
  const granted = Math.min(requested, policy.maxExpires);
  let q: number | undefined;
  if (c.params.has('q')) {
    const v = qValue(c.params.get('q') ?? null);
    if (v === 'bad') return { status: 400, reason: 'Malformed q Parameter' };
    q = v;
  }
  let regId: number | null = null;
  if (c.params.has('reg-id')) {
    const text = c.params.get('reg-id');
    const n = text === null || text === undefined ? Number.NaN : Number(text);
    if (!/^[0-9]+$/.test(text ?? '') || n < 1 || n > 2 ** 31 - 1) {
      return { status: 400, reason: 'Malformed reg-id Parameter' };
    }
    regId = n;
  }
  return {
    contact: c.uri.toString(),
    expiresAt: granted === 0 ? now : now + granted * 1000,
    q: q ?? null,
    instanceId: c.params.getUnquoted('+sip.instance') ?? null,
    regId,
    path,
    flow: request.flow ?? null,
    userAgent: request.getRaw('User-Agent')[0] ?? null,
    contactParams: otherParams(c.params.entries()),
  };
}
