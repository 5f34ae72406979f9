/**
 * The MediaSession contract: one call's audio, spoken in SDP text plus plain objects, with
 * nothing SIP-specific. The UA layer consumes it through a structurally compatible interface of
 * its own (architecture: "ua/ declares the MediaSession interface it consumes"); the phone and
 * gateway roles hand it an instance made by createMediaSession().
 *
 * Lifecycle: created (sockets bound, nothing sent) -> started (RTP and RTCP flow as the
 * negotiated SDP allows) -> stopped (RTCP BYE sent, sockets closed). Offer/answer may happen in
 * any state but stopped; the audio path follows each completed exchange.
 *
 * What is sent and received is derived from the negotiated SDP (sdp/directionOf):
 * - sending: our direction includes send, theirs includes recv, the remote address is not
 *   0.0.0.0, and we are not holding them. When WE hold (our offer a=sendonly, or c=0.0.0.0), RFC
 *   3264 would let us send, but by default we send no RTP at all (the seeds: "No RTP packets are
 *   being sent"); with a holdSource set we send that instead (music on hold).
 * - receiving: our direction includes recv and theirs includes send. While held either way, RTP
 *   that still arrives is discarded (counted in `discarded`); the receive sinks hear silence.
 * - RTCP keeps flowing in both directions while held, except towards a c=0.0.0.0 address
 *   (RFC 3264 section 8.4 gives this as the reason to prefer a=sendonly).
 */
import type { HoldDirection, NegotiatedSession, SdpWarning, StreamDirection } from '../sdp/index.js';
import type { AudioSink, AudioSource, BridgePort } from './audio-port.js';
import type { DtmfDigitEvent } from './dtmf.js';
import type { FrameTicker } from './frame-ticker.js';
import type { JitterBufferStats } from './jitter-buffer.js';
import type { ToneDetector, ToneReading } from './tone-detector.js';
import type { Listener } from './typed-events.js';

export type MediaSessionState = 'created' | 'started' | 'stopped';

export interface OfferOptions {
  /** Hold the other side with this direction; omit for sendrecv (a resume). */
  hold?: HoldDirection;
  /** Repeat the previous SDP unchanged (session refresh). */
  refresh?: boolean;
}

/** Result of receiveOffer(): the answer to send, or the SIP status a UAS should reject with. */
export type ReceiveOfferResult =
  | { ok: true; answer: string }
  | {
      ok: false;
      /** 488 Not Acceptable Here (with `warning`), 400 malformed, 491 glare, 500 offer already pending. */
      status: 400 | 488 | 491 | 500;
      reason: string;
      /** Present with 488: the Warning header code and text (RFC 3261 section 20.43). */
      warning?: SdpWarning;
    };

/** Result of receiveAnswer(). */
export type ReceiveAnswerResult = { ok: true; changed: boolean } | { ok: false; reason: string; detail: string };

/** What the peer last reported about our stream (its RTCP report block for our SSRC). */
export interface RemoteReport {
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSequence: number;
  jitterMs: number;
  /** Round-trip time from LSR/DLSR (RFC 3550 section 6.4.1), null when the peer had no SR of ours. */
  rttMs: number | null;
  receivedAtMs: number;
}

export interface MediaStats {
  state: MediaSessionState;
  codec: 'PCMU' | 'PCMA' | null;
  ssrc: number;
  remoteSsrc: number | null;
  /** RTP packets sent (audio and telephone-event). */
  packetsSent: number;
  /** UDP payload bytes of those packets (RTP header included). */
  bytesSent: number;
  /** RTP packets received from the current remote source (including probation packets). */
  packetsReceived: number;
  bytesReceived: number;
  /** RTP packets that arrived while we were not receiving (held), or before any negotiation. */
  discarded: number;
  /** Packets expected from the remote source (RFC 3550 A.3). */
  expected: number;
  /** Cumulative packets lost (RFC 3550 A.3). */
  lost: number;
  /** Fraction lost in the last report interval (0..1), as in our last RTCP report. */
  fractionLost: number;
  /** Interarrival jitter (RFC 3550 A.8), ms. */
  jitterMs: number;
  /** The peer's last report about our stream, or null. */
  lastRtcp: RemoteReport | null;
  rtcpSent: number;
  rtcpReceived: number;
  dtmfSent: number;
  dtmfReceived: number;
  /** The dominant frequency of what we hear (tone detector), null when silent or not tonal. */
  detectedToneHz: number | null;
  levelDbfs: number;
  jitterBuffer: JitterBufferStats;
  sending: boolean;
  receiving: boolean;
  localHold: boolean;
  remoteHold: boolean;
}

