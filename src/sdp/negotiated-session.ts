/**
 * The outcome of a completed offer/answer exchange and everything derived from it. Principle 8 of
 * the architecture: hold is an SDP fact, so localHold/remoteHold, what we send and what we receive
 * are *functions* of the negotiated pair (directionOf, audioStreamOf), never flags stored beside
 * it (the SIP.js hold bugs #529 and #835 came from such flags drifting from the SDP).
 */

import { parseEventList } from './event-ranges.js';
import type { HoldDirection } from './local-media.js';
import {
  connectionOf,
  effectiveDirection,
  holdsByConnectionAddress,
  includesReceive,
  includesSend,
  isUnspecifiedAddress,
  type MediaDirection,
} from './media-direction.js';
import { type AudioCodecName, g711CodecOf, isTelephoneEvent, payloadFormats } from './payload-formats.js';
import { findAttribute, type SdpMedia, type SessionDescription } from './sdp-model.js';

/**
 * A completed exchange: the SDP we sent and the one we received, who made the offer, and the hold
 * we asked for when writing our side of it (immutable with the exchange; it only matters where
 * the SDP itself cannot say, see directionOf).
 */
export interface NegotiatedSession {
  readonly local: SessionDescription;
  readonly remote: SessionDescription;
  readonly offerer: 'local' | 'remote';
  readonly localHoldIntent: HoldDirection | null;
}

export interface NegotiatedAudio {
  /** Index of the m= line, the same in both descriptions (RFC 3264 section 6). */
  mediaIndex: number;
  /** The codec both ends send: the first G.711 format of the answer that the offer also lists (RFC 3264 section 7). */
  codec: AudioCodecName;
  /** Payload type to send it with: the number the *remote* SDP gives it (its description of what it receives). */
  sendPayloadType: number;
  /** G.711 payload types our SDP announced, which we accept on receipt. */
  receivePayloadTypes: ReadonlyMap<number, AudioCodecName>;
  /** RFC 4733 events, when both ends listed telephone-event. */
  telephoneEvent: { sendPayloadType: number; receivePayloadType: number; remoteEvents: number[] } | null;
  /** Where to send RTP; null when the remote connection address is 0.0.0.0/:: (RFC 2543 hold). */
  remoteAddress: string | null;
  remoteAddrType: string;
  remoteRtpPort: number;
  /** RFC 3605 a=rtcp when present, else RTP port + 1 (RFC 3550 section 11). */
  remoteRtcpPort: number;
  /** The remote a=ptime (what it wants to receive), null when absent. */
  remotePtime: number | null;
}

export type HoldMethod = 'attribute' | 'connection-address';

/** Who may send, who may receive, and who holds, for the negotiated audio stream. */
export interface StreamDirection {
  /** True when there is no accepted audio stream (port 0 on either side, or no common codec). */
  rejected: boolean;
  /** Effective direction of our SDP, from our point of view. */
  local: MediaDirection;
  /** Effective direction of their SDP, from their point of view. */
  remote: MediaDirection;
  /** RFC 3264 allows us to send RTP. */
  send: boolean;
  /** RFC 3264 allows them to send RTP to us. */
  receive: boolean;
  /** We have put the other side on hold. */
  localHold: boolean;
  /** The other side has put us on hold. */
  remoteHold: boolean;
  localHoldMethod: HoldMethod | null;
  remoteHoldMethod: HoldMethod | null;
}

function offerAndAnswer(n: NegotiatedSession): { offer: SessionDescription; answer: SessionDescription } {
  return n.offerer === 'local' ? { offer: n.local, answer: n.remote } : { offer: n.remote, answer: n.local };
}

/** The first m= index that is audio and accepted (non-zero port) in both descriptions. */
function audioIndex(n: NegotiatedSession): number {
  const count = Math.min(n.local.media.length, n.remote.media.length);
  for (let i = 0; i < count; i++) {
    const l = n.local.media[i] as SdpMedia;
    const r = n.remote.media[i] as SdpMedia;
    if (l.type === 'audio' && r.type === 'audio' && l.port !== 0 && r.port !== 0) return i;
  }
  return -1;
}

