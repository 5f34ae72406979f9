/**
 * An in-place iterative radix-2 FFT (Cooley-Tukey, decimation in time) with precomputed twiddle
 * factors and bit-reversal permutation, for the tone detector's spectral analysis. forwardReal()
 * transforms N real samples with one N/2-point complex FFT plus a split step (the standard
 * "two real FFTs for one" packing), half the work of a complex transform. One instance per
 * transform size; no allocation per transform.
 */
export class Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;
  /** e^(-i pi k / size) for forwardReal's split step. */
  private readonly halfCos: Float64Array;
  private readonly halfSin: Float64Array;

  constructor(readonly size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, not ${size}`);
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / size);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / size);
    }
    this.halfCos = new Float64Array(size);
    this.halfSin = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      this.halfCos[k] = Math.cos((Math.PI * k) / size);
      this.halfSin[k] = -Math.sin((Math.PI * k) / size);
    }
    const bits = Math.log2(size);
    this.reversed = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }
  }

  /** Transforms (re, im) in place: X[k] = sum x[n] e^(-2 pi i k n / N). */
  forward(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const rev = this.reversed;
    for (let i = 0; i < n; i++) {
      const j = rev[i] as number;
      if (j > i) {
        const tr = re[i] as number;
        re[i] = re[j] as number;
        re[j] = tr;
        const ti = im[i] as number;
        im[i] = im[j] as number;
        im[j] = ti;
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step] as number;
          const wi = this.sin[k * step] as number;
          const a = start + k;
          const b = a + half;
          const br = re[b] as number;
          const bi = im[b] as number;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a] as number;
          const ai = im[a] as number;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
  }

  /**
   * Spectrum of `size * 2` real samples: writes bins 0..size (inclusive) of the 2*size-point DFT
   * into outRe/outIm (length >= size + 1). `scratchRe`/`scratchIm` have length `size`.
   * Packing z[n] = x[2n] + i x[2n+1], Z = FFT(z), then for k = 0..size:
   *   X[k] = (Z[k] + conj(Z[size-k]))/2 - i e^(-i pi k/size) (Z[k] - conj(Z[size-k]))/2.
   */
  forwardReal(
    input: Float64Array,
    scratchRe: Float64Array,
    scratchIm: Float64Array,
    outRe: Float64Array,
    outIm: Float64Array,
  ): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      scratchRe[i] = input[2 * i] as number;
      scratchIm[i] = input[2 * i + 1] as number;
    }
    this.forward(scratchRe, scratchIm);
    for (let k = 0; k <= n; k++) {
      const a = k % n;
      const b = (n - k) % n;
      const zr = scratchRe[a] as number;
      const zi = scratchIm[a] as number;
      const cr = scratchRe[b] as number;
      const ci = -(scratchIm[b] as number);
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      const dr = (zr - cr) / 2;
      const di = (zi - ci) / 2;
      // w = e^(-i pi k / n); X = E - i w D
      const angle = (-Math.PI * k) / n;
      const wr = k < n ? (this.halfCos[k] as number) : Math.cos(angle);
      const wi = k < n ? (this.halfSin[k] as number) : Math.sin(angle);
      const tr = wr * dr - wi * di;
      const ti = wr * di + wi * dr;
      outRe[k] = er + ti;
      outIm[k] = ei - tr;
    }
  }
}
