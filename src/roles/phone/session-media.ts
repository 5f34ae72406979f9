/**
 * Adapts one call's media/ MediaSession (RTP, offer/answer, hold derived from the negotiated
 * SDP) to the UA layer's SessionMedia interface (ARCHITECTURE.md: "ua/ never opens sockets for
 * RTP: the phone and gateway roles adapt media/ to ua's MediaSession"). The hold style (a=sendonly
 * or c=0.0.0.0) is a setting of the MediaSession itself, so a hold offer is just `hold: sendonly`.
 */
import type { MediaSession } from '../../media/index.js';
import type { RemoteAnswerResult, RemoteOfferResult, SessionMedia } from '../../ua/index.js';

export class PhoneSessionMedia implements SessionMedia {
  constructor(readonly session: MediaSession) {}

  createOffer(options: { readonly hold?: boolean } = {}): string {
    // RFC 3264 section 8.4: a hold offer marks the stream sendonly (or, with the RFC 2543 style
    // configured on the session, sets the connection address to 0.0.0.0).
    return this.session.createOffer(options.hold ? { hold: 'sendonly' } : {});
  }

  receiveAnswer(sdp: string): RemoteAnswerResult {
    const r = this.session.receiveAnswer(sdp);
    return r.ok ? { ok: true } : { ok: false, reason: `${r.reason}: ${r.detail}` };
  }

  receiveOffer(sdp: string): RemoteOfferResult {
    const r = this.session.receiveOffer(sdp);
    if (r.ok) return { ok: true, answer: r.answer };
    return r.warning
      ? { ok: false, status: r.status, warning: { code: r.warning.code, text: r.warning.text } }
      : { ok: false, status: r.status };
  }

  rollback(): void {
    if (this.session.offerAnswerState !== 'stable') this.session.rollback();
  }

  get offerPending(): boolean {
    return this.session.offerAnswerState !== 'stable';
  }

  get localHold(): boolean {
    return this.session.localHold;
  }

  get remoteHold(): boolean {
    return this.session.remoteHold;
  }

  start(): void {
    if (this.session.state === 'created') this.session.start();
  }

  stop(): void {
    void this.session.stop();
  }
}
