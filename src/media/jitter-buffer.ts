/**
 * The receive jitter buffer with packet loss concealment. Audio is stored by RTP timestamp in a
 * ring of decoded samples, so that any packet size, reordering, and the timestamp gaps left by
 * RFC 4733 event packets (which share the sequence space but carry no audio) are handled alike.
 * Playout advances 160 samples per tick, `delay` behind the newest packet:
 *
 *   empty --first packet--> playing --no packet for resetAfterMs--> empty
 *
 * - Late packets (behind the playout point) are dropped and raise the target delay by one frame,
 *   up to maxDelayMs; after a quiet period without late packets the delay shrinks by one frame.
 * - If packets arrive too far ahead (sender clock faster, our ticks stalled), playout skips
 *   forward to the target delay ("drop" of the oldest audio).
 * - Missing samples are concealed by repeating the last frame played, attenuated by 6 dB per
 *   consecutive lost frame, for up to 3 frames (60 ms); after that, silence (the simple
 *   repeat-and-fade of G.711 Appendix I's spirit, without its pitch search).
 */
import { FRAME_SAMPLES } from './audio-port.js';

export type JitterBufferState = 'empty' | 'playing';

export interface JitterBufferOptions {
  /** Playout delay at start, ms (default 60). */
  initialDelayMs?: number;
  /** Smallest delay adaptation may shrink to, ms (default 40). */
  minDelayMs?: number;
  /** Largest delay adaptation may grow to, ms (default 200). */
  maxDelayMs?: number;
  /** Back to `empty` (resynchronise on the next packet) after this long without audio, ms (default 200). */
  resetAfterMs?: number;
  /** Frames without a late packet before the delay shrinks by one frame (default 500 = 10 s). */
  shrinkAfterFrames?: number;
}

export interface JitterBufferStats {
  state: JitterBufferState;
  delayMs: number;
  framesPlayed: number;
  framesConcealed: number;
  framesSilent: number;
  latePackets: number;
  skippedSamples: number;
  resyncs: number;
}

export type PlayoutResult = 'played' | 'concealed' | 'silence';

const RING = 1 << 14; // 16384 samples = 2.048 s at 8 kHz
const MASK = RING - 1;
const SAMPLES_PER_MS = 8;
const MAX_CONCEALED_FRAMES = 3;

export class JitterBuffer {
  private readonly ring = new Int16Array(RING);
  private readonly present = new Uint8Array(RING);
  /** The same bytes seen as 32-bit words, to test four samples at once. */
  private readonly presentWords = new Uint32Array(this.present.buffer);
  private readonly last = new Int16Array(FRAME_SAMPLES);
  private readonly hole = new Uint8Array(FRAME_SAMPLES);
  private hasPlayed = false;
  private state: JitterBufferState = 'empty';
  /** RTP timestamp of the next sample to play (uint32 arithmetic through `| 0` differences). */
  private playout = 0;
  /** One past the newest timestamp written. */
  private newestEnd = 0;
  private delay: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly resetAfterFrames: number;
  private readonly shrinkAfterFrames: number;
  private lostRun = 0;
  private framesSinceAudio = 0;
  private framesSinceLate = 0;
  private grow = 0;
  private readonly counters = {
    framesPlayed: 0,
    framesConcealed: 0,
    framesSilent: 0,
    latePackets: 0,
    skippedSamples: 0,
    resyncs: 0,
  };

  constructor(options: JitterBufferOptions = {}) {
    this.delay = (options.initialDelayMs ?? 60) * SAMPLES_PER_MS;
    this.minDelay = (options.minDelayMs ?? 40) * SAMPLES_PER_MS;
    this.maxDelay = Math.min((options.maxDelayMs ?? 200) * SAMPLES_PER_MS, RING / 2);
    this.resetAfterFrames = Math.ceil((options.resetAfterMs ?? 200) / 20);
    this.shrinkAfterFrames = options.shrinkAfterFrames ?? 500;
  }

  /** Forgets everything (new source, stream restarted). */
  reset(): void {
    if (this.state === 'playing') this.present.fill(0);
    this.state = 'empty';
    this.lostRun = 0;
  }

  /**
   * Stores a packet's payload decoded with `table` (a G.711 256-entry decode table), samples
   * starting at RTP timestamp `timestamp`. Returns false when the packet came too late to play.
   */
  put(timestamp: number, bytes: Uint8Array, start: number, count: number, table: Int16Array): boolean {
    if (this.state === 'empty') this.resync(timestamp);
    let ahead = (timestamp - this.playout) | 0;
    if (ahead < 0) {
      this.counters.latePackets++;
      this.framesSinceLate = 0;
      // Too late for its slot: make room for the next one by growing the delay one frame.
      if (this.delay + FRAME_SAMPLES <= this.maxDelay) {
        this.delay += FRAME_SAMPLES;
        this.grow += FRAME_SAMPLES;
      }
      return false;
    }
    if (ahead + count > RING - FRAME_SAMPLES) {
      // Far outside the ring (a timestamp jump the marker bit did not announce): start over.
      this.resync(timestamp);
      ahead = (timestamp - this.playout) | 0;
    }
    const ring = this.ring;
    const present = this.present;
    for (let i = 0; i < count; i++) {
      const idx = (timestamp + i) & MASK;
      ring[idx] = table[bytes[start + i] as number] as number;
      present[idx] = 1;
    }
    const end = (timestamp + count) | 0;
    if (((end - this.newestEnd) | 0) > 0) this.newestEnd = end;
    this.framesSinceAudio = 0;
    return true;
  }

