/**
 * The sending half of an RTP stream (RFC 3550 section 5.1, RFC 3551 section 4.5.14): a random
 * SSRC, a random initial sequence number and timestamp ("The initial value of the sequence
 * number SHOULD be random (unpredictable)", likewise the timestamp), the timestamp advancing by
 * the samples of each 20 ms tick whether or not a packet goes out, and the marker bit on the
 * first packet of a talkspurt, i.e. the first packet after any tick in which we sent nothing
 * (RFC 3551 section 4.1). Packets are built in two preallocated buffers; a fresh buffer is used
 * only when the kernel send queue is not empty (dgram may still hold the previous one).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { FRAME_SAMPLES } from './audio-port.js';
import { type DtmfSender, TELEPHONE_EVENT_SIZE } from './dtmf.js';
import { type G711Law, g711Encode } from './g711.js';
import { RTP_HEADER_SIZE, writeRtpHeader } from './rtp-packet.js';

const AUDIO_PACKET = RTP_HEADER_SIZE + FRAME_SAMPLES;
const EVENT_PACKET = RTP_HEADER_SIZE + TELEPHONE_EVENT_SIZE;

export class RtpSender {
  readonly ssrc: number;
  private sequence: number;
  private readonly timestampBase: number;
  private firstTick = -1;
  private lastSentTick = Number.NEGATIVE_INFINITY;
  private readonly audioBuf = Buffer.alloc(AUDIO_PACKET);
  private readonly eventBuf = Buffer.alloc(EVENT_PACKET);
  packetsSent = 0;
  /** Payload octets sent (the RTCP SR sender's octet count, RFC 3550 section 6.4.1). */
  octetsSent = 0;
  bytesSent = 0;
  /** Extra buffers allocated because the send queue was busy (should stay near zero). */
  fallbackAllocations = 0;

  /**
   * @param tap called with every packet sent (for the sip:media:rtp channel); the buffer is
   *   reused afterwards, so a tap that keeps it must copy it.
   */
  constructor(
    private readonly socket: Socket,
    private readonly tap: ((packet: Buffer, address: string, port: number) => void) | null = null,
  ) {
    const r = randomBytes(10);
    this.ssrc = r.readUInt32BE(0);
    this.sequence = r.readUInt16BE(4);
    this.timestampBase = r.readUInt32BE(6);
  }

  /** RTP timestamp of the frame of `tick` (ticks before the first one map to the base). */
  timestampFor(tick: number): number {
    if (this.firstTick < 0) return this.timestampBase;
    return (this.timestampBase + (tick - this.firstTick) * FRAME_SAMPLES) >>> 0;
  }

  /** Starts the timestamp clock at `tick` if it has not started yet. */
  anchor(tick: number): void {
    if (this.firstTick < 0) this.firstTick = tick;
  }

  private buffer(own: Buffer): Buffer {
    if (this.socket.getSendQueueCount() === 0) return own;
    this.fallbackAllocations++;
    return Buffer.allocUnsafe(own.length);
  }

  /** Encodes and sends one 20 ms audio frame. */
  sendAudio(tick: number, payloadType: number, law: G711Law, frame: Int16Array, address: string, port: number): void {
    this.anchor(tick);
    const buf = this.buffer(this.audioBuf);
    const marker = this.lastSentTick !== tick - 1;
    writeRtpHeader(buf, marker, payloadType, this.sequence, this.timestampFor(tick), this.ssrc);
    g711Encode(law, frame, buf, RTP_HEADER_SIZE, FRAME_SAMPLES);
    this.transmit(buf, address, port, tick, FRAME_SAMPLES);
  }

  /** Sends the telephone-event packet the DTMF sender wants for this tick; false when none is due. */
  sendEvent(tick: number, payloadType: number, dtmf: DtmfSender, address: string, port: number): boolean {
    this.anchor(tick);
    const buf = this.buffer(this.eventBuf);
    const p = dtmf.next(this.timestampFor(tick), buf, RTP_HEADER_SIZE);
    if (!p) return false;
    writeRtpHeader(buf, p.marker, payloadType, this.sequence, p.timestamp, this.ssrc);
    this.transmit(buf, address, port, tick, p.length);
    return true;
  }

  /** Records a tick in which nothing was sent (so the next packet starts a talkspurt). */
  idle(tick: number): void {
    this.anchor(tick);
  }

  private transmit(buf: Buffer, address: string, port: number, tick: number, payloadBytes: number): void {
    this.socket.send(buf, port, address);
    this.tap?.(buf, address, port);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.lastSentTick = tick;
    this.packetsSent++;
    this.octetsSent += payloadBytes;
    this.bytesSent += buf.length;
  }
}
