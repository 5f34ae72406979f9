/**
 * A source that plays a WAV file (8 kHz; stereo is mixed down), once or in a loop, like baresip's
 * aufile source. At the end of a non-looping file it plays silence and calls `onEnd` once.
 */
import { readFile } from 'node:fs/promises';
import type { AudioSource } from './audio-port.js';
import { monoSamples, parseWav, type WavAudio, WavFormatError } from './wav-file.js';

export interface WavPlayerOptions {
  loop?: boolean;
  onEnd?: () => void;
}

export class WavPlayer implements AudioSource {
  private readonly samples: Int16Array;
  private position = 0;
  private ended = false;

  constructor(
    audio: WavAudio,
    private readonly options: WavPlayerOptions = {},
  ) {
    if (audio.sampleRate !== 8000) {
      throw new WavFormatError(`the player needs 8000 Hz audio, the file has ${audio.sampleRate} Hz (no resampler)`);
    }
    this.samples = monoSamples(audio);
  }

  /** Reads and parses a WAV file. */
  static async open(path: string, options: WavPlayerOptions = {}): Promise<WavPlayer> {
    return new WavPlayer(parseWav(await readFile(path)), options);
  }

  /** True once a non-looping file has played to its end. */
  get finished(): boolean {
    return this.ended;
  }

  /** Starts again from the beginning. */
  rewind(): void {
    this.position = 0;
    this.ended = false;
  }

  read(frame: Int16Array): boolean {
    const src = this.samples;
    let i = 0;
    while (i < frame.length) {
      if (this.position >= src.length) {
        if (this.options.loop && src.length > 0) {
          this.position = 0;
          continue;
        }
        if (!this.ended) {
          this.ended = true;
          this.options.onEnd?.();
        }
        frame.fill(0, i);
        return i > 0;
      }
      // A plain loop: no subarray view allocated per frame.
      const n = Math.min(frame.length - i, src.length - this.position);
      const p = this.position;
      for (let k = 0; k < n; k++) frame[i + k] = src[p + k] as number;
      this.position += n;
      i += n;
    }
    return true;
  }
}
