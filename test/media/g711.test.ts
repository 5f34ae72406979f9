import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import alawmulaw from 'alawmulaw';
import {
  A_LAW_DECODE,
  A_LAW_ENCODE,
  type G711Law,
  g711Decode,
  g711Encode,
  MU_LAW_DECODE,
  MU_LAW_ENCODE,
} from '../../src/media/index.js';

// alawmulaw is CommonJS: under ESM only its default export (module.exports) is reliable.
const { alaw, mulaw } = alawmulaw;
const ORACLE = { PCMU: mulaw, PCMA: alaw } as const;
const TABLES = {
  PCMU: { enc: MU_LAW_ENCODE, dec: MU_LAW_DECODE },
  PCMA: { enc: A_LAW_ENCODE, dec: A_LAW_DECODE },
} as const;

/** Quantisation step of the segment a code belongs to, in 16-bit units (G.711 tables 1a/2a). */
function stepOf(law: G711Law, code: number): number {
  if (law === 'PCMU') return 1 << ((((~code & 0xff) >> 4) & 7) + 3);
  const segment = ((code ^ 0x55) >> 4) & 7;
  return segment <= 1 ? 16 : 1 << (segment + 3);
}

for (const law of ['PCMU', 'PCMA'] as const) {
  describe(`G.711 ${law}`, () => {
    const { enc, dec } = TABLES[law];
    const oracle = ORACLE[law];

    it('encodes all 65536 sample values to exactly the bytes alawmulaw produces', () => {
      let mismatches = 0;
      for (let x = -32768; x < 32768; x++) {
        if (enc[x & 0xffff] !== (oracle.encodeSample(x) & 0xff)) mismatches++;
      }
      assert.equal(mismatches, 0);
    });

    it('decodes all 256 codes exactly as alawmulaw does', () => {
      // `| 0`: alawmulaw returns -0 for the negative-zero codes (0x7F mu-law); a 16-bit sample has no -0.
      for (let c = 0; c < 256; c++) assert.equal(dec[c], oracle.decodeSample(c) | 0, `code ${c}`);
    });

    it('frame functions agree with the oracle on a random frame', () => {
      const pcm = new Int16Array(160).map(() => Math.round((Math.random() * 2 - 1) * 32767));
      const bytes = new Uint8Array(172);
      g711Encode(law, pcm, bytes, 12);
      assert.deepEqual(bytes.subarray(12), oracle.encode(pcm));
      const out = new Int16Array(160);
      g711Decode(law, bytes, 12, 160, out);
      assert.deepEqual(out, oracle.decode(bytes.subarray(12)));
    });

    it('keeps the round-trip error within half a quantisation step (clipping aside)', () => {
      const peak = Math.max(...dec);
      for (let x = -32768; x < 32768; x++) {
        const code = enc[x & 0xffff] as number;
        const y = dec[code] as number;
        const clipped = Math.abs(x) > peak ? Math.abs(x) - peak : 0;
        // Half a step, plus 1 for the A-law/mu-law decision levels that sit on odd values.
        const bound = stepOf(law, code) / 2 + 1 + clipped;
        if (Math.abs(y - x) > bound) assert.fail(`x=${x} -> ${code} -> ${y}: error ${Math.abs(y - x)} > ${bound}`);
      }
    });

    it('gives G.711 signal-to-quantisation-noise on a -3 dBFS 1 kHz sine (> 35 dB)', () => {
      const n = 8000;
      const pcm = new Int16Array(n);
      for (let i = 0; i < n; i++)
        pcm[i] = Math.round(32767 * 10 ** (-3 / 20) * Math.sin((2 * Math.PI * 1000 * i) / 8000 + 0.3));
      const bytes = new Uint8Array(n);
      const back = new Int16Array(n);
      g711Encode(law, pcm, bytes);
      g711Decode(law, bytes, 0, n, back);
      let s = 0;
      let e = 0;
      for (let i = 0; i < n; i++) {
        s += (pcm[i] as number) ** 2;
        e += ((pcm[i] as number) - (back[i] as number)) ** 2;
      }
      const snr = 10 * Math.log10(s / e);
      assert.ok(snr > 35, `SNR ${snr.toFixed(1)} dB`);
    });

    it('maps silence to the customary idle code (0xFF mu-law, 0xD5 A-law)', () => {
      assert.equal(enc[0], law === 'PCMU' ? 0xff : 0xd5);
    });
  });
}
