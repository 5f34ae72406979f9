import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_SAMPLES, g711Encode, JitterBuffer, MU_LAW_DECODE } from '../../src/media/index.js';

/** A mu-law payload whose decoded samples are all close to `value` (one frame). */
function payload(value: number): Uint8Array {
  const pcm = new Int16Array(FRAME_SAMPLES).fill(value);
  const out = new Uint8Array(FRAME_SAMPLES);
  g711Encode('PCMU', pcm, out);
  return out;
}

const decoded = (v: number): number => MU_LAW_DECODE[payload(v)[0] as number] as number;

function put(jb: JitterBuffer, ts: number, value: number): boolean {
  return jb.put(ts >>> 0, payload(value), 0, FRAME_SAMPLES, MU_LAW_DECODE);
}

describe('jitter buffer', () => {
  it('plays in timestamp order after the initial delay, whatever the arrival order', () => {
    const jb = new JitterBuffer({ initialDelayMs: 40 });
    const base = 0xfffff000; // wraps past 2^32 during the test
    const order = [0, 2, 1, 3, 5, 4, 6, 7];
    const out = new Int16Array(FRAME_SAMPLES);
    const played: number[] = [];
    for (const i of order) put(jb, base + i * FRAME_SAMPLES, 1000 + i * 100);
    for (let k = 0; k < 10; k++) {
      const r = jb.get(out);
      played.push(r === 'played' ? (out[0] as number) : r === 'silence' ? 0 : -1);
    }
    // Two frames of initial delay (40 ms), then frames 0..7 in order.
    assert.deepEqual(played, [0, 0, ...order.map((_, i) => decoded(1000 + i * 100))]);
    assert.equal(jb.stats().framesConcealed, 0);
  });

  it('conceals a lost frame by repeating the last one 6 dB down, then fades to silence', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    const out = new Int16Array(FRAME_SAMPLES);
    put(jb, 0, 8000);
    jb.get(out); // delay
    assert.equal(jb.get(out), 'played');
    const last = out[0] as number;
    const results: [string, number][] = [];
    for (let k = 0; k < 5; k++) {
      const r = jb.get(out);
      results.push([r, out[0] as number]);
    }
    assert.deepEqual(results, [
      ['concealed', Math.round(last / 2)],
      ['concealed', Math.round(last / 4)],
      ['concealed', Math.round(last / 8)],
      ['silence', 0],
      ['silence', 0],
    ]);
    assert.equal(jb.stats().framesConcealed, 3);
  });

  it('drops a late packet and raises the delay by one frame', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20, maxDelayMs: 100 });
    const out = new Int16Array(FRAME_SAMPLES);
    put(jb, 0, 1000);
    jb.get(out);
    jb.get(out); // played ts 0
    jb.get(out); // ts 160 missing: concealed
    assert.equal(put(jb, 160, 2000), false); // arrives after its slot
    assert.equal(jb.stats().latePackets, 1);
    assert.equal(jb.stats().delayMs, 40);
  });

  it('skips timestamp gaps left by telephone-event packets without losing sync', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    const out = new Int16Array(FRAME_SAMPLES);
    put(jb, 0, 1000);
    put(jb, 160, 1000);
    // ticks 2..4 carried RFC 4733 events (no audio); audio resumes at tick 5
    put(jb, 5 * 160, 3000);
    const seq: string[] = [];
    for (let k = 0; k < 7; k++) seq.push(jb.get(out));
    assert.deepEqual(seq, ['silence', 'played', 'played', 'concealed', 'concealed', 'concealed', 'played']);
    assert.equal(out[0], decoded(3000));
  });

  it('resynchronises on a timestamp jump and after a long silence', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20, resetAfterMs: 100 });
    const out = new Int16Array(FRAME_SAMPLES);
    put(jb, 0, 1000);
    jb.get(out);
    jb.get(out);
    put(jb, 100_000, 2000); // far outside the ring: resync
    assert.equal(jb.stats().resyncs, 1);
    jb.get(out);
    assert.equal(jb.get(out), 'played');
    for (let k = 0; k < 10; k++) jb.get(out);
    assert.equal(jb.stats().state, 'empty');
  });

  it('skips ahead when far more than maxDelay is queued', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20, maxDelayMs: 60 });
    const out = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < 10; i++) put(jb, i * FRAME_SAMPLES, 1000 + i * 500);
    assert.equal(jb.get(out), 'played');
    assert.equal(jb.stats().skippedSamples, 9 * FRAME_SAMPLES); // the initial delay slot and frames 0..7
    // Frames 0..7 were skipped: playout resumes one delay (20 ms) behind the newest frame.
    assert.equal(out[0], decoded(1000 + 8 * 500));
    assert.equal(jb.get(out), 'played');
    assert.equal(out[0], decoded(1000 + 9 * 500));
  });
});
