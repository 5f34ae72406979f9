/**
 * The offer/answer negotiator (RFC 3264, RFC 6337) as an explicit state machine, in the manner of
 * PJSIP's pjmedia/sdp_neg.h and the WebRTC signaling states.
 *
 *                    createOffer()                  setRemoteAnswer()  (ok, or failed: back
 *        +--------------------------------> have-local-offer ----------+   to the old session)
 *        |                                    |  rollback()            |
 *        |  <---------------------------------+  (491, 4xx to re-offer)|
 *     stable <---------------------------------------------------------+
 *        |  <---------------------------------+  rollback() / createAnswer() (ok or 488)
 *        |                                    |
 *        +--------------------------------> have-remote-offer
 *                    setRemoteOffer()
 *
 * The NegotiatedSession in force changes only on entering stable after a successful exchange; a
 * failed or rolled-back exchange leaves the previous one in force (RFC 3261 section 14.1: "If a UA receives a non-2xx final response to a
 * re-INVITE, the session parameters MUST remain unchanged, as if no re-INVITE had been issued").
 * Illegal calls (an offer while one is outstanding) are programming errors and throw
 * SdpStateError; everything that comes from the network is a typed result.
 *
 * o= versioning (RFC 3264 section 8): "the version in the origin field MUST increment by one from
 * the previous SDP" when a description changes. Every new offer increments it; an answer
 * increments it only when its content differs from the previous SDP we sent; a refresh offer
 * (options.refresh) resends the previous SDP unchanged, version included.
 */
import { SwitchboardError } from '../util/index.js';
import { type AnswerPolicy, buildAnswerMedia, defaultAnswerPolicy, offerDirection } from './answer-builder.js';
import {
  audioSection,
  type HoldDirection,
  type HoldStyle,
  holdAddressFor,
  type LocalMediaConfig,
  offeredCodecs,
  sessionSkeleton,
} from './local-media.js';
import { audioStreamOf, type NegotiatedAudio, type NegotiatedSession } from './negotiated-session.js';
import { cloneSession, type SdpMedia, type SessionDescription } from './sdp-model.js';
import { parseSdp } from './sdp-parser.js';
import { serializeSdp } from './sdp-serializer.js';
import type { SdpWarning } from './sdp-warning.js';

export type OfferAnswerState = 'stable' | 'have-local-offer' | 'have-remote-offer';

const TRANSITIONS: Readonly<Record<OfferAnswerState, readonly OfferAnswerState[]>> = {
  stable: ['have-local-offer', 'have-remote-offer'],
  'have-local-offer': ['stable'],
  'have-remote-offer': ['stable'],
};

export class SdpStateError extends SwitchboardError {
  constructor(message: string) {
    super('ERR_SDP_STATE', message);
  }
}

export interface NegotiatorConfig {
  local: LocalMediaConfig;
  /** How our offers say "hold" (RFC 3264 section 8.4). Default rfc3264. */
  holdStyle?: HoldStyle;
  /** Answer policy overrides (codec order, Warning code for no common codec, address types). */
  answerPolicy?: Partial<AnswerPolicy>;
  /** o= sess-id; random by default (RFC 8866 section 5.2 suggests an NTP-format timestamp). */
  sessionId?: string;
}

export interface OfferOptions {
  /** Put the other side on hold with this direction; omit to offer sendrecv (also: resume). */
  hold?: HoldDirection;
  /** Resend the previous SDP unchanged (same o= version), e.g. for a session refresh. */
  refresh?: boolean;
}

/** Outcome of an answer we received. */
export type AnswerOutcome =
  | { ok: true; negotiated: NegotiatedSession; audio: NegotiatedAudio | null; changed: boolean }
  | {
      ok: false;
      reason: 'malformed' | 'no-offer-outstanding' | 'media-count-mismatch' | 'no-common-codec';
      detail: string;
    };

/** Outcome of an offer we received, before we answer it. */
export type RemoteOfferOutcome =
  | { ok: true }
  | { ok: false; reason: 'malformed'; status: 400; detail: string }
  | { ok: false; reason: 'glare'; status: 491; detail: string }
  | { ok: false; reason: 'offer-pending'; status: 500; detail: string };

