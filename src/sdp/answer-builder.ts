/**
 * Building an answer to an offer (RFC 3264 section 6, with the clarifications of RFC 6337).
 *
 * - One m= line per offered m= line, same order (section 6: "The answer MUST contain exactly the
 *   same number of "m=" lines as the offer"). The first acceptable audio stream is accepted; every
 *   other stream, including non-audio ones, is rejected with port 0 and its offered formats.
 * - Acceptable audio: protocol RTP/AVP (no SRTP here), a connection address family we can reach,
 *   and at least one G.711 codec in common.
 * - One codec in the answer (plus telephone-event). RFC 6337 section 5.1 notes that an answer
 *   listing several codecs lets either side switch between them at any packet; answering with one
 *   makes the codec in use unambiguous, which is what the Cisco phones of the seeds do.
 * - Codec choice follows the offerer's order by default (PJSIP's PREFER_REMOTE_CODEC_ORDER), or
 *   ours when preferRemoteCodecOrder is false.
 * - Dynamic payload types keep the offerer's number (section 6.1: the answerer uses the same
 *   payload type number as the offer for a format it accepts).
 * - Direction: the reverse of the offer's effective direction, narrowed by our own hold intent
 *   (section 6.1: sendonly is answered recvonly or inactive, recvonly with sendonly or inactive,
 *   inactive with inactive).
 * When nothing is acceptable the result names the SIP Warning a 488 should carry.
 */
import { formatEventList, intersectEvents, parseEventList } from './event-ranges.js';
import { addrTypeOf, audioSection, type HoldDirection, type LocalMediaConfig } from './local-media.js';
import {
  connectionOf,
  directionFrom,
  effectiveDirection,
  intersectDirections,
  type MediaDirection,
  reverseDirection,
} from './media-direction.js';
import { type AudioCodecName, g711CodecOf, isTelephoneEvent, payloadFormats } from './payload-formats.js';
import type { SdpMedia, SessionDescription } from './sdp-model.js';
import { type SdpWarning, type SdpWarningCode, sdpWarning } from './sdp-warning.js';

export interface AnswerPolicy {
  /** Choose the codec in the offer's order (true, default) or ours. */
  preferRemoteCodecOrder: boolean;
  /** Warning for "audio offered, no common codec": 305 per RFC 3261, 304 as Cisco phones send. */
  noCommonCodecWarning: 304 | 305;
  /** Connection address types we can send to (default: the type of our own address). */
  acceptAddrTypes: readonly string[];
}

export type AnswerBuild =
  | { ok: true; media: SdpMedia[] }
  | {
      ok: false;
      reason: 'no-audio' | 'no-common-codec' | 'unsupported-transport' | 'unsupported-address';
      warning: SdpWarning;
    };

function rejected(m: SdpMedia): SdpMedia {
  // RFC 3264 section 6: a rejected stream has port 0 and still lists at least one format.
  return {
    type: m.type,
    port: 0,
    protocol: m.protocol,
    formats: m.formats.length > 0 ? [...m.formats] : ['0'],
    connections: [],
    bandwidths: [],
    attributes: [],
  };
}

function holdDirection(hold: HoldDirection | null): MediaDirection {
  if (hold === 'sendonly') return 'sendonly';
  if (hold === 'inactive') return 'inactive';
  return 'sendrecv';
}

/**
 * The m= lines of our answer to `offer`, or why there can be none. `hold` is our own intent
 * (null: not holding); the caller wraps the lines in a session description with our o= and c=.
 */
export function buildAnswerMedia(
  offer: SessionDescription,
  config: LocalMediaConfig,
  policy: AnswerPolicy,
  hold: HoldDirection | null,
): AnswerBuild {
  const out: SdpMedia[] = [];
  let accepted = false;
  let sawAudio = false;
  let sawRtpAvp = false;
  let sawReachable = false;
  for (const m of offer.media) {
    if (accepted || m.type !== 'audio' || m.port === 0) {
      out.push(rejected(m));
      continue;
    }
    sawAudio = true;
    if (m.protocol !== 'RTP/AVP') {
      out.push(rejected(m));
      continue;
    }
    sawRtpAvp = true;
    const conn = connectionOf(offer, m);
    if (conn?.netType !== 'IN' || !policy.acceptAddrTypes.includes(conn.addrType)) {
      out.push(rejected(m));
      continue;
    }
    sawReachable = true;
    const formats = payloadFormats(m);
    const theirs: { name: AudioCodecName; payloadType: number }[] = [];
    for (const f of formats) {
      const c = g711CodecOf(f);
      if (c && config.codecs.includes(c) && !theirs.some((t) => t.name === c))
        theirs.push({ name: c, payloadType: f.payloadType });
    }
    if (theirs.length === 0) {
      out.push(rejected(m));
      continue;
    }
    const chosen = policy.preferRemoteCodecOrder
      ? (theirs[0] as { name: AudioCodecName; payloadType: number })
      : (theirs.slice().sort((a, b) => config.codecs.indexOf(a.name) - config.codecs.indexOf(b.name))[0] as {
          name: AudioCodecName;
          payloadType: number;
        });
    let te: { payloadType: number; events: string } | null = null;
    const offeredTe = formats.find(isTelephoneEvent);
    if (config.telephoneEvent && offeredTe) {
      const mine = parseEventList(config.telephoneEvent.events) ?? [];
      const their = parseEventList(offeredTe.fmtp ?? '0-15') ?? [];
      const common = intersectEvents(mine, their);
      if (common.length > 0) te = { payloadType: offeredTe.payloadType, events: formatEventList(common) };
    }
    const direction = intersectDirections(reverseDirection(effectiveDirection(offer, m)), holdDirection(hold));
    out.push(audioSection(config, [chosen], te, direction));
    accepted = true;
  }
  if (accepted) return { ok: true, media: out };
  if (!sawAudio) return { ok: false, reason: 'no-audio', warning: sdpWarning(304, 'no audio stream offered') };
  if (!sawRtpAvp) {
    return { ok: false, reason: 'unsupported-transport', warning: sdpWarning(302, 'only RTP/AVP is supported') };
  }
  if (!sawReachable) {
    return {
      ok: false,
      reason: 'unsupported-address',
      warning: sdpWarning(301, `expected ${policy.acceptAddrTypes.join(' or ')}`),
    };
  }
  const code: SdpWarningCode = policy.noCommonCodecWarning;
  return { ok: false, reason: 'no-common-codec', warning: sdpWarning(code, `supported: ${config.codecs.join(' ')}`) };
}

/** The default policy for an endpoint at `address`. */
export function defaultAnswerPolicy(address: string): AnswerPolicy {
  return { preferRemoteCodecOrder: true, noCommonCodecWarning: 304, acceptAddrTypes: [addrTypeOf(address)] };
}

/** sendrecv/sendonly/... for a hold intent, exposed for the offer side. */
export function offerDirection(hold: HoldDirection | null): MediaDirection {
  return hold === null ? directionFrom(true, true) : holdDirection(hold);
}
