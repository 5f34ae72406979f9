/**
 * One 20 ms clock for every stream and bridge of a phone or a process: a single timer from the
 * injected Clock drives all participants, instead of one timer per stream. The schedule is
 * drift-free: tick n is due at start + n * 20 ms, and the next timer is set for that instant,
 * never "20 ms after the last one" (so timer lateness does not accumulate).
 *
 * Each tick runs in three phases, so that a conference mixes the audio its members received in
 * the same tick and they send the mix in the same tick (PJSIP's conference bridge does the same
 * with get_frame/put_frame):
 *   1. receive: every stream pulls 20 ms from its jitter buffer (and feeds its sinks);
 *   2. mix:     every bridge mixes what its members received;
 *   3. send:    every stream encodes and sends 20 ms.
 *
 * When the process stalls, the ticker catches up by running the missed ticks back to back (up to
 * maxCatchUpTicks); beyond that it skips ticks (the streams see a timestamp jump, which is the
 * truth: that audio was never produced). Lateness per tick is measured for the benchmarks.
 */
import type { Clock, TimerHandle } from '../util/index.js';
import { FRAME_MS } from './audio-port.js';

export interface TickParticipant {
  /** Phase 1: pull received audio for tick `tick`. */
  receivePhase?(tick: number): void;
  /** Phase 2: mix. */
  mixPhase?(tick: number): void;
  /** Phase 3: produce and send. */
  sendPhase?(tick: number): void;
}

export interface FrameTickerOptions {
  clock: Clock;
  /** Catch-up limit after a stall, in ticks (default 5 = 100 ms). */
  maxCatchUpTicks?: number;
  /** A tick run more than this after its due time counts as late (default 10 ms). */
  lateThresholdMs?: number;
  /** Errors thrown by participants are reported here rather than breaking the clock. */
  onError?: (err: unknown) => void;
}

export interface FrameTickerStats {
  ticks: number;
  /** Ticks that ran more than lateThresholdMs after their due time. */
  lateTicks: number;
  skippedTicks: number;
  maxLatenessMs: number;
  /** Sum of lateness over all ticks, ms (mean = sum / ticks). */
  totalLatenessMs: number;
}

export class FrameTicker {
  private readonly clock: Clock;
  private readonly maxCatchUp: number;
  private readonly lateThreshold: number;
  private readonly onError: (err: unknown) => void;
  private participants: TickParticipant[] = [];
  private startAt = 0;
  private nextTick = 0;
  private timer: TimerHandle | null = null;
  private firing = false;
  private readonly counters: FrameTickerStats = {
    ticks: 0,
    lateTicks: 0,
    skippedTicks: 0,
    maxLatenessMs: 0,
    totalLatenessMs: 0,
  };

  constructor(options: FrameTickerOptions) {
    this.clock = options.clock;
    this.maxCatchUp = options.maxCatchUpTicks ?? 5;
    this.lateThreshold = options.lateThresholdMs ?? 10;
    this.onError = options.onError ?? (() => {});
  }

  /** Index of the next tick to run; a participant added now first runs in this tick. */
  get currentTick(): number {
    return this.nextTick;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  get size(): number {
    return this.participants.length;
  }

  /** Adds a participant; the clock starts with the first one. */
  add(p: TickParticipant): void {
    if (this.participants.includes(p)) return;
    // Copy on write: a tick in progress keeps iterating its own snapshot.
    this.participants = [...this.participants, p];
    if (!this.timer && !this.firing) {
      this.startAt = this.clock.now() - this.nextTick * FRAME_MS;
      this.schedule();
    }
  }

  /** Removes a participant; the clock stops with the last one. */
  remove(p: TickParticipant): void {
    if (!this.participants.includes(p)) return;
    this.participants = this.participants.filter((x) => x !== p);
    if (this.participants.length === 0 && this.timer) {
      this.timer.cancel();
      this.timer = null;
    }
  }

  stats(): FrameTickerStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters.ticks = 0;
    this.counters.lateTicks = 0;
    this.counters.skippedTicks = 0;
    this.counters.maxLatenessMs = 0;
    this.counters.totalLatenessMs = 0;
  }

  private schedule(): void {
    const due = this.startAt + this.nextTick * FRAME_MS;
    this.timer = this.clock.setTimer(due - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    this.firing = true;
    try {
      this.catchUp();
    } finally {
      this.firing = false;
    }
    if (this.participants.length > 0 && !this.timer) this.schedule();
  }

  private catchUp(): void {
    const now = this.clock.now();
    let behind = Math.floor((now - this.startAt) / FRAME_MS) - this.nextTick;
    if (behind > this.maxCatchUp) {
      // Too far behind to catch up: skip the oldest ticks.
      const skip = behind - this.maxCatchUp;
      this.nextTick += skip;
      this.counters.skippedTicks += skip;
      behind = this.maxCatchUp;
    }
    for (let i = 0; i <= behind && this.participants.length > 0; i++) {
      const tick = this.nextTick++;
      const lateness = this.clock.now() - (this.startAt + tick * FRAME_MS);
      this.counters.ticks++;
      this.counters.totalLatenessMs += Math.max(0, lateness);
      if (lateness > this.counters.maxLatenessMs) this.counters.maxLatenessMs = lateness;
      if (lateness > this.lateThreshold) this.counters.lateTicks++;
      this.runTick(tick);
    }
  }

  private runTick(tick: number): void {
    const list = this.participants;
    for (const p of list) {
      if (!p.receivePhase) continue;
      try {
        p.receivePhase(tick);
      } catch (err) {
        this.onError(err);
      }
    }
    for (const p of list) {
      if (!p.mixPhase) continue;
      try {
        p.mixPhase(tick);
      } catch (err) {
        this.onError(err);
      }
    }
    for (const p of list) {
      if (!p.sendPhase) continue;
      try {
        p.sendPhase(tick);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