export interface MediaSessionEvents {
  /** A digit received by RFC 4733, once per digit, when it ends. */
  dtmf: DtmfDigitEvent;
  /** The dominant received frequency changed (or went to/from silence). */
  toneChange: ToneReading;
  /** RTP started arriving (first packet, or first after rtpStopped). */
  rtpStarted: { remoteAddress: string; remotePort: number; ssrc: number };
  /** No RTP for rtpTimeoutMs (or an RTCP BYE from the source). */
  rtpStopped: { silentForMs: number; bye: boolean };
  /** An offer/answer exchange completed; directions and hold as now derived. */
  negotiated: { codec: 'PCMU' | 'PCMA' | null; direction: StreamDirection };
  /** Sent with every RTCP report we send, and when one arrives. */
  stats: MediaStats;
  /** A socket error (the session keeps running). */
  error: { message: string };
}

export interface MediaSession {
  readonly state: MediaSessionState;
  readonly localAddress: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  /** The offer/answer state: 'stable' | 'have-local-offer' | 'have-remote-offer'. */
  readonly offerAnswerState: 'stable' | 'have-local-offer' | 'have-remote-offer';
  /** The SDP pair in force, or null before the first completed exchange. */
  readonly negotiated: NegotiatedSession | null;
  /** Derived from `negotiated` on every read. */
  readonly direction: StreamDirection;
  readonly localHold: boolean;
  readonly remoteHold: boolean;
  /** RTP is actually going out (negotiated direction, hold policy, started). */
  readonly sending: boolean;
  /** RTP from the peer is accepted (negotiated direction, started). */
  readonly receiving: boolean;
  readonly codec: 'PCMU' | 'PCMA' | null;
  /** The clock all streams and bridges of a phone share. */
  readonly ticker: FrameTicker;
  /** The detector on received audio, or null when disabled. */
  readonly toneDetector: ToneDetector | null;

  createOffer(options?: OfferOptions): string;
  receiveAnswer(sdp: string): ReceiveAnswerResult;
  receiveOffer(sdp: string): ReceiveOfferResult;
  /** Abandons an outstanding offer (ours after 491/4xx, or theirs); the previous SDP stays in force. */
  rollback(): void;
  /** An offer that holds the peer (default a=sendonly, or the session's hold style). */
  hold(direction?: HoldDirection): string;
  /** An offer that resumes (sendrecv). */
  resume(): string;

  start(): void;
  /** Sends RTCP BYE and closes the sockets; idempotent (returns the same promise). */
  stop(): Promise<void>;

  /** Queues RFC 4733 digits (0-9 * # A-D, ! = flash). False when telephone-event was not negotiated. */
  sendDtmf(digits: string): boolean;
  /** What we send (the microphone of this call); null sends silence. */
  setSource(source: AudioSource | null): void;
  /** What we send while holding the peer (music on hold); null (default) sends nothing. */
  setHoldSource(source: AudioSource | null): void;
  /** Taps the received audio; returns a function that detaches the sink. */
  addSink(sink: AudioSink): () => void;
  /** This session as a port of a ConferenceBridge (what it receives in, the mix out). */
  bridgePort(): BridgePort;

  stats(): MediaStats;
  on<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void;
  once<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void;
  off<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): void;
}