  private resync(timestamp: number): void {
    if (this.state === 'playing') {
      this.present.fill(0);
      this.counters.resyncs++;
    }
    this.state = 'playing';
    this.playout = (timestamp - this.delay) | 0;
    this.newestEnd = timestamp | 0;
    this.hasPlayed = false;
    this.lostRun = 0;
    this.framesSinceAudio = 0;
  }

  /** Plays the next 20 ms into `frame` (always fully written). */
  get(frame: Int16Array): PlayoutResult {
    if (this.state === 'empty') {
      frame.fill(0);
      this.counters.framesSilent++;
      return 'silence';
    }
    if (++this.framesSinceAudio > this.resetAfterFrames && !this.anyAhead()) {
      this.reset();
      frame.fill(0);
      this.counters.framesSilent++;
      return 'silence';
    }
    if (this.grow > 0) {
      // A late packet raised the delay: hold playout for one frame (conceal) instead of advancing.
      this.grow -= FRAME_SAMPLES;
      return this.conceal(frame);
    }
    this.adjustDepth();
    const ring = this.ring;
    const present = this.present;
    const hole = this.hole;
    const base = this.playout;
    const start = base & MASK;
    let missing = 0;
    if (start + FRAME_SAMPLES <= RING && this.allPresent(start)) {
      // The usual case: a whole frame, contiguous in the ring. Straight copy (no subarray view
      // allocated), block clear.
      for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = ring[start + i] as number;
      present.fill(0, start, start + FRAME_SAMPLES);
    } else {
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const idx = (base + i) & MASK;
        if (present[idx]) {
          frame[i] = ring[idx] as number;
          present[idx] = 0;
          hole[i] = 0;
        } else {
          frame[i] = 0;
          hole[i] = 1;
          missing++;
        }
      }
    }
    this.playout = (base + FRAME_SAMPLES) | 0;
    if (missing === FRAME_SAMPLES) {
      // Before the first packet's slot comes up this is the initial buffering delay, not loss.
      if (!this.hasPlayed) {
        this.counters.framesSilent++;
        return 'silence';
      }
      return this.conceal(frame);
    }
    if (missing > 0 && this.hasPlayed) {
      // Partly received: fill the holes from the concealment frame.
      const gain = 0.5 ** (this.lostRun + 1);
      for (let i = 0; i < FRAME_SAMPLES; i++) if (hole[i]) frame[i] = Math.round((this.last[i] as number) * gain);
    }
    this.hasPlayed = true;
    this.lostRun = 0;
    this.last.set(frame);
    this.counters.framesPlayed++;
    if (++this.framesSinceLate >= this.shrinkAfterFrames && this.delay - FRAME_SAMPLES >= this.minDelay) {
      this.delay -= FRAME_SAMPLES;
      this.framesSinceLate = 0;
    }
    return 'played';
  }

  /** Skips ahead when more than maxDelay of audio is waiting (clock drift, a stall on our side). */
  private adjustDepth(): void {
    const depth = (this.newestEnd - this.playout) | 0;
    if (depth > this.maxDelay + FRAME_SAMPLES) {
      // Back to the steady-state depth: the delay plus the frame about to be played.
      const skip = depth - this.delay - FRAME_SAMPLES;
      for (let i = 0; i < skip; i++) this.present[(this.playout + i) & MASK] = 0;
      this.playout = (this.playout + skip) | 0;
      this.counters.skippedSamples += skip;
    }
  }

  /** True when all samples of the frame at ring index `start` (no wrap) are present, 4 at a time. */
  private allPresent(start: number): boolean {
    // FRAME_SAMPLES and the ring are multiples of 4, but `start` need not be: align by hand.
    const present = this.present;
    let i = start;
    const end = start + FRAME_SAMPLES;
    while (i < end && (i & 3) !== 0) if (!present[i++]) return false;
    const words = this.presentWords;
    const wordEnd = end >> 2;
    for (let w = i >> 2; w < wordEnd; w++) if (words[w] !== 0x01010101) return false;
    for (i = wordEnd << 2; i < end; i++) if (!present[i]) return false;
    return true;
  }

  private anyAhead(): boolean {
    return ((this.newestEnd - this.playout) | 0) > 0;
  }

  private conceal(frame: Int16Array): PlayoutResult {
    this.lostRun++;
    if (this.lostRun > MAX_CONCEALED_FRAMES) {
      frame.fill(0);
      this.counters.framesSilent++;
      return 'silence';
    }
    // Repeat the last good frame, 6 dB quieter for each consecutive lost frame.
    const gain = 0.5 ** this.lostRun;
    const last = this.last;
    for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = Math.round((last[i] as number) * gain);
    this.counters.framesConcealed++;
    return 'concealed';
  }

  stats(): JitterBufferStats {
    return { state: this.state, delayMs: this.delay / SAMPLES_PER_MS, ...this.counters };
  }
}
