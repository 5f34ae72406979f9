/**
 * Call-forwarding rules per user, read by the redirect server and the proxy's failure route
 * (forward on busy / no answer, as Kamailio's failure_route does) and written by feature codes
 * (*72/*73 and the like) and the CLI. One rule per user and kind; a rule can be kept but
 * disabled, so deactivating with a feature code keeps the target for the next activation.
 */

/**
 * unconditional: every call (CFU); busy: the user answered 486/600 (CFB); no-answer: nobody
 * answered within noAnswerTimeoutSec (CFNA); unavailable: the user has no reachable binding
 * (CFNRc, "not registered").
 */
export type ForwardingKind = 'unconditional' | 'busy' | 'no-answer' | 'unavailable';

export const FORWARDING_KINDS: readonly ForwardingKind[] = ['unconditional', 'busy', 'no-answer', 'unavailable'];

export interface ForwardingRule {
  /** Canonical AOR of the forwarding user. */
  readonly user: string;
  readonly kind: ForwardingKind;
  /** Where calls go: a SIP, SIPS or tel URI text, kept as given. */
  readonly target: string;
  /** Ring time before forwarding, for kind no-answer; null means the server's default. */
  readonly noAnswerTimeoutSec: number | null;
  readonly enabled: boolean;
  /** Wall-clock ms of the last change. */
  readonly updatedAt: number;
}

export interface ForwardingRuleInput {
  readonly user: string;
  readonly kind: ForwardingKind;
  readonly target: string;
  readonly noAnswerTimeoutSec?: number | null;
  readonly enabled?: boolean;
}

export interface ForwardingStore {
  get(user: string, kind: ForwardingKind): Promise<ForwardingRule | undefined>;
  /** Rules of one user (every user when omitted), by user then in FORWARDING_KINDS order. */
  list(user?: string): Promise<ForwardingRule[]>;
  /** Creates or replaces the rule of that user and kind. */
  set(rule: ForwardingRuleInput): Promise<ForwardingRule>;
  /** Turns a rule on or off without forgetting its target; false when there is no such rule. */
  setEnabled(user: string, kind: ForwardingKind, enabled: boolean): Promise<boolean>;
  /** Deletes one rule, or all of the user's rules when kind is omitted; returns how many. */
  clear(user: string, kind?: ForwardingKind): Promise<number>;
}
