/**
 * The SDP layer: model, parser, serializer, offer/answer negotiator (RFC 8866, RFC 3264, RFC 6337)
 * and the functions that derive directions and hold from a negotiated pair. Imports only util;
 * never SIP code.
 */
export {
  type AnswerBuild,
  type AnswerPolicy,
  buildAnswerMedia,
  defaultAnswerPolicy,
} from './answer-builder.js';
export { formatEventList, intersectEvents, parseEventList } from './event-ranges.js';
export {
  addrTypeOf,
  audioSection,
  connectionFor,
  type HoldDirection,
  type HoldStyle,
  holdAddressFor,
  type LocalMediaConfig,
  offeredCodecs,
  sessionSkeleton,
  type TelephoneEventConfig,
} from './local-media.js';
export {
  connectionOf,
  declaredDirection,
  directionFrom,
  effectiveDirection,
  holdsByConnectionAddress,
  includesReceive,
  includesSend,
  intersectDirections,
  isUnspecifiedAddress,
  type MediaDirection,
  reverseDirection,
  setDirection,
} from './media-direction.js';
export {
  audioStreamOf,
  directionOf,
  type HoldMethod,
  type NegotiatedAudio,
  type NegotiatedSession,
  type StreamDirection,
} from './negotiated-session.js';
export {
  type AnswerOutcome,
  type CreateAnswerOutcome,
  type NegotiatorConfig,
  OfferAnswerNegotiator,
  type OfferAnswerState,
  type OfferOptions,
  type RemoteOfferOutcome,
  SdpStateError,
} from './offer-answer.js';
export {
  type AudioCodecName,
  g711CodecOf,
  isTelephoneEvent,
  type PayloadFormat,
  payloadFormats,
  STATIC_PAYLOAD_TYPE,
  sameEncoding,
} from './payload-formats.js';
export {
  cloneSession,
  findAttribute,
  findAttributes,
  type SdpAttribute,
  type SdpBandwidth,
  type SdpConnection,
  type SdpMedia,
  type SdpOrigin,
  type SdpTiming,
  type SessionDescription,
} from './sdp-model.js';
export { parseSdp, type SdpParseError, type SdpParseResult } from './sdp-parser.js';
export { serializeConnection, serializeSdp } from './sdp-serializer.js';
export { type SdpWarning, type SdpWarningCode, sdpWarning } from './sdp-warning.js';
