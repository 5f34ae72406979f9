import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameTicker } from '../../src/media/index.js';
import type { Clock, TimerHandle } from '../../src/util/index.js';
import { VirtualClock } from '../../src/util/index.js';

/** A virtual clock whose timers fire `lateMs` after they are due, like a busy event loop. */
class LateClock implements Clock {
  constructor(
    readonly inner: VirtualClock,
    private readonly lateMs: () => number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  wallTime(): number {
    return this.inner.wallTime();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.inner.setTimer(delayMs + this.lateMs(), fn);
  }
}

describe('FrameTicker', () => {
  it('runs the three phases in order for every participant, once per 20 ms', () => {
    const clock = new VirtualClock();
    const ticker = new FrameTicker({ clock });
    const log: string[] = [];
    const mk = (name: string) => ({
      receivePhase: (t: number) => log.push(`${name}.rx${t}`),
      mixPhase: (t: number) => log.push(`${name}.mix${t}`),
      sendPhase: (t: number) => log.push(`${name}.tx${t}`),
    });
    ticker.add(mk('a'));
    ticker.add(mk('b'));
    clock.advance(20);
    assert.deepEqual(log, [
      'a.rx0',
      'b.rx0',
      'a.mix0',
      'b.mix0',
      'a.tx0',
      'b.tx0',
      'a.rx1',
      'b.rx1',
      'a.mix1',
      'b.mix1',
      'a.tx1',
      'b.tx1',
    ]);
  });

  it('keeps a drift-free schedule: tick n runs at start + n * 20 even when every timer fires late', () => {
    const inner = new VirtualClock();
    let k = 0;
    const clock = new LateClock(inner, () => [3, 7, 1, 9, 0][k++ % 5] as number);
    const ticker = new FrameTicker({ clock });
    const times: number[] = [];
    ticker.add({ sendPhase: () => times.push(inner.now()) });
    inner.advance(10_010);
    // 10 s at 50 per second: exactly 501 ticks (0..500), none lost to accumulated lateness.
    assert.equal(times.length, 501);
    for (const [n, t] of times.entries()) assert.ok(t >= n * 20 && t < n * 20 + 10, `tick ${n} at ${t}`);
    assert.equal(ticker.stats().lateTicks, 0);
  });

  it('catches up after a stall, and skips what is beyond the catch-up limit', () => {
    const inner = new VirtualClock();
    let timers = 0;
    // The second timer fires 300 ms late (the event loop was blocked); all others on time.
    const clock = new LateClock(inner, () => (timers++ === 1 ? 300 : 0));
    const ticker = new FrameTicker({ clock, maxCatchUpTicks: 5 });
    const ran: [number, number][] = [];
    ticker.add({ sendPhase: (t) => ran.push([t, inner.now()]) });
    inner.advance(330);
    // Tick 0 at 0; then at 320 the ticker is 15 ticks behind: ticks 1..10 are skipped, 11..16
    // run back to back (the catch-up limit plus the current one), and tick 17 is due at 340.
    assert.deepEqual(ran, [
      [0, 0],
      [11, 320],
      [12, 320],
      [13, 320],
      [14, 320],
      [15, 320],
      [16, 320],
    ]);
    const s = ticker.stats();
    assert.equal(s.skippedTicks, 10);
    assert.equal(s.lateTicks, 5); // ticks 11..15 ran more than 10 ms after their due time
    inner.advance(10);
    assert.deepEqual(ran.at(-1), [17, 340]);
  });

  it('stops its timer with the last participant', () => {
    const clock = new VirtualClock();
    const ticker = new FrameTicker({ clock });
    const p = { sendPhase: () => {} };
    ticker.add(p);
    assert.equal(ticker.running, true);
    ticker.remove(p);
    assert.equal(ticker.running, false);
    assert.equal(clock.pending(), 0);
  });
});
