/** Validation of forwarding rules, shared by both backends. */
import { parseUri } from '../sip/index.js';
import { normalizeAor } from './aor.js';
import { InvalidRecordError } from './errors.js';
import {
  FORWARDING_KINDS,
  type ForwardingKind,
  type ForwardingRule,
  type ForwardingRuleInput,
} from './forwarding-store.js';

export function checkKind(kind: string): ForwardingKind {
  if (!(FORWARDING_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidRecordError('kind', `must be one of ${FORWARDING_KINDS.join(', ')}, not "${kind}"`);
  }
  return kind as ForwardingKind;
}

/** Completes and validates a rule written at `now`. The target must be a SIP, SIPS or tel URI. */
export function toForwardingRule(input: ForwardingRuleInput, now: number): ForwardingRule {
  const kind = checkKind(input.kind);
  let scheme: string;
  try {
    scheme = parseUri(input.target.trim()).scheme;
  } catch (err) {
    throw new InvalidRecordError('target', (err as Error).message);
  }
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    throw new InvalidRecordError('target', `must be a sip, sips or tel URI, not ${scheme}:`);
  }
  const timeout = input.noAnswerTimeoutSec ?? null;
  if (timeout !== null && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 3600)) {
    throw new InvalidRecordError('noAnswerTimeoutSec', `must be an integer 1..3600, not ${timeout}`);
  }
  return {
    user: normalizeAor(input.user),
    kind,
    target: input.target.trim(),
    noAnswerTimeoutSec: timeout,
    enabled: input.enabled ?? true,
    updatedAt: now,
  };
}

/** list() order in every backend: by user, then in FORWARDING_KINDS order. */
export function orderRules(rules: ForwardingRule[]): ForwardingRule[] {
  const rank = (k: ForwardingKind): number => FORWARDING_KINDS.indexOf(k);
  return rules.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : rank(a.kind) - rank(b.kind)));
}
