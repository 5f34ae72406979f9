/**
 * RFC 3261 section 17 timer values (table 4 of appendix A) and the RFC 6026 timers L and M,
 * derived from T1, T2 and T4, which are configurable. Durations in milliseconds.
 */
export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  readonly T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly T2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  readonly T4: number;
}

export const DEFAULT_TIMER_BASE: TimerBase = { T1: 500, T2: 4000, T4: 5000 };

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

export interface TimerValues extends TimerBase {
  /** INVITE request retransmit, initially T1 (UDP only). */
  readonly A: number;
  /** INVITE transaction timeout, 64*T1. */
  readonly B: number;
  /** Wait time for response retransmits: > 32 s for UDP, 0 for reliable transports. */
  readonly D: number;
  /** Non-INVITE request retransmit, initially T1 (UDP only). */
  readonly E: number;
  /** Non-INVITE transaction timeout, 64*T1. */
  readonly F: number;
  /** INVITE response retransmit, initially T1 (UDP only). */
  readonly G: number;
  /** Wait time for ACK receipt, 64*T1. */
  readonly H: number;
  /** Wait time for ACK retransmits: T4 for UDP, 0 for reliable. */
  readonly I: number;
  /** Wait time for non-INVITE request retransmits: 64*T1 for UDP, 0 for reliable. */
  readonly J: number;
  /** Wait time for response retransmits: T4 for UDP, 0 for reliable. */
  readonly K: number;
  /** RFC 6026: wait time for accepted INVITE request retransmits, 64*T1. */
  readonly L: number;
  /** RFC 6026: wait time for retransmission of 2xx to INVITE or additional 2xx from other branches, 64*T1. */
  readonly M: number;
}

/** The timer values for one transaction, given whether its transport is reliable. */
export function timerValues(base: TimerBase, reliable: boolean): TimerValues {
  const { T1, T2, T4 } = base;
  return {
    T1,
    T2,
    T4,
    A: T1,
    B: 64 * T1,
    D: reliable ? 0 : Math.max(32000, 64 * T1),
    E: T1,
    F: 64 * T1,
    G: T1,
    H: 64 * T1,
    I: reliable ? 0 : T4,
    J: reliable ? 0 : 64 * T1,
    K: reliable ? 0 : T4,
    L: 64 * T1,
    M: 64 * T1,
  };
}
