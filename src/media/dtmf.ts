/**
 * RFC 4733 telephone events for DTMF: the 4-byte event payload (section 2.3), the digit/event
 * code table (section 3.2, table 3: 0-9, * = 10, # = 11, A-D = 12-15, flash = 16), a sender that
 * turns queued digits into event packets and a receiver that reports each digit once with its
 * duration.
 *
 *    0                   1                   2                   3
 *   |     event     |E|R| volume    |          duration             |
 */
import { SwitchboardError } from '../util/index.js';
import { FRAME_SAMPLES } from './audio-port.js';

export const TELEPHONE_EVENT_SIZE = 4;
const DIGITS = '0123456789*#ABCD';
/** Event 16, hook flash; written as '!' (the convention of Asterisk and SIPp). */
const FLASH = '!';

export class DtmfDigitError extends SwitchboardError {
  constructor(readonly digit: string) {
    super('ERR_DTMF_DIGIT', `not a DTMF digit: ${JSON.stringify(digit)} (use 0-9 * # A-D or ! for flash)`);
  }
}

/** The RFC 4733 event code of a digit, or undefined. */
export function dtmfEventCode(digit: string): number | undefined {
  if (digit === FLASH) return 16;
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i >= 0 && digit.length === 1 ? i : undefined;
}

/** The digit of an event code 0-16, or null for other events. */
export function dtmfDigit(event: number): string | null {
  if (event === 16) return FLASH;
  return event >= 0 && event < 16 ? (DIGITS[event] as string) : null;
}

export function writeTelephoneEvent(
  buf: Uint8Array,
  at: number,
  event: number,
  end: boolean,
  volume: number,
  duration: number,
): number {
  buf[at] = event & 0xff;
  buf[at + 1] = (end ? 0x80 : 0) | (volume & 0x3f);
  buf[at + 2] = (duration >>> 8) & 0xff;
  buf[at + 3] = duration & 0xff;
  return TELEPHONE_EVENT_SIZE;
}

/** A digit as received: reported once, when it ends. */
export interface DtmfDigitEvent {
  digit: string;
  event: number;
  /** Duration from the event's final duration field (timestamp units / 8). */
  durationMs: number;
  /** Power level in -dBm0 (0..63, section 2.3.4). */
  volume: number;
  /** True when no end packet arrived and the event was ended by timeout. */
  endLost: boolean;
}

export interface DtmfSenderOptions {
  /** Tone duration per digit, ms (default 100; 40 ms is the usual minimum for detectors). */
  durationMs?: number;
  /** Pause between digits, ms (default 60). */
  gapMs?: number;
  /** -dBm0 (default 10). */
  volume?: number;
}

/** What the sender wants sent on this tick. */
export interface DtmfPacket {
  marker: boolean;
  timestamp: number;
  length: number;
}

type SenderState = 'idle' | 'tone' | 'end' | 'gap';

/**
 * Turns digits into event packets, one per 20 ms tick (RFC 4733 section 2.5.1):
 *   idle -> tone: first packet of the event, marker bit set, timestamp = the event's start;
 *   tone: one update per tick, same timestamp, growing duration (section 2.5.1.2);
 *   end: the final packet, E bit set, sent three times (section 2.5.1.4);
 *   gap: audio again for gapMs before the next queued digit.
 */
export class DtmfSender {
  private readonly queue: number[] = [];
  private state: SenderState = 'idle';
  private event = 0;
  private startTs = 0;
  private duration = 0;
  private endSent = 0;
  private gapLeft = 0;
  private readonly durationSamples: number;
  private readonly gapFrames: number;
  private readonly volume: number;
  sent = 0;

  constructor(options: DtmfSenderOptions = {}) {
    // Whole frames, at least two (start + one update) so that the duration field is meaningful.
    this.durationSamples = Math.max(2, Math.round((options.durationMs ?? 100) / 20)) * FRAME_SAMPLES;
    this.gapFrames = Math.max(1, Math.round((options.gapMs ?? 60) / 20));
    this.volume = Math.min(63, Math.max(0, options.volume ?? 10));
  }

  /** Queues digits; throws DtmfDigitError (and queues none) if any is not a DTMF digit. */
  enqueue(digits: string): void {
    const codes: number[] = [];
    for (const d of digits) {
      const code = dtmfEventCode(d);
      if (code === undefined) throw new DtmfDigitError(d);
      codes.push(code);
    }
    this.queue.push(...codes);
  }

