/**
 * A sink that tells what it hears: the dominant frequency and the level in dBFS, over a sliding
 * window, or silence. Every `analysisIntervalFrames` frames the last `windowSamples` samples are
 * Hann-windowed and transformed (fft.ts); the strongest bin is refined by parabolic interpolation
 * of the log magnitudes (about 1 Hz accuracy for a steady tone with the default 64 ms window,
 * whose bins are 15.6 Hz apart; the real-input transform costs one 256-point complex FFT). A reading is a tone only when the peak holds at least
 * `minToneRatio` of the energy, so speech or noise read as "no tone". For targeted questions
 * ("is 1209 Hz present?") levelAt() runs the Goertzel algorithm at any frequency on the same
 * window. Changes of the dominant tone are reported through `onChange` after two agreeing
 * analyses (hysteresis against flapping).
 */
import { type AudioSink, rmsToDbfs, SAMPLE_RATE } from './audio-port.js';
import { Fft } from './fft.js';

export interface ToneReading {
  /** Dominant frequency, or null for silence or a non-tonal signal. */
  frequencyHz: number | null;
  /** RMS level of the whole window, dBFS (full-scale sine = 0 dBFS); -Infinity for digital silence. */
  levelDbfs: number;
  /** Level below silenceThresholdDbfs. */
  silent: boolean;
}

export interface SpectralPeak {
  frequencyHz: number;
  /** Level of that sine component, dBFS. */
  levelDbfs: number;
}

export interface ToneDetectorOptions {
  /** Analysis window in samples, a power of two (default 512 = 64 ms). */
  windowSamples?: number;
  /** Frames between analyses (default 5 = every 100 ms). */
  analysisIntervalFrames?: number;
  /** Below this the reading is silence (default -55 dBFS). */
  silenceThresholdDbfs?: number;
  /** Share of the energy the peak must hold to count as a tone (default 0.4). */
  minToneRatio?: number;
  /** Frequencies closer than this are "the same tone" for change reports (default 15 Hz). */
  changeToleranceHz?: number;
  onChange?: (reading: ToneReading) => void;
}

const SILENT: ToneReading = { frequencyHz: null, levelDbfs: Number.NEGATIVE_INFINITY, silent: true };

export class ToneDetector implements AudioSink {
  private readonly n: number;
  private readonly ring: Float64Array;
  private readonly window: Float64Array;
  private readonly windowed: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly mag: Float64Array;
  private readonly fft: Fft;
  private readonly interval: number;
  private readonly silenceDbfs: number;
  private readonly minRatio: number;
  private readonly tolerance: number;
  private readonly onChange: ((r: ToneReading) => void) | undefined;
  private writePos = 0;
  private filled = 0;
  private framesToAnalysis: number;
  private current: ToneReading = SILENT;
  private stable: ToneReading = SILENT;
  private candidate: ToneReading | null = null;
  /** Number of analyses run. */
  analyses = 0;

  constructor(options: ToneDetectorOptions = {}) {
    this.n = options.windowSamples ?? 512;
    this.fft = new Fft(this.n / 2);
    this.ring = new Float64Array(this.n);
    this.windowed = new Float64Array(this.n);
    this.scratchRe = new Float64Array(this.n / 2);
    this.scratchIm = new Float64Array(this.n / 2);
    this.re = new Float64Array(this.n / 2 + 1);
    this.im = new Float64Array(this.n / 2 + 1);
    this.mag = new Float64Array(this.n / 2 + 1);
    this.window = new Float64Array(this.n);
    // Periodic Hann window: coherent gain 0.5, so a sine of amplitude A peaks at A * N / 4.
    for (let i = 0; i < this.n; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / this.n);
    this.interval = Math.max(1, options.analysisIntervalFrames ?? 5);
    this.framesToAnalysis = this.interval;
    this.silenceDbfs = options.silenceThresholdDbfs ?? -55;
    this.minRatio = options.minToneRatio ?? 0.4;
    this.tolerance = options.changeToleranceHz ?? 15;
    this.onChange = options.onChange;
  }

  write(frame: Int16Array): void {
    const n = this.n;
    for (let i = 0; i < frame.length; i++) {
      this.ring[this.writePos] = frame[i] as number;
      this.writePos = (this.writePos + 1) & (n - 1);
    }
    this.filled = Math.min(n, this.filled + frame.length);
    if (--this.framesToAnalysis <= 0) {
      this.framesToAnalysis = this.interval;
      if (this.filled === n) this.analyse();
    }
  }

