/**
 * Audio files for the real peers: the tone WAV a peer plays as its microphone (8 kHz mono 16-bit
 * PCM, made with media/'s ToneSource and WAV writer), and the analysis of what a peer recorded
 * (baresip's sndfile `-dec.wav`, linphonec's `record` file) with media/'s tone detector, window by
 * window: a recording "holds" a tone (or a mix of tones) when enough consecutive analysis windows
 * hear exactly those tones, never from one window.
 *
 * The reader is lenient about the header: a file still being written (libsndfile and
 * mediastreamer2 fix the sizes only when they close it) has a zeroed header, a data size of 0, or
 * the size of an earlier close; the samples are whatever follows the data chunk header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeWav, FRAME_SAMPLES, ToneDetector, ToneSource } from '../../../src/media/index.js';

/** Writes `seconds` of a sine tone (or several, mixed) to a WAV file a peer can play. */
export function writeToneWav(path: string, hz: number | readonly number[], seconds = 60, levelDbfs = -12): void {
  const tones = typeof hz === 'number' ? [hz] : hz;
  const source = new ToneSource({ components: tones.map((frequency) => ({ frequency, levelDbfs })) });
  const samples = new Int16Array(Math.round(seconds * 8000));
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let at = 0; at < samples.length; at += FRAME_SAMPLES) {
    source.read(frame);
    samples.set(frame.subarray(0, Math.min(FRAME_SAMPLES, samples.length - at)), at);
  }
  writeFileSync(path, encodeWav(samples));
}

/** The samples of an 8 kHz mono 16-bit PCM WAV file, tolerating a header not yet finalised. */
export function readRecording(path: string): Int16Array {
  const data = readFileSync(path);
  // mediastreamer2 (linphonec's `record`) leaves the 44-byte header zeroed until it closes the
  // file: what follows is 16-bit PCM at the codec's rate (8 kHz for G.711).
  if (data.length >= 44 && data.subarray(0, 44).every((b) => b === 0)) {
    const n = Math.floor((data.length - 44) / 2);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = data.readInt16LE(44 + 2 * i);
    return out;
  }
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error(`${path}: not a RIFF/WAVE file (${data.length} bytes)`);
  let at = 12;
  let format: { code: number; channels: number; rate: number; bits: number } | undefined;
  while (at + 8 <= data.length) {
    const id = data.toString('latin1', at, at + 4);
    const size = data.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      format = {
        code: data.readUInt16LE(body),
        channels: data.readUInt16LE(body + 2),
        rate: data.readUInt32LE(body + 4),
        bits: data.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${path}: data before fmt`);
      if (format.code !== 1 || format.bits !== 16 || format.channels !== 1 || format.rate !== 8000)
        throw new Error(`${path}: expected 8 kHz mono 16-bit PCM, got ${JSON.stringify(format)}`);
      // A file still being written may carry the size of an earlier close (mediastreamer2 rewrites
      // the header when a re-INVITE restarts the stream) or 0: the samples run to the end.
      const end = data.length;
      const n = Math.floor((end - body) / 2);
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = data.readInt16LE(body + 2 * i);
      return out;
    }
    at = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** One analysis window: the tones present (strongest first), or none when silent. */
export interface AudioWindow {
  /** Offset in the file, seconds. */
  readonly atS: number;
  readonly tones: readonly number[];
  readonly silent: boolean;
  readonly levelDbfs: number;
}

/** A peak counts as a tone within this many dB of the strongest one (as the phone's speaker). */
const MIX_RANGE_DB = 12;
const MIN_TONE_DBFS = -45;

/** Runs media/'s tone detector over the samples: one reading every 100 ms. */
export function analyseSamples(samples: Int16Array): AudioWindow[] {
  const windows: AudioWindow[] = [];
  const detector = new ToneDetector();
  const frame = new Int16Array(FRAME_SAMPLES);
  let analyses = 0;
  for (let at = 0; at + FRAME_SAMPLES <= samples.length; at += FRAME_SAMPLES) {
    frame.set(samples.subarray(at, at + FRAME_SAMPLES));
    detector.write(frame);
    if (detector.analyses === analyses) continue;
    analyses = detector.analyses;
    const reading = detector.reading;
    const peaks = reading.silent ? [] : detector.peaks(6, MIN_TONE_DBFS);
    const strongest = peaks[0]?.levelDbfs ?? Number.NEGATIVE_INFINITY;
    windows.push({
      atS: (at + FRAME_SAMPLES) / 8000,
      tones: peaks.filter((p) => p.levelDbfs >= strongest - MIX_RANGE_DB).map((p) => Math.round(p.frequencyHz)),
      silent: reading.silent,
      levelDbfs: reading.levelDbfs,
    });
  }
  return windows;
}

const TOLERANCE_HZ = 20;

/** The window hears exactly these tones ([] = silence). */
export function hearsExactly(w: AudioWindow, tones: readonly number[]): boolean {
  if (tones.length === 0) return w.silent;
  if (w.tones.length !== tones.length) return false;
  return tones.every((t) => w.tones.some((h) => Math.abs(h - t) <= TOLERANCE_HZ));
}

/** The longest run of consecutive windows hearing exactly `tones`, in seconds. */
export function longestRunS(windows: readonly AudioWindow[], tones: readonly number[]): number {
  let best = 0;
  let run = 0;
  for (const w of windows) {
    run = hearsExactly(w, tones) ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best / 10;
}

/** A short description of what a recording holds, for assertion messages: "0.0-1.2 s silence, 1.2-5.3 s 440 Hz". */
export function describeWindows(windows: readonly AudioWindow[]): string {
  const parts: string[] = [];
  let label = '';
  let from = 0;
  const flush = (to: number) => {
    if (label !== '') parts.push(`${from.toFixed(1)}-${to.toFixed(1)} s ${label}`);
  };
  for (const w of windows) {
    const l = w.silent
      ? 'silence'
      : w.tones.length === 0
        ? 'no tone'
        : w.tones
            .map((t) => Math.round(t / 10) * 10)
            .sort((a, b) => a - b)
            .join('+') + ' Hz';
    if (l !== label) {
      flush(w.atS);
      label = l;
      from = w.atS;
    }
  }
  flush(windows.at(-1)?.atS ?? 0);
  return parts.length > 40 ? `${parts.slice(0, 40).join(', ')}, ...` : parts.join(', ') || 'nothing';
}

/** What a recording holds: its windows, the longest run of `tones`, and a description. */
export function recordingHolds(
  path: string,
  tones: readonly number[],
): { readonly seconds: number; readonly totalS: number; readonly description: string } {
  const windows = analyseSamples(readRecording(path));
  return { seconds: longestRunS(windows, tones), totalS: windows.length / 10, description: describeWindows(windows) };
}
