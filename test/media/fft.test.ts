import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fft } from '../../src/media/index.js';

function dft(x: Float64Array): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += (x[t] as number) * Math.cos((2 * Math.PI * k * t) / n);
      i -= (x[t] as number) * Math.sin((2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe('FFT', () => {
  const x = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * 1000 + ((i * 37) % 11) * 50 - 250);
  const ref = dft(x);

  it('forward() matches the naive DFT', () => {
    const fft = new Fft(64);
    const re = Float64Array.from(x);
    const im = new Float64Array(64);
    fft.forward(re, im);
    for (let k = 0; k < 64; k++) {
      assert.ok(Math.abs((re[k] as number) - (ref.re[k] as number)) < 1e-6, `re[${k}]`);
      assert.ok(Math.abs((im[k] as number) - (ref.im[k] as number)) < 1e-6, `im[${k}]`);
    }
  });

  it('forwardReal() gives bins 0..N/2 of the DFT with a half-size transform', () => {
    const fft = new Fft(32);
    const re = new Float64Array(33);
    const im = new Float64Array(33);
    fft.forwardReal(x, new Float64Array(32), new Float64Array(32), re, im);
    for (let k = 0; k <= 32; k++) {
      assert.ok(Math.abs((re[k] as number) - (ref.re[k] as number)) < 1e-6, `re[${k}] ${re[k]} vs ${ref.re[k]}`);
      assert.ok(Math.abs((im[k] as number) - (ref.im[k] as number)) < 1e-6, `im[${k}] ${im[k]} vs ${ref.im[k]}`);
    }
  });

  it('refuses sizes that are not powers of two', () => {
    assert.throws(() => new Fft(48), RangeError);
  });
});