  /** The latest analysis. */
  get reading(): ToneReading {
    return this.current;
  }

  /** The last reading that was stable for two analyses (what onChange last reported). */
  get stableReading(): ToneReading {
    return this.stable;
  }

  /** Clears the window (e.g. when the audio path changes). */
  reset(): void {
    this.ring.fill(0);
    this.filled = 0;
    this.current = SILENT;
  }

  private analyse(): void {
    this.analyses++;
    const n = this.n;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = this.ring[(this.writePos + i) & (n - 1)] as number;
      sumSq += x * x;
      this.windowed[i] = x * (this.window[i] as number);
    }
    const levelDbfs = rmsToDbfs(Math.sqrt(sumSq / n));
    let reading: ToneReading;
    if (!(levelDbfs >= this.silenceDbfs)) {
      reading = { frequencyHz: null, levelDbfs, silent: true };
    } else {
      this.fft.forwardReal(this.windowed, this.scratchRe, this.scratchIm, this.re, this.im);
      const half = n / 2;
      let total = 0;
      let best = 2;
      for (let k = 0; k <= half; k++) {
        const m = (this.re[k] as number) ** 2 + (this.im[k] as number) ** 2;
        this.mag[k] = m;
        if (k >= 2) total += m;
        if (k >= 2 && k < half - 1 && m > (this.mag[best] as number)) best = k;
      }
      let peakEnergy = 0;
      for (let k = Math.max(2, best - 3); k <= Math.min(half, best + 3); k++) peakEnergy += this.mag[k] as number;
      const tonal = total > 0 && peakEnergy / total >= this.minRatio;
      reading = { frequencyHz: tonal ? this.interpolate(best).frequencyHz : null, levelDbfs, silent: false };
    }
    this.current = reading;
    this.track(reading);
  }

  /** Parabolic interpolation of log magnitude around bin k (spectrum in this.mag, squared). */
  private interpolate(k: number): SpectralPeak {
    const a = 0.5 * Math.log((this.mag[k - 1] as number) + 1e-12);
    const b = 0.5 * Math.log((this.mag[k] as number) + 1e-12);
    const c = 0.5 * Math.log((this.mag[k + 1] as number) + 1e-12);
    const denom = a - 2 * b + c;
    const p = denom === 0 ? 0 : (0.5 * (a - c)) / denom;
    const peakLogMag = b - 0.25 * (a - c) * p;
    const amplitude = (4 * Math.exp(peakLogMag)) / this.n;
    return { frequencyHz: ((k + p) * SAMPLE_RATE) / this.n, levelDbfs: 20 * Math.log10(amplitude / 32767) };
  }

  /**
   * The strongest spectral peaks of the last analysis (local maxima, strongest first), each with
   * its own level: how to see both talkers in a mix.
   */
  peaks(max = 4, minDbfs = -60): SpectralPeak[] {
    if (this.current.silent) return [];
    const half = this.n / 2;
    const found: SpectralPeak[] = [];
    for (let k = 2; k < half - 1; k++) {
      const m = this.mag[k] as number;
      if (m > (this.mag[k - 1] as number) && m >= (this.mag[k + 1] as number)) {
        const p = this.interpolate(k);
        if (p.levelDbfs >= minDbfs) found.push(p);
      }
    }
    found.sort((x, y) => y.levelDbfs - x.levelDbfs);
    return found.slice(0, max);
  }

  /** Level in dBFS of a sine at `frequencyHz` in the current window (Goertzel, Hann-windowed). */
  levelAt(frequencyHz: number): number {
    const n = this.n;
    const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / SAMPLE_RATE);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = (this.ring[(this.writePos + i) & (n - 1)] as number) * (this.window[i] as number);
      const s = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    const amplitude = (4 * Math.sqrt(Math.max(0, power))) / n;
    return amplitude <= 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(amplitude / 32767);
  }

  private same(a: ToneReading, b: ToneReading): boolean {
    if (a.frequencyHz === null || b.frequencyHz === null) return a.frequencyHz === b.frequencyHz;
    return Math.abs(a.frequencyHz - b.frequencyHz) <= this.tolerance;
  }

  private track(r: ToneReading): void {
    if (this.same(r, this.stable)) {
      this.candidate = null;
      return;
    }
    if (this.candidate && this.same(r, this.candidate)) {
      this.candidate = null;
      this.stable = r;
      this.onChange?.(r);
      return;
    }
    this.candidate = r;
  }
}