  /** False when there is nothing to send and no gap to count down: next() would return null. */
  get active(): boolean {
    return this.state !== 'idle' || this.queue.length > 0;
  }

  get pending(): number {
    return this.queue.length + (this.state === 'tone' || this.state === 'end' ? 1 : 0);
  }

  /** Drops queued digits (an event in progress still ends properly). */
  clear(): void {
    this.queue.length = 0;
  }

  /**
   * Called once per send tick with the timestamp of this tick's frame. Writes an event payload
   * into buf[at..at+4) and returns the packet to send, or null when audio goes out this tick.
   */
  next(tickTimestamp: number, buf: Uint8Array, at: number): DtmfPacket | null {
    if (this.state === 'gap') {
      if (--this.gapLeft > 0) return null;
      this.state = 'idle';
    }
    if (this.state === 'idle') {
      const event = this.queue.shift();
      if (event === undefined) return null;
      this.event = event;
      this.startTs = tickTimestamp >>> 0;
      this.duration = FRAME_SAMPLES;
      this.endSent = 0;
      this.state = 'tone';
      writeTelephoneEvent(buf, at, event, false, this.volume, this.duration);
      return { marker: true, timestamp: this.startTs, length: TELEPHONE_EVENT_SIZE };
    }
    if (this.state === 'tone') {
      this.duration = Math.min(0xffff, this.duration + FRAME_SAMPLES);
      if (this.duration >= this.durationSamples) this.state = 'end';
      else {
        writeTelephoneEvent(buf, at, this.event, false, this.volume, this.duration);
        return { marker: false, timestamp: this.startTs, length: TELEPHONE_EVENT_SIZE };
      }
    }
    // state 'end': the final packet, three times with the same duration.
    writeTelephoneEvent(buf, at, this.event, true, this.volume, this.duration);
    if (++this.endSent >= 3) {
      this.sent++;
      this.state = 'gap';
      this.gapLeft = this.gapFrames + 1;
    }
    return { marker: false, timestamp: this.startTs, length: TELEPHONE_EVENT_SIZE };
  }
}

/**
 * Reports each received event once (RFC 4733 section 2.5.2): an event is identified by its RTP
 * timestamp; it is reported when the first end packet arrives (the retransmitted end packets
 * are ignored), or, if every end packet was lost, when a new event starts or after `timeoutMs`
 * without packets.
 */
export class DtmfReceiver {
  private current: {
    timestamp: number;
    event: number;
    duration: number;
    volume: number;
    lastAt: number;
    reported: boolean;
  } | null = null;
  private readonly recent: number[] = [];
  received = 0;

  constructor(
    private readonly onDigit: (e: DtmfDigitEvent) => void,
    private readonly timeoutMs = 500,
  ) {}

  onPacket(timestamp: number, payload: Uint8Array, at: number, length: number, nowMs: number): void {
    if (length < TELEPHONE_EVENT_SIZE) return;
    const event = payload[at] as number;
    const b1 = payload[at + 1] as number;
    const end = (b1 & 0x80) !== 0;
    const volume = b1 & 0x3f;
    const duration = ((payload[at + 2] as number) << 8) | (payload[at + 3] as number);
    const cur = this.current;
    if (cur && cur.timestamp === timestamp) {
      if (duration > cur.duration) cur.duration = duration;
      cur.lastAt = nowMs;
      if (end && !cur.reported) this.report(cur, false);
      return;
    }
    // A retransmitted end packet of an event already reported.
    if (this.recent.includes(timestamp)) return;
    if (cur && !cur.reported) this.report(cur, true);
    const next = { timestamp, event, duration, volume, lastAt: nowMs, reported: false };
    this.current = next;
    if (end) this.report(next, false);
  }

  /** Ends an event whose end packets never came. Call periodically. */
  poll(nowMs: number): void {
    const cur = this.current;
    if (cur && !cur.reported && nowMs - cur.lastAt > this.timeoutMs) this.report(cur, true);
  }

  private report(e: NonNullable<DtmfReceiver['current']>, endLost: boolean): void {
    e.reported = true;
    this.recent.push(e.timestamp);
    if (this.recent.length > 8) this.recent.shift();
    const digit = dtmfDigit(e.event);
    if (digit === null) return;
    this.received++;
    this.onDigit({ digit, event: e.event, durationMs: e.duration / 8, volume: e.volume, endLost });
  }
}
