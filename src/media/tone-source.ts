/**
 * Tone generators: one or more sine components (a single test tone, a dual tone such as the
 * 350+440 Hz North American dial tone or a DTMF pair) at a level in dBFS, optionally switched on
 * and off with a cadence (ringback 425 Hz 1 s on / 4 s off, busy 0.5/0.5, ...). The phase runs
 * continuously across frames so the signal has no clicks at frame boundaries.
 */
import { type AudioSource, dbfsToAmplitude, SAMPLE_RATE } from './audio-port.js';

export interface ToneComponent {
  frequency: number;
  /** Level of this component alone, dBFS (full-scale sine = 0 dBFS). */
  levelDbfs: number;
}

export interface ToneSourceOptions {
  components: readonly ToneComponent[];
  /** On/off cadence in ms; omit for a continuous tone. */
  cadence?: { onMs: number; offMs: number };
}

export class ToneSource implements AudioSource {
  private readonly steps: Float64Array;
  private readonly amplitudes: Float64Array;
  private readonly phases: Float64Array;
  private readonly cadenceSamples: { on: number; period: number } | null;
  private sampleIndex = 0;

  constructor(options: ToneSourceOptions) {
    const n = options.components.length;
    this.steps = new Float64Array(n);
    this.amplitudes = new Float64Array(n);
    this.phases = new Float64Array(n);
    options.components.forEach((c, i) => {
      this.steps[i] = (2 * Math.PI * c.frequency) / SAMPLE_RATE;
      this.amplitudes[i] = dbfsToAmplitude(c.levelDbfs);
    });
    this.cadenceSamples = options.cadence
      ? {
          on: Math.round((options.cadence.onMs * SAMPLE_RATE) / 1000),
          period: Math.round(((options.cadence.onMs + options.cadence.offMs) * SAMPLE_RATE) / 1000),
        }
      : null;
  }

  /** A single tone. */
  static single(frequency: number, levelDbfs = -10): ToneSource {
    return new ToneSource({ components: [{ frequency, levelDbfs }] });
  }

  /** Two tones of equal level (dual tone). */
  static dual(f1: number, f2: number, levelDbfs = -13): ToneSource {
    return new ToneSource({
      components: [
        { frequency: f1, levelDbfs },
        { frequency: f2, levelDbfs },
      ],
    });
  }

  read(frame: Int16Array): boolean {
    const n = this.steps.length;
    let active = false;
    for (let i = 0; i < frame.length; i++) {
      const cad = this.cadenceSamples;
      const on = !cad || this.sampleIndex % cad.period < cad.on;
      this.sampleIndex++;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const p = this.phases[k] as number;
        if (on) v += (this.amplitudes[k] as number) * Math.sin(p);
        const next = p + (this.steps[k] as number);
        this.phases[k] = next > 2 * Math.PI ? next - 2 * Math.PI : next;
      }
      const s = Math.round(v);
      frame[i] = Math.max(-32768, Math.min(32767, s));
      if (on) active = true;
    }
    return active;
  }
}

/** Digital silence. */
export class SilenceSource implements AudioSource {
  read(frame: Int16Array): boolean {
    frame.fill(0);
    return false;
  }
}