/** The negotiated audio stream, or null when none was accepted or the codecs do not meet. */
export function audioStreamOf(n: NegotiatedSession): NegotiatedAudio | null {
  const i = audioIndex(n);
  if (i < 0) return null;
  const { offer, answer } = offerAndAnswer(n);
  const offerFormats = payloadFormats(offer.media[i] as SdpMedia);
  const answerFormats = payloadFormats(answer.media[i] as SdpMedia);
  let codec: AudioCodecName | undefined;
  for (const f of answerFormats) {
    const c = g711CodecOf(f);
    if (c && offerFormats.some((o) => g711CodecOf(o) === c)) {
      codec = c;
      break;
    }
  }
  if (!codec) return null;
  const localMedia = n.local.media[i] as SdpMedia;
  const remoteMedia = n.remote.media[i] as SdpMedia;
  const localFormats = payloadFormats(localMedia);
  const remoteFormats = payloadFormats(remoteMedia);
  const sendFormat = remoteFormats.find((f) => g711CodecOf(f) === codec);
  if (!sendFormat) return null;
  const receivePayloadTypes = new Map<number, AudioCodecName>();
  for (const f of localFormats) {
    const c = g711CodecOf(f);
    if (c) receivePayloadTypes.set(f.payloadType, c);
  }
  const localTe = localFormats.find(isTelephoneEvent);
  const remoteTe = remoteFormats.find(isTelephoneEvent);
  const telephoneEvent =
    localTe && remoteTe
      ? {
          sendPayloadType: remoteTe.payloadType,
          receivePayloadType: localTe.payloadType,
          // RFC 4733 section 7.1.1: without an fmtp the receiver supports events 0-15.
          remoteEvents: parseEventList(remoteTe.fmtp ?? '0-15') ?? [],
        }
      : null;
  const conn = connectionOf(n.remote, remoteMedia);
  const rtcpAttr = findAttribute(remoteMedia.attributes, 'rtcp');
  const rtcpPort = rtcpAttr ? Number.parseInt(rtcpAttr, 10) : Number.NaN;
  const ptimeAttr = findAttribute(remoteMedia.attributes, 'ptime');
  const ptime = ptimeAttr ? Number.parseFloat(ptimeAttr) : Number.NaN;
  return {
    mediaIndex: i,
    codec,
    sendPayloadType: sendFormat.payloadType,
    receivePayloadTypes,
    telephoneEvent,
    remoteAddress: conn && !isUnspecifiedAddress(conn.address) ? conn.address : null,
    remoteAddrType: conn?.addrType ?? 'IP4',
    remoteRtpPort: remoteMedia.port,
    remoteRtcpPort: Number.isInteger(rtcpPort) && rtcpPort > 0 ? rtcpPort : remoteMedia.port + 1,
    remotePtime: Number.isFinite(ptime) && ptime > 0 ? ptime : null,
  };
}

const REJECTED: StreamDirection = {
  rejected: true,
  local: 'inactive',
  remote: 'inactive',
  send: false,
  receive: false,
  localHold: false,
  remoteHold: false,
  localHoldMethod: null,
  remoteHoldMethod: null,
};

/**
 * Directions and hold, derived from the negotiated pair.
 *
 * A side "holds" when its SDP tells the other not to send to it: its effective direction lacks
 * 'recv' (a=sendonly, a=inactive, or c=0.0.0.0; RFC 3264 section 8.4, RFC 6337 section 5.3).
 * One exception: an answerer whose offer lacked 'send' had no choice (RFC 3264 section 6.1: "If a
 * stream is offered as recvonly, the corresponding stream MUST be marked as sendonly or inactive
 * in the answer"; an inactive offer gets an inactive answer), so an answer that lacks 'recv'
 * because the offer lacks 'send' says nothing about the answerer holding. For the remote side
 * that is all we can know; for our own side the exchange records whether we were holding when we
 * answered (localHoldIntent), so a two-sided hold answered a=inactive still shows our hold.
 */
export function directionOf(n: NegotiatedSession | null): StreamDirection {
  if (!n) return REJECTED;
  const i = audioIndex(n);
  if (i < 0 || !audioStreamOf(n)) return REJECTED;
  const lm = n.local.media[i] as SdpMedia;
  const rm = n.remote.media[i] as SdpMedia;
  const local = effectiveDirection(n.local, lm);
  const remote = effectiveDirection(n.remote, rm);
  const offerDir = n.offerer === 'local' ? local : remote;
  const forced = (isAnswerer: boolean): boolean => isAnswerer && !includesSend(offerDir);
  const localHold = !includesReceive(local) && (!forced(n.offerer === 'remote') || n.localHoldIntent !== null);
  const remoteHold = !includesReceive(remote) && !forced(n.offerer === 'local');
  const method = (sdp: SessionDescription, m: SdpMedia): HoldMethod =>
    holdsByConnectionAddress(sdp, m) ? 'connection-address' : 'attribute';
  return {
    rejected: false,
    local,
    remote,
    send: includesSend(local) && includesReceive(remote),
    receive: includesReceive(local) && includesSend(remote),
    localHold,
    remoteHold,
    localHoldMethod: localHold ? method(n.local, lm) : null,
    remoteHoldMethod: remoteHold ? method(n.remote, rm) : null,
  };
}
