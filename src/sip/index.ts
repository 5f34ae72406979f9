/**
 * The SIP message layer: URIs, addresses, the header registry, immutable incoming messages,
 * builders for outgoing ones, the parser, validation and stream framing. Layers above import
 * only from here.
 */
export { type AuthValue, parseAuthParams, parseAuthValue, printAuthParams, printAuthValue } from './auth-header.js';
export {
  ackForNon2xx,
  cancelFor,
  createRequest,
  type RequestInit,
  type ResponseOptions,
  responseTo,
} from './builders.js';
export { type CSeq, MAX_CSEQ, parseCSeq } from './cseq.js';
export { SipHeaderError, SipParseError } from './errors.js';
export type { EventValue, ReplacesValue, SubscriptionStateValue } from './event-headers.js';
export { type Flow, flowToString, isReliable, type TransportProtocol } from './flow.js';
export { escapePercent, quote, splitList, unescapePercent, unquote } from './grammar.js';
export { HeaderBlock, type HeaderLine, MutableHeaderBlock, type TryGet } from './header-block.js';
export { findHeaderEnd, type HeaderEnd } from './header-end.js';
export { type MediaType, mediaRangeMatches, mediaType, parseMediaType, printMediaType } from './media-type.js';
export {
  type IncomingMessage,
  IncomingRequest,
  IncomingResponse,
  OutgoingRequest,
  OutgoingResponse,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message.js';
export {
  parseSipDate,
  printSipDate,
  type RAckValue,
  type ReasonValue,
  type RetryAfterValue,
  reasonCause,
  type SessionExpiresValue,
  type TimestampValue,
  type WarningValue,
} from './misc-headers.js';
export { NameAddr, parseContact, parseNameAddr } from './name-addr.js';
export { type ParamEntry, Params, type ParamValue } from './params.js';
export {
  KNOWN_METHODS,
  type ParseFailure,
  type ParseOptions,
  type ParseResult,
  parseMessage,
  parseOrThrow,
} from './parser.js';
export { reasonPhrase } from './reason-phrases.js';
export {
  type Cardinality,
  HEADERS,
  type HeaderGet,
  type HeaderKey,
  type HeaderSet,
  type HeaderSpec,
  type HeaderValueOf,
  headerKeyOf,
  isKnownHeader,
} from './registry.js';
export { type FramerEvent, StreamFramer, type StreamFramerOptions } from './stream-framer.js';
export { GenericUri, SipUri, type SipUriInit, stripBrackets, TelUri, type Uri } from './uri.js';
export { parseSipUri, parseUri } from './uri-parse.js';
export {
  DEFAULT_CONTENT_TYPES,
  type ValidationOptions,
  type ValidationProblem,
  type ValidationRole,
  validateRequest,
  validateResponse,
} from './validate.js';
export { parseVia, Via, type ViaInit } from './via.js';
