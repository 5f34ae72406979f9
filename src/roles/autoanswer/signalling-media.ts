/**
 * SessionMedia for a UAS that answers calls but carries no audio (SIPp interop, load tests,
 * benchmarks): real RFC 3264 offer/answer through the sdp/ layer's OfferAnswerNegotiator (G.711
 * PCMU and PCMA, telephone-event, hold derived from the negotiated SDP), and no socket at all.
 * The RTP port it announces is a number only; nothing listens there, which SIPp's default
 * scenarios (no RTP) and a signalling benchmark do not notice.
 */
import {
  type AudioCodecName,
  directionOf,
  type HoldDirection,
  OfferAnswerNegotiator,
  serializeSdp,
} from '../../sdp/index.js';
import type { RemoteAnswerResult, RemoteOfferResult, SessionMedia } from '../../ua/index.js';

export interface SignallingMediaOptions {
  /** Address written in o= and c= (default 127.0.0.1). */
  readonly address?: string;
  /** RTP port announced in m= (default 6000; nothing is bound there). */
  readonly rtpPort?: number;
  /** Codecs in order of preference (default PCMU, PCMA). */
  readonly codecs?: readonly AudioCodecName[];
}

export class SignallingMedia implements SessionMedia {
  private readonly negotiator: OfferAnswerNegotiator;
  private running = false;

  constructor(options: SignallingMediaOptions = {}) {
    this.negotiator = new OfferAnswerNegotiator({
      local: {
        address: options.address ?? '127.0.0.1',
        rtpPort: options.rtpPort ?? 6000,
        codecs: options.codecs ?? ['PCMU', 'PCMA'],
        telephoneEvent: { payloadType: 101, events: '0-16' },
        ptime: 20,
      },
    });
  }

  /** True between start() and stop(): the call's media would be flowing. */
  get started(): boolean {
    return this.running;
  }

  createOffer(options: { readonly hold?: boolean } = {}): string {
    const hold: HoldDirection | undefined = options.hold ? 'sendonly' : undefined;
    return serializeSdp(this.negotiator.createOffer(hold ? { hold } : {}));
  }

  receiveAnswer(sdp: string): RemoteAnswerResult {
    const r = this.negotiator.setRemoteAnswer(sdp);
    return r.ok ? { ok: true } : { ok: false, reason: `${r.reason}: ${r.detail}` };
  }

  receiveOffer(sdp: string): RemoteOfferResult {
    const offered = this.negotiator.setRemoteOffer(sdp);
    if (!offered.ok) return { ok: false, status: offered.status };
    const answered = this.negotiator.createAnswer();
    if (!answered.ok) return { ok: false, status: answered.status, warning: answered.warning };
    return { ok: true, answer: serializeSdp(answered.answer) };
  }

  rollback(): void {
    this.negotiator.rollback();
  }

  get offerPending(): boolean {
    return this.negotiator.state !== 'stable';
  }

  get localHold(): boolean {
    return directionOf(this.negotiator.negotiated).localHold;
  }

  get remoteHold(): boolean {
    return directionOf(this.negotiator.negotiated).remoteHold;
  }

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
  }
}
