/**
 * A RIFF/WAVE reader and writer for telephone audio: 8 kHz mono, PCM 16-bit (format 1), A-law
 * (format 6) or mu-law (format 7) as in Microsoft's "Multimedia Programming Interface and Data
 * Specifications 1.0" and RFC 2361. PCM files get the 44-byte canonical header; G.711 files an
 * 18-byte fmt chunk and the fact chunk that non-PCM formats require. The reader walks the chunk
 * list (skipping LIST, fact and anything unknown, honouring the pad byte of odd-sized chunks),
 * accepts WAVE_FORMAT_EXTENSIBLE wrappers of those formats, and decodes to 16-bit samples.
 */
import { SwitchboardError } from '../util/index.js';
import { g711Decode, g711Encode } from './g711.js';

export type WavFormat = 'pcm16' | 'alaw' | 'mulaw';

export class WavFormatError extends SwitchboardError {
  constructor(message: string) {
    super('ERR_WAV_FORMAT', message);
  }
}

export interface WavAudio {
  format: WavFormat;
  sampleRate: number;
  channels: number;
  /** Decoded 16-bit samples; channels interleaved. */
  samples: Int16Array;
}

const FORMAT_CODE: Readonly<Record<WavFormat, number>> = { pcm16: 1, alaw: 6, mulaw: 7 };

function ascii(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at] ?? 0, buf[at + 1] ?? 0, buf[at + 2] ?? 0, buf[at + 3] ?? 0);
}

/** Parses a WAV file. Throws WavFormatError for anything it cannot play. */
export function parseWav(data: Uint8Array): WavAudio {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 12 || ascii(data, 0) !== 'RIFF' || ascii(data, 8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let at = 12;
  let fmt: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
  let body: Uint8Array | undefined;
  while (at + 8 <= data.length) {
    const id = ascii(data, at);
    const size = view.getUint32(at + 4, true);
    const start = at + 8;
    // A truncated last chunk (common in recordings that were not closed) is read as far as it goes.
    const end = Math.min(start + size, data.length);
    if (id === 'fmt ') {
      if (end - start < 16) throw new WavFormatError('fmt chunk too short');
      let code = view.getUint16(start, true);
      if (code === 0xfffe && end - start >= 40) code = view.getUint16(start + 24, true); // SubFormat GUID's first two bytes
      fmt = {
        code,
        channels: view.getUint16(start + 2, true),
        sampleRate: view.getUint32(start + 4, true),
        bits: view.getUint16(start + 14, true),
      };
    } else if (id === 'data') {
      body = data.subarray(start, end);
    }
    at = start + size + (size & 1);
  }
  if (!fmt) throw new WavFormatError('no fmt chunk');
  if (!body) throw new WavFormatError('no data chunk');
  if (fmt.channels < 1) throw new WavFormatError('zero channels');
  let format: WavFormat;
  let samples: Int16Array;
  if (fmt.code === 1 && fmt.bits === 16) {
    format = 'pcm16';
    const n = body.length >> 1;
    samples = new Int16Array(n);
    const bv = new DataView(body.buffer, body.byteOffset, n * 2);
    for (let i = 0; i < n; i++) samples[i] = bv.getInt16(i * 2, true);
  } else if ((fmt.code === 6 || fmt.code === 7) && fmt.bits === 8) {
    format = fmt.code === 6 ? 'alaw' : 'mulaw';
    samples = new Int16Array(body.length);
    g711Decode(format === 'alaw' ? 'PCMA' : 'PCMU', body, 0, body.length, samples);
  } else {
    throw new WavFormatError(`unsupported WAV encoding: format ${fmt.code}, ${fmt.bits} bits`);
  }
  return { format, sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
}

/** Mono samples of a parsed file: channel 0..n averaged. */
export function monoSamples(audio: WavAudio): Int16Array {
  if (audio.channels === 1) return audio.samples;
  const n = Math.floor(audio.samples.length / audio.channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < audio.channels; c++) s += audio.samples[i * audio.channels + c] as number;
    out[i] = Math.round(s / audio.channels);
  }
  return out;
}

/** Writes 8 kHz (or `sampleRate`) mono samples as a WAV file in the given encoding. */
export function encodeWav(samples: Int16Array, format: WavFormat = 'pcm16', sampleRate = 8000): Buffer {
  const g711 = format !== 'pcm16';
  const bytesPerSample = g711 ? 1 : 2;
  const dataBytes = samples.length * bytesPerSample;
  const fmtSize = g711 ? 18 : 16;
  const factBytes = g711 ? 12 : 0;
  const pad = dataBytes & 1;
  const total = 12 + 8 + fmtSize + factBytes + 8 + dataBytes + pad;
  const out = Buffer.alloc(total);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(total - 8, 4);
  out.write('WAVE', 8, 'ascii');
  let at = 12;
  out.write('fmt ', at, 'ascii');
  out.writeUInt32LE(fmtSize, at + 4);
  out.writeUInt16LE(FORMAT_CODE[format], at + 8);
  out.writeUInt16LE(1, at + 10);
  out.writeUInt32LE(sampleRate, at + 12);
  out.writeUInt32LE(sampleRate * bytesPerSample, at + 16);
  out.writeUInt16LE(bytesPerSample, at + 20);
  out.writeUInt16LE(bytesPerSample * 8, at + 22);
  if (g711) out.writeUInt16LE(0, at + 24); // cbSize
  at += 8 + fmtSize;
  if (g711) {
    out.write('fact', at, 'ascii');
    out.writeUInt32LE(4, at + 4);
    out.writeUInt32LE(samples.length, at + 8);
    at += 12;
  }
  out.write('data', at, 'ascii');
  out.writeUInt32LE(dataBytes, at + 4);
  at += 8;
  if (g711) g711Encode(format === 'alaw' ? 'PCMA' : 'PCMU', samples, out, at);
  else for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] as number, at + i * 2);
  return out;
}
