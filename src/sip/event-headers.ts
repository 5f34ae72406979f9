/** Event, Subscription-State (RFC 6665 sections 8.2.1 and 8.2.3) and Replaces (RFC 3891). */
import { SipParseError } from './errors.js';
import { clip, isToken } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import type { Params } from './params.js';

export interface EventValue {
  /** Event package, e.g. "refer", "check-sync", "message-summary". */
  readonly type: string;
  /** Parameters, e.g. id (RFC 3515 section 2.4.6: one REFER subscription per id). */
  readonly params: Params;
}

function splitFirst(s: string): [string, number] {
  const semi = s.indexOf(';');
  return [(semi < 0 ? s : s.slice(0, semi)).trim(), semi < 0 ? s.length : semi];
}

export function parseEvent(s: string): EventValue {
  const [type, at] = splitFirst(s);
  if (!isToken(type)) throw new SipParseError(400, `Event: bad event type "${clip(type)}"`);
  return { type, params: parseHeaderParams(s, at, 'Event') };
}

export function printEvent(e: EventValue): string {
  return `${e.type}${e.params.toString(';')}`;
}

export interface SubscriptionStateValue {
  /** "active", "pending", "terminated" or an extension. */
  readonly state: string;
  readonly params: Params;
}

export function parseSubscriptionState(s: string): SubscriptionStateValue {
  const [state, at] = splitFirst(s);
  if (!isToken(state)) throw new SipParseError(400, `Subscription-State: bad state "${clip(state)}"`);
  return { state: state.toLowerCase(), params: parseHeaderParams(s, at, 'Subscription-State') };
}

export function printSubscriptionState(v: SubscriptionStateValue): string {
  return `${v.state}${v.params.toString(';')}`;
}

export interface ReplacesValue {
  readonly callId: string;
  /** to-tag, from-tag, early-only. */
  readonly params: Params;
}

export function parseReplaces(s: string): ReplacesValue {
  const [callId, at] = splitFirst(s);
  if (callId.length === 0 || /\s/.test(callId)) throw new SipParseError(400, `Replaces: bad Call-ID "${clip(callId)}"`);
  const params = parseHeaderParams(s, at, 'Replaces');
  if (params.get('to-tag') == null || params.get('from-tag') == null) {
    throw new SipParseError(400, 'Replaces: to-tag and from-tag are required (RFC 3891 section 6.1)');
  }
  return { callId, params };
}

export function printReplaces(r: ReplacesValue): string {
  return `${r.callId}${r.params.toString(';')}`;
}
