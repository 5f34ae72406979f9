/**
 * Time, injected. Every timer in Switchboard goes through a Clock so that transaction timers
 * (RFC 3261 section 17: A to K), registration expiry, ring timeouts and media pacing can run
 * under a virtual clock in tests (ARCHITECTURE.md principle 6; sofia-sip s2_nua_fast_forward).
 * This file is the only place outside tests that calls setTimeout/clearTimeout.
 */

/** A scheduled callback; cancel() is idempotent and safe after the timer fired. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds, for durations and timers. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for Date headers, nonces, CDRs and expiries stored on disk. */
  wallTime(): number;
  /** Calls fn once after delayMs (clamped to >= 0). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** The real clock: performance.now() for durations, Date.now() for wall time, Node timers. */
export class RealClock implements Clock {
  /** When unref is true, pending timers do not keep the process alive. */
  constructor(private readonly options: { unref?: boolean } = {}) {}

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    if (this.options.unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. advance(ms) fires due timers in time order (ties in the
 * order they were set), including timers set by callbacks while advancing, and moves now() to
 * each timer's due time before calling it, so a callback that reads now() sees its own deadline.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly epoch: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(start = 0, epochMs = Date.UTC(2026, 0, 1)) {
    this.current = start;
    this.epoch = epochMs - start;
  }

  now(): number {
    return this.current;
  }

  wallTime(): number {
    return this.epoch + this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting to fire. */
  pending(): number {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return this.timers.length;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.current = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.current = Math.max(this.current, target);
  }

  /** Fires timers until none is left, or until limitMs of virtual time have passed. */
  runAll(limitMs = 24 * 3600 * 1000): void {
    this.advanceTo(this.current + limitMs);
  }

  private nextDue(target: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    let live = 0;
    for (const t of this.timers) {
      if (t.cancelled) continue;
      this.timers[live++] = t;
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    this.timers.length = live;
    return best;
  }
}
