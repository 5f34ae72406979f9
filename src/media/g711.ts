/**
 * ITU-T G.711 mu-law (PCMU) and A-law (PCMA), table driven. The tables are built once at load
 * time by the classic segment search on the 16-bit sign-magnitude value (the formulation of the
 * widely used Sun/CCITT reference code: mu-law adds a bias of 0x84 and clips the magnitude at
 * 32635; A-law uses 16 steps per segment with the 0x55 even-bit inversion). Encoding is then one
 * lookup in a 65536-entry table per sample, decoding one lookup in a 256-entry table.
 */

/** The two G.711 laws; RTP payload types 0 (PCMU) and 8 (PCMA), RFC 3551 section 4.5.14. */
export type G711Law = 'PCMU' | 'PCMA';

const MU_BIAS = 0x84;
const MU_CLIP = 32635;

/** mu-law code of a 16-bit sample (segment search; bits inverted as G.711 table 2a requires). */
function muLawEncodeSample(sample: number): number {
  let x = sample;
  let sign = 0;
  if (x < 0) {
    x = -x;
    sign = 0x80;
  }
  x += MU_BIAS;
  if (x > MU_CLIP) x = MU_CLIP;
  // Segment = position of the highest set bit of (x >> 7), which is 1..255 after the bias.
  let segment = 0;
  for (let v = x >> 8; v > 0; v >>= 1) segment++;
  const mantissa = (x >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

function muLawDecodeSample(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MU_BIAS) << segment) - MU_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** A-law code of a 16-bit sample (segment search; even bits inverted with 0x55, G.711 table 1a). */
function aLawEncodeSample(sample: number): number {
  let x = sample === -32768 ? -32767 : sample;
  // Bit 7 set means positive in A-law.
  const sign = x >= 0 ? 0x80 : 0;
  if (x < 0) x = -x;
  if (x > MU_CLIP) x = MU_CLIP;
  let code: number;
  if (x >= 256) {
    let segment = 1;
    for (let v = x >> 9; v > 0; v >>= 1) segment++;
    code = (segment << 4) | ((x >> (segment + 3)) & 0x0f);
  } else {
    code = x >> 4;
  }
  return code ^ (sign ^ 0x55);
}

function aLawDecodeSample(code: number): number {
  const a = code ^ 0x55;
  const segment = (a >> 4) & 0x07;
  let t = ((a & 0x0f) << 4) + 8;
  if (segment >= 1) t += 0x100;
  if (segment > 1) t <<= segment - 1;
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(encode: (s: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i >= 32768 ? i - 65536 : i);
  return table;
}

function buildDecodeTable(decode: (c: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let c = 0; c < 256; c++) table[c] = decode(c);
  return table;
}

/** Index with (sample & 0xffff). */
export const MU_LAW_ENCODE: Uint8Array = buildEncodeTable(muLawEncodeSample);
export const A_LAW_ENCODE: Uint8Array = buildEncodeTable(aLawEncodeSample);
export const MU_LAW_DECODE: Int16Array = buildDecodeTable(muLawDecodeSample);
export const A_LAW_DECODE: Int16Array = buildDecodeTable(aLawDecodeSample);

export function encodeTable(law: G711Law): Uint8Array {
  return law === 'PCMU' ? MU_LAW_ENCODE : A_LAW_ENCODE;
}

export function decodeTable(law: G711Law): Int16Array {
  return law === 'PCMU' ? MU_LAW_DECODE : A_LAW_DECODE;
}

/** Encodes pcm[0..count) into out[offset..offset+count). No allocation. */
export function g711Encode(law: G711Law, pcm: Int16Array, out: Uint8Array, offset = 0, count = pcm.length): void {
  const table = law === 'PCMU' ? MU_LAW_ENCODE : A_LAW_ENCODE;
  for (let i = 0; i < count; i++) out[offset + i] = table[(pcm[i] as number) & 0xffff] as number;
}

/** Decodes bytes[start..start+count) into out[outOffset..]. No allocation. */
export function g711Decode(
  law: G711Law,
  bytes: Uint8Array,
  start: number,
  count: number,
  out: Int16Array,
  outOffset = 0,
): void {
  const table = law === 'PCMU' ? MU_LAW_DECODE : A_LAW_DECODE;
  for (let i = 0; i < count; i++) out[outOffset + i] = table[bytes[start + i] as number] as number;
}

/** The code a silent (zero) sample encodes to: 0xFF for mu-law, 0xD5 for A-law. */
export function g711Silence(law: G711Law): number {
  return law === 'PCMU' ? 0xff : 0xd5;
}
