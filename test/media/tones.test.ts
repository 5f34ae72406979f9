import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_SAMPLES, SilenceSource, ToneDetector, type ToneReading, ToneSource } from '../../src/media/index.js';

function feed(detector: ToneDetector, source: { read(f: Int16Array): boolean }, frames: number): void {
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < frames; i++) {
    source.read(frame);
    detector.write(frame);
  }
}

describe('tone generator', () => {
  it('produces a continuous sine at the requested level (full-scale sine = 0 dBFS)', () => {
    const src = ToneSource.single(1000, -6);
    const frame = new Int16Array(FRAME_SAMPLES);
    let peak = 0;
    let sumSq = 0;
    for (let i = 0; i < 50; i++) {
      src.read(frame);
      for (const s of frame) {
        peak = Math.max(peak, Math.abs(s));
        sumSq += s * s;
      }
    }
    const rms = Math.sqrt(sumSq / (50 * FRAME_SAMPLES));
    assert.ok(Math.abs(peak - 32767 * 10 ** (-6 / 20)) < 2);
    assert.ok(Math.abs(20 * Math.log10((rms * Math.SQRT2) / 32767) + 6) < 0.05);
  });

  it('follows a cadence: on for onMs, silent for offMs', () => {
    const src = new ToneSource({ components: [{ frequency: 425, levelDbfs: -10 }], cadence: { onMs: 40, offMs: 60 } });
    const frame = new Int16Array(FRAME_SAMPLES);
    const active: boolean[] = [];
    for (let i = 0; i < 10; i++) active.push(src.read(frame));
    assert.deepEqual(active, [true, true, false, false, false, true, true, false, false, false]);
  });
});

describe('tone detector', () => {
  it('finds the frequency of tones across the telephone band to within 3 Hz, and their level', () => {
    for (const f of [300, 404, 697, 1000, 1209, 1633, 2100, 2600, 3400]) {
      const d = new ToneDetector();
      feed(d, ToneSource.single(f, -20), 20);
      const r = d.reading;
      assert.ok(r.frequencyHz !== null && Math.abs(r.frequencyHz - f) < 3, `${f} Hz read as ${r.frequencyHz}`);
      assert.ok(Math.abs(r.levelDbfs + 20) < 0.5, `level ${r.levelDbfs}`);
    }
  });

  it('sees both components of a mix with peaks(), and a given one with levelAt()', () => {
    const d = new ToneDetector();
    feed(
      d,
      new ToneSource({
        components: [
          { frequency: 400, levelDbfs: -12 },
          { frequency: 1200, levelDbfs: -18 },
        ],
      }),
      20,
    );
    const [p1, p2] = d.peaks(2);
    assert.ok(p1 && Math.abs(p1.frequencyHz - 400) < 3 && Math.abs(p1.levelDbfs + 12) < 1);
    assert.ok(p2 && Math.abs(p2.frequencyHz - 1200) < 3 && Math.abs(p2.levelDbfs + 18) < 1);
    assert.ok(Math.abs(d.levelAt(1200) + 18) < 1);
    assert.ok(d.levelAt(2000) < -50);
    assert.equal(d.reading.frequencyHz !== null && Math.round(d.reading.frequencyHz / 10), 40);
  });

  it('reads silence and noise as no tone', () => {
    const d = new ToneDetector();
    feed(d, new SilenceSource(), 20);
    assert.deepEqual(d.reading, { frequencyHz: null, levelDbfs: Number.NEGATIVE_INFINITY, silent: true });
    let seed = 1;
    const noise = {
      read(f: Int16Array): boolean {
        for (let i = 0; i < f.length; i++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          f[i] = (seed % 8000) - 4000;
        }
        return true;
      },
    };
    feed(d, noise, 20);
    assert.equal(d.reading.frequencyHz, null);
    assert.equal(d.reading.silent, false);
  });

  it('reports changes once they hold for two analyses', () => {
    const changes: ToneReading[] = [];
    const d = new ToneDetector({ onChange: (r) => changes.push(r) });
    feed(d, ToneSource.single(500), 30);
    feed(d, ToneSource.single(505), 30); // within tolerance: no change
    feed(d, ToneSource.single(900), 30);
    feed(d, new SilenceSource(), 30);
    assert.deepEqual(
      changes.map((c) => (c.frequencyHz === null ? null : Math.round(c.frequencyHz))),
      [500, 900, null],
    );
  });
});
