/**
 * The receiving half of an RTP stream: header validation, one remote source at a time (a new
 * SSRC takes over after two consecutive packets, RFC 3550 section 8.2 allows sources to change
 * identifier), reception statistics (appendix A.1, A.3, A.8: jitter from audio packets only,
 * since telephone-event packets repeat their event's start timestamp), and dispatch of the
 * payload: G.711 into the jitter buffer, telephone-event to the DTMF receiver.
 */
import type { DtmfReceiver } from './dtmf.js';
import { decodeTable, type G711Law } from './g711.js';
import type { JitterBuffer } from './jitter-buffer.js';
import { newRtpHeader, parseRtpHeader } from './rtp-packet.js';
import { RtpReceiverStats } from './rtp-receiver-stats.js';

export type RtpReceiveOutcome = 'audio' | 'event' | 'invalid' | 'other-source' | 'probation' | 'unknown-payload';

export class RtpReceiver {
  readonly stats = new RtpReceiverStats();
  remoteSsrc: number | null = null;
  packetsReceived = 0;
  bytesReceived = 0;
  invalid = 0;
  unknownPayload = 0;
  private readonly header = newRtpHeader();
  private candidateSsrc: number | null = null;
  private candidateCount = 0;
  private audioTypes: ReadonlyMap<number, G711Law> = new Map();
  private eventType: number | null = null;

  constructor(
    private readonly jitterBuffer: JitterBuffer,
    private readonly dtmf: DtmfReceiver,
  ) {}

  /** The payload types of the negotiated SDP we accept. */
  configure(audioTypes: ReadonlyMap<number, G711Law>, eventType: number | null): void {
    this.audioTypes = audioTypes;
    this.eventType = eventType;
  }

  /** Forgets the remote source (e.g. when the remote address changed in a re-offer). */
  reset(): void {
    this.remoteSsrc = null;
    this.candidateSsrc = null;
    this.stats.reset();
    this.jitterBuffer.reset();
  }

  /** Handles one datagram; `nowMs` is the arrival time on the session's clock. */
  onPacket(msg: Uint8Array, length: number, nowMs: number): RtpReceiveOutcome {
    const h = this.header;
    if (!parseRtpHeader(msg, length, h)) {
      this.invalid++;
      return 'invalid';
    }
    if (this.remoteSsrc === null) {
      this.remoteSsrc = h.ssrc;
    } else if (h.ssrc !== this.remoteSsrc) {
      if (h.ssrc === this.candidateSsrc) this.candidateCount++;
      else {
        this.candidateSsrc = h.ssrc;
        this.candidateCount = 1;
      }
      if (this.candidateCount < 2) return 'other-source';
      // The new source has sent two packets in a row: switch to it.
      this.remoteSsrc = h.ssrc;
      this.candidateSsrc = null;
      this.stats.reset();
      this.jitterBuffer.reset();
    }
    this.packetsReceived++;
    this.bytesReceived += length;
    if (!this.stats.updateSeq(h.sequence)) return 'probation';
    if (h.payloadType === this.eventType) {
      this.dtmf.onPacket(h.timestamp, msg, h.payloadOffset, h.payloadLength, nowMs);
      return 'event';
    }
    const law = this.audioTypes.get(h.payloadType);
    if (!law) {
      this.unknownPayload++;
      return 'unknown-payload';
    }
    // A.8 wants the arrival time in timestamp units (8 kHz); modulo-2^32 arithmetic is intended.
    this.stats.updateJitter(h.timestamp, Math.floor(nowMs * 8));
    this.jitterBuffer.put(h.timestamp, msg, h.payloadOffset, h.payloadLength, decodeTable(law));
    return 'audio';
  }
}