/** Outcome of answering the pending remote offer. */
export type CreateAnswerOutcome =
  | { ok: true; answer: SessionDescription; negotiated: NegotiatedSession; audio: NegotiatedAudio | null }
  | {
      ok: false;
      reason: 'no-audio' | 'no-common-codec' | 'unsupported-transport' | 'unsupported-address';
      status: 488;
      warning: SdpWarning;
    };

function randomSessionId(): string {
  // 62 random bits as decimal digits; fits the o= grammar (1*DIGIT) and stays unique per session.
  const hi = Math.floor(Math.random() * 0x40000000);
  const lo = Math.floor(Math.random() * 0x100000000);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The body without its o= version, to tell whether a description changed. */
function contentKey(sdp: SessionDescription): string {
  return serializeSdp({ ...sdp, origin: { ...sdp.origin, sessionVersion: '0' } });
}

export class OfferAnswerNegotiator {
  private currentState: OfferAnswerState = 'stable';
  private current: NegotiatedSession | null = null;
  private pendingLocalOffer: SessionDescription | null = null;
  private pendingLocalHold: HoldDirection | null = null;
  private pendingRemoteOffer: SessionDescription | null = null;
  /** The last description we gave the peer (offer or answer), the "previous SDP" of RFC 3264 section 8. */
  private lastSent: SessionDescription | null = null;
  private readonly sessionId: string;
  private readonly holdStyle: HoldStyle;
  private readonly policy: AnswerPolicy;
  private local: LocalMediaConfig;

  constructor(config: NegotiatorConfig) {
    this.local = { ...config.local };
    this.sessionId = config.sessionId ?? randomSessionId();
    this.holdStyle = config.holdStyle ?? 'rfc3264';
    this.policy = { ...defaultAnswerPolicy(config.local.address), ...config.answerPolicy };
  }

  get state(): OfferAnswerState {
    return this.currentState;
  }

  /** The session in force (the last completed exchange), or null before the first one. */
  get negotiated(): NegotiatedSession | null {
    return this.current;
  }

  /** The offer we sent and are waiting to have answered, if any. */
  get localOffer(): SessionDescription | null {
    return this.pendingLocalOffer;
  }

  get config(): Readonly<LocalMediaConfig> {
    return this.local;
  }

  /** Changes what later offers/answers say about us (e.g. a new port); only in stable. */
  updateLocal(changes: Partial<LocalMediaConfig>): void {
    if (this.currentState !== 'stable') throw new SdpStateError(`cannot change local media in ${this.currentState}`);
    this.local = { ...this.local, ...changes };
  }

  private transition(to: OfferAnswerState): void {
    if (!TRANSITIONS[this.currentState].includes(to)) {
      throw new SdpStateError(`illegal offer/answer transition ${this.currentState} -> ${to}`);
    }
    this.currentState = to;
  }

  private nextVersion(): string {
    if (!this.lastSent) return this.sessionId;
    return (BigInt(this.lastSent.origin.sessionVersion) + 1n).toString();
  }

  /** Makes an offer (initial, re-offer, hold or resume) and moves to have-local-offer. */
  createOffer(options: OfferOptions = {}): SessionDescription {
    if (this.currentState !== 'stable') throw new SdpStateError(`cannot create an offer in ${this.currentState}`);
    let offer: SessionDescription;
    if (options.refresh && this.lastSent) {
      offer = cloneSession(this.lastSent);
    } else {
      offer = this.buildOffer(options.hold ?? null);
      offer.origin.sessionVersion = this.nextVersion();
    }
    this.transition('have-local-offer');
    this.pendingLocalOffer = offer;
    // A refresh repeats the previous SDP, and with it the hold it expressed.
    this.pendingLocalHold = options.refresh && this.current ? this.current.localHoldIntent : (options.hold ?? null);
    this.lastSent = offer;
    return cloneSession(offer);
  }

  private buildOffer(hold: HoldDirection | null): SessionDescription {
    // RFC 2543 hold: connection address 0.0.0.0 (:: for IPv6), with a=inactive only when asked
    // for inactive (the old method had no way to say it). RFC 3264 hold: real address + attribute.
    const oldStyle = hold !== null && this.holdStyle === 'rfc2543';
    const address = oldStyle ? holdAddressFor(this.local.address) : this.local.address;
    const sdp = sessionSkeleton(this.local, { sessionId: this.sessionId, sessionVersion: '0' }, address);
    const direction = oldStyle ? (hold === 'inactive' ? 'inactive' : null) : offerDirection(hold);
    const audio = audioSection(this.local, offeredCodecs(this.local), this.local.telephoneEvent, direction);
    const previous = this.current?.local;
    if (!previous) {
      sdp.media = [audio];
      return sdp;
    }
    // RFC 3264 section 8: a re-offer keeps every m= line of the previous SDP, in order; the
    // stream we use is rewritten, the others stay rejected (port 0).
    const index = this.current ? (audioStreamOf(this.current)?.mediaIndex ?? -1) : -1;
    const reuse = index >= 0 ? index : previous.media.findIndex((m) => m.type === 'audio');
    sdp.media = previous.media.map((m, i): SdpMedia => {
      if (i === reuse) return audio;
      return {
        type: m.type,
        port: 0,
        protocol: m.protocol,
        formats: [...m.formats],
        connections: [],
        bandwidths: [],
        attributes: [],
      };
    });
    if (reuse < 0) sdp.media.push(audio);
    return sdp;
  }

  /** Takes the answer to our outstanding offer. A failed answer leaves the previous session in force. */
  setRemoteAnswer(answer: string | SessionDescription): AnswerOutcome {
    let sdp: SessionDescription;
    if (typeof answer === 'string') {
      const parsed = parseSdp(answer);
      if (!parsed.ok) {
        if (this.currentState === 'have-local-offer') this.abandonLocalOffer();
        return { ok: false, reason: 'malformed', detail: `line ${parsed.error.line}: ${parsed.error.message}` };
      }
      sdp = parsed.sdp;
    } else {
      sdp = cloneSession(answer);
    }
    if (this.currentState !== 'have-local-offer' || !this.pendingLocalOffer) {
      // RFC 6337 section 3.1.1 / RFC 3261 section 13.2.1: a 2xx may repeat the answer already
      // received in a reliable provisional response; that repetition changes nothing.
      if (this.current && contentKey(this.current.remote) === contentKey(sdp)) {
        return { ok: true, negotiated: this.current, audio: audioStreamOf(this.current), changed: false };
      }
      // An answer first seen in an unreliable 183 and revised in the 200 (RFC 6337 section 3.1.1
      // notes such early "answers" are common without 100rel): same origin, higher version,
      // still answering our last offer. It replaces the earlier one.
      const cur = this.current;
      if (
        cur &&
        this.currentState === 'stable' &&
        cur.offerer === 'local' &&
        cur.local === this.lastSent &&
        sdp.origin.username === cur.remote.origin.username &&
        sdp.origin.sessionId === cur.remote.origin.sessionId &&
        BigInt(sdp.origin.sessionVersion) > BigInt(cur.remote.origin.sessionVersion) &&
        sdp.media.length === cur.local.media.length
      ) {
        const revised: NegotiatedSession = { ...cur, remote: sdp };
        const audio = audioStreamOf(revised);
        const accepted = cur.local.media.some(
          (m, i) => m.type === 'audio' && m.port !== 0 && (sdp.media[i]?.port ?? 0) !== 0,
        );
        if (accepted && !audio) {
          return { ok: false, reason: 'no-common-codec', detail: 'the revised answer has no codec we offered' };
        }
        this.current = revised;
        return { ok: true, negotiated: revised, audio, changed: true };
      }
      return { ok: false, reason: 'no-offer-outstanding', detail: `an answer arrived in state ${this.currentState}` };
    }
    const offer = this.pendingLocalOffer;
    if (sdp.media.length !== offer.media.length) {
      this.abandonLocalOffer();
      return {
        ok: false,
        reason: 'media-count-mismatch',
        detail: `the offer had ${offer.media.length} m= lines, the answer ${sdp.media.length} (RFC 3264 section 6)`,
      };
    }
    const candidate: NegotiatedSession = {
      local: offer,
      remote: sdp,
      offerer: 'local',
      localHoldIntent: this.pendingLocalHold,
    };
    const audio = audioStreamOf(candidate);
    const accepted = offer.media.some((m, i) => m.type === 'audio' && m.port !== 0 && (sdp.media[i]?.port ?? 0) !== 0);
    if (accepted && !audio) {
      this.abandonLocalOffer();
      return { ok: false, reason: 'no-common-codec', detail: 'the answer accepts audio with no codec we offered' };
    }
    this.pendingLocalOffer = null;
    this.transition('stable');
    this.current = candidate;
    return { ok: true, negotiated: candidate, audio, changed: true };
  }

  /** Takes an offer from the peer; on success the state is have-remote-offer until createAnswer(). */
  setRemoteOffer(offer: string | SessionDescription): RemoteOfferOutcome {
    if (this.currentState === 'have-local-offer') {
      // RFC 3261 section 14.2: "a UAS that receives an INVITE on a dialog while an INVITE it had
      // sent on that dialog is in progress MUST return a 491 (Request Pending)".
      return { ok: false, reason: 'glare', status: 491, detail: 'an offer of ours is outstanding' };
    }
    if (this.currentState === 'have-remote-offer') {
      // RFC 3261 section 14.2: a second INVITE before the first is answered gets a 500.
      return { ok: false, reason: 'offer-pending', status: 500, detail: 'the previous offer is not answered yet' };
    }
    let sdp: SessionDescription;
    if (typeof offer === 'string') {
      const parsed = parseSdp(offer);
      if (!parsed.ok) {
        return {
          ok: false,
          reason: 'malformed',
          status: 400,
          detail: `line ${parsed.error.line}: ${parsed.error.message}`,
        };
      }
      sdp = parsed.sdp;
    } else {
      sdp = cloneSession(offer);
    }
    this.transition('have-remote-offer');
    this.pendingRemoteOffer = sdp;
    return { ok: true };
  }

  /**
   * Answers the pending remote offer. `hold` is our own hold intent (null: none). When nothing
   * is acceptable the state returns to stable with the previous session in force, and the result
   * carries status 488 and the Warning to send (RFC 3261 sections 21.4.26 and 20.43).
   */
  createAnswer(options: { hold?: HoldDirection | null } = {}): CreateAnswerOutcome {
    if (this.currentState !== 'have-remote-offer' || !this.pendingRemoteOffer) {
      throw new SdpStateError(`cannot create an answer in ${this.currentState}`);
    }
    const offer = this.pendingRemoteOffer;
    const built = buildAnswerMedia(offer, this.local, this.policy, options.hold ?? null);
    this.pendingRemoteOffer = null;
    this.transition('stable');
    if (!built.ok) return { ok: false, reason: built.reason, status: 488, warning: built.warning };
    const answer = sessionSkeleton(this.local, { sessionId: this.sessionId, sessionVersion: '0' }, this.local.address);
    answer.media = built.media;
    // RFC 3264 section 8: the version moves only when the description changes.
    if (this.lastSent && contentKey(this.lastSent) === contentKey(answer)) {
      answer.origin.sessionVersion = this.lastSent.origin.sessionVersion;
    } else {
      answer.origin.sessionVersion = this.nextVersion();
    }
    this.lastSent = answer;
    this.current = { local: answer, remote: offer, offerer: 'remote', localHoldIntent: options.hold ?? null };
    return { ok: true, answer: cloneSession(answer), negotiated: this.current, audio: audioStreamOf(this.current) };
  }

  /**
   * Abandons the outstanding offer (ours after a 491 or another failure of the re-INVITE, or the
   * peer's when the UA refuses it for reasons of its own). The previous session stays in force.
   * In stable this does nothing.
   */
  rollback(): void {
    if (this.currentState === 'have-local-offer') this.abandonLocalOffer();
    else if (this.currentState === 'have-remote-offer') {
      this.pendingRemoteOffer = null;
      this.transition('stable');
    }
  }

  private abandonLocalOffer(): void {
    // The abandoned offer stays "the previous SDP" for versioning, so the next offer gets a
    // higher version than anything the peer has seen (RFC 3264 section 8).
    this.pendingLocalOffer = null;
    this.transition('stable');
  }
}
