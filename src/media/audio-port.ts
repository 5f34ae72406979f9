/**
 * The port contracts of the media graph (architecture principle 9, after PJSIP port.h): audio
 * moves as 20 ms frames of 160 signed 16-bit samples at 8 kHz mono, pulled from sources and pushed
 * into sinks once per tick. Frames are owned by the caller and only valid during the call: a sink
 * that keeps audio copies it.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
/** Samples per 20 ms frame at 8 kHz: the G.711 packet size of RFC 3551 section 4.5 (ptime 20). */
export const FRAME_SAMPLES = 160;

/** Something that produces audio (a microphone, a tone, a WAV file, the mix of a conference). */
export interface AudioSource {
  /**
   * Fills all of `frame` with the next 20 ms. Returns false when what it wrote is silence (all
   * zeros), which lets mixers skip it.
   */
  read(frame: Int16Array): boolean;
}

/** Something that consumes audio (a speaker, a WAV recorder, a tone detector). */
export interface AudioSink {
  /** Takes the next 20 ms; `frame` is only valid during the call. */
  write(frame: Int16Array): void;
}

/** A port of a conference bridge: one participant, who both speaks and listens (PJSIP conf slot). */
export interface BridgePort {
  readonly name: string;
  /** What this participant says this tick (fills `frame`; false when silent). */
  getFrame(frame: Int16Array): boolean;
  /** What this participant hears this tick: the mix of the ports it listens to. */
  putFrame(frame: Int16Array): void;
  /** Called when the port joins a bridge. */
  attached?(): void;
  /** Called when the port leaves the bridge (or the bridge is closed). */
  detached?(): void;
}

/** Converts a level in dBFS to a peak amplitude (full-scale sine = 0 dBFS, as AES17 defines it). */
export function dbfsToAmplitude(dbfs: number): number {
  return 32767 * 10 ** (dbfs / 20);
}

/** Converts an RMS value to dBFS (full-scale sine = 0 dBFS); -Infinity for digital silence. */
export function rmsToDbfs(rms: number): number {
  return rms <= 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10((rms * Math.SQRT2) / 32767);
}
