/**
 * The phone's local audio "device": the configured microphone (a tone, a WAV file or silence)
 * and a speaker that analyses what it plays (tone detector: the dominant frequency and, for a
 * conference mix, each tone present) and can record it to a WAV file. Tests and people read
 * "who hears whom" from here, exactly as a user would listen to the handset.
 */
import {
  type AudioSink,
  type AudioSource,
  SilenceSource,
  type SpectralPeak,
  ToneDetector,
  type ToneReading,
  ToneSource,
  WavPlayer,
  WavRecorder,
} from '../../media/index.js';
import type { AudioSourceSetting } from './phone-config.js';

/** What the speaker plays, as the detector reads it. */
export interface Hearing {
  /** The tones present (strongest first, rounded to 1 Hz); empty for silence or non-tonal sound. */
  readonly tones: readonly number[];
  /** The dominant frequency, or null. */
  readonly dominantHz: number | null;
  readonly levelDbfs: number;
  readonly silent: boolean;
  /** How many analyses ran (a new reading is a new window of audio). */
  readonly analyses: number;
}

/** A peak counts as a tone when it is within this many dB of the strongest one. */
const MIX_RANGE_DB = 12;
/** ... and above this absolute level. */
const MIN_TONE_DBFS = -45;

export async function openAudioSource(setting: AudioSourceSetting): Promise<AudioSource> {
  switch (setting.kind) {
    case 'silence':
      return new SilenceSource();
    case 'tone':
      return ToneSource.single(setting.frequency, setting.level);
    case 'wav':
      return WavPlayer.open(setting.path, { loop: setting.loop });
  }
}

export function describeSource(setting: AudioSourceSetting): string {
  switch (setting.kind) {
    case 'silence':
      return 'silence';
    case 'tone':
      return `tone ${setting.frequency} Hz`;
    case 'wav':
      return `wav ${setting.path}`;
  }
}

export class PhoneSpeaker implements AudioSink {
  readonly detector: ToneDetector;
  private recorder: WavRecorder | undefined;

  constructor(onChange: (reading: ToneReading) => void, record: boolean) {
    this.detector = new ToneDetector({ onChange });
    this.recorder = record ? new WavRecorder() : undefined;
  }

  write(frame: Int16Array): void {
    this.detector.write(frame);
    this.recorder?.write(frame);
  }

  /** The tones in the last analysis window. */
  hearing(): Hearing {
    const reading = this.detector.reading;
    const peaks: SpectralPeak[] = reading.silent ? [] : this.detector.peaks(6, MIN_TONE_DBFS);
    const strongest = peaks[0]?.levelDbfs ?? Number.NEGATIVE_INFINITY;
    const tones = peaks.filter((p) => p.levelDbfs >= strongest - MIX_RANGE_DB).map((p) => Math.round(p.frequencyHz));
    return {
      tones,
      dominantHz: reading.frequencyHz === null ? null : Math.round(reading.frequencyHz),
      levelDbfs: reading.levelDbfs,
      silent: reading.silent,
      analyses: this.detector.analyses,
    };
  }

  get recording(): boolean {
    return this.recorder !== undefined;
  }

  /** Starts recording (from now) if not recording yet. */
  startRecording(): void {
    this.recorder ??= new WavRecorder();
  }

  stopRecording(): void {
    this.recorder = undefined;
  }

  /** Writes what was recorded so far (no-op without recording). */
  async save(path: string): Promise<void> {
    await this.recorder?.save(path);
  }
}
