/**
 * A sink that records what it is given, for writing as a WAV file afterwards (baresip's sndfile
 * recorder). Storage grows in 1-second blocks so recording allocates once per second, not per frame.
 */
import { writeFile } from 'node:fs/promises';
import type { AudioSink } from './audio-port.js';
import { encodeWav, type WavFormat } from './wav-file.js';

const BLOCK = 8000;

export class WavRecorder implements AudioSink {
  private readonly blocks: Int16Array[] = [];
  private fill = BLOCK;

  write(frame: Int16Array): void {
    let i = 0;
    while (i < frame.length) {
      if (this.fill === BLOCK) {
        this.blocks.push(new Int16Array(BLOCK));
        this.fill = 0;
      }
      const block = this.blocks[this.blocks.length - 1] as Int16Array;
      const n = Math.min(frame.length - i, BLOCK - this.fill);
      block.set(frame.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
    }
  }

  /** Number of samples recorded. */
  get length(): number {
    return this.blocks.length === 0 ? 0 : (this.blocks.length - 1) * BLOCK + this.fill;
  }

  /** A copy of everything recorded. */
  samples(): Int16Array {
    const out = new Int16Array(this.length);
    this.blocks.forEach((b, i) => {
      out.set(i === this.blocks.length - 1 ? b.subarray(0, this.fill) : b, i * BLOCK);
    });
    return out;
  }

  toWav(format: WavFormat = 'pcm16'): Buffer {
    return encodeWav(this.samples(), format);
  }

  async save(path: string, format: WavFormat = 'pcm16'): Promise<void> {
    await writeFile(path, this.toWav(format));
  }
}
