/**
 * What happens to bytes that arrive, for every transport (UDP, TCP, TLS, in-memory): parse
 * (datagram framing for UDP, stream framing done before for TCP/TLS), publish on
 * sip:transport:rx, then
 *
 * - a request that fails to parse, or lacks a header no layer can work without (Via, From, To,
 *   Call-ID, CSeq: RFC 3261 section 8.1.1), is answered statelessly with the status the error
 *   names (400, 505, 501) back to the packet's source, when its Via lines could be read;
 * - a response that fails to parse, lacks Via/CSeq/Call-ID, or whose top Via sent-by is not ours
 *   (section 18.1.2: "the response MUST be silently discarded") is dropped; responses are never
 *   answered;
 * - a good request gets received/rport in its top Via (section 18.2.1, RFC 3581 section 4) and
 *   goes up with its flow; a good response goes up with its flow.
 *
 * Nothing here throws: bad input becomes a response or a published drop.
 */
import {
  type Flow,
  type IncomingMessage,
  IncomingRequest,
  type OutgoingResponse,
  parseMessage,
  type Via,
} from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { bracketHost } from './addresses.js';
import { publishError, publishRx } from './channels.js';
import { type RawRequestHead, statelessResponse } from './stateless-response.js';
import { stampReceived } from './via-stamp.js';

export interface InboundHost {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands a good message to the transport user. */
  deliver(message: IncomingMessage): void;
  /** Sends a stateless error response back on the flow the request came on. */
  reply(response: OutgoingResponse, flow: Flow): void;
  /** Section 18.1.2: true when the sent-by of a response's top Via is one this transport inserts. */
  isOwnSentBy(via: Via, flow: Flow): boolean;
}

const REQUIRED_REQUEST = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

/** True for a datagram that is only keep-alive filler (CRLFs, spaces, NULs): dropped silently. */
export function isKeepAliveDatagram(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09 && b !== 0x00) return false;
  return true;
}

/** A STUN message (RFC 5389 section 6): first two bits zero and the magic cookie at offset 4. */
export function isStun(bytes: Buffer): boolean {
  return bytes.length >= 20 && (bytes[0] as number) < 4 && bytes.readUInt32BE(4) === 0x2112a442;
}

function drop(host: InboundHost, flow: Flow, bytes: Buffer, reason: string): void {
  host.logger.debug('dropped input', { flow, reason });
  publishError(host.clock, flow, bytes, reason);
}

/** Answers a request that cannot go up, when a response is possible; true when one was sent. */
export function rejectRequest(
  host: InboundHost,
  flow: Flow,
  head: RawRequestHead,
  status: number,
  reason: string,
): boolean {
  const response = statelessResponse(head, status, reason, `${bracketHost(flow.localAddress)}:${flow.localPort}`);
  if (response === undefined) return false;
  host.reply(response, flow);
  return true;
}

/**
 * What became of the input: handed up, answered with an error, dropped, or not SIP at all (no
 * request or status line), which on a stream means the peer is not speaking SIP.
 */
export type InboundOutcome = 'delivered' | 'rejected' | 'dropped' | 'not-sip';

/** Processes one complete message. */
export function handleInbound(host: InboundHost, bytes: Buffer, flow: Flow, datagram: boolean): InboundOutcome {
  try {
    return handle(host, bytes, flow, datagram);
  } catch (err) {
    // A bug or a user callback that threw: never let it reach the socket's event loop.
    host.logger.error('inbound message handling failed', { flow, error: errorMessage(err) });
    publishError(host.clock, flow, bytes, `internal error: ${errorMessage(err)}`);
    return 'dropped';
  }
}

/** A status line, or a request line ending in a SIP version (any version: 505 is still SIP). */
const SIP_START_LINE = /^[\r\n]*(?:SIP\/\d+\.\d+ \d{3}|[!-~]+ [^ \r\n]+ SIP\/\d+\.\d+\r?\n)/i;

function handle(host: InboundHost, bytes: Buffer, flow: Flow, datagram: boolean): InboundOutcome {
  const result = parseMessage(bytes, { datagram, flow, receivedAt: host.clock.now() });
  if (!result.ok) {
    publishRx(host.clock, flow, bytes);
    drop(host, flow, bytes, `parse error ${result.error.status}: ${result.error.message}`);
    const answered =
      result.request !== undefined &&
      rejectRequest(host, flow, result.request, result.error.status, result.error.message);
    if (!SIP_START_LINE.test(bytes.toString('latin1', 0, Math.min(bytes.length, 8192)))) return 'not-sip';
    return answered ? 'rejected' : 'dropped';
  }
  let message = result.message;
  if (message instanceof IncomingRequest) {
    const missing = REQUIRED_REQUEST.filter((k) => !message.has(k));
    if (missing.length > 0) {
      publishRx(host.clock, flow, bytes, message);
      const reason = `missing ${missing.join(', ')}`;
      drop(host, flow, bytes, reason);
      const answered = rejectRequest(host, flow, { method: message.method, lines: message.headerLines() }, 400, reason);
      return answered ? 'rejected' : 'dropped';
    }
    const stamped = tryStamp(message, flow);
    if (typeof stamped === 'string') {
      publishRx(host.clock, flow, bytes, message);
      drop(host, flow, bytes, stamped);
      const answered = rejectRequest(
        host,
        flow,
        { method: message.method, lines: message.headerLines() },
        400,
        stamped,
      );
      return answered ? 'rejected' : 'dropped';
    }
    message = stamped;
    publishRx(host.clock, flow, bytes, message);
    host.deliver(message);
    return 'delivered';
  }
  publishRx(host.clock, flow, bytes, message);
  if (!message.has('via') || !message.has('cseq') || !message.has('call-id')) {
    drop(host, flow, bytes, 'response without Via, CSeq or Call-ID');
    return 'dropped';
  }
  const top = message.tryGet('via');
  const via = top.ok ? top.value[0] : undefined;
  if (via === undefined) {
    drop(host, flow, bytes, 'response with a malformed Via');
    return 'dropped';
  }
  if (!host.isOwnSentBy(via, flow)) {
    drop(host, flow, bytes, `response whose top Via sent-by ${via.host}:${via.port ?? ''} is not ours`);
    return 'dropped';
  }
  host.deliver(message);
  return 'delivered';
}

function tryStamp(request: IncomingRequest, flow: Flow): IncomingRequest | string {
  try {
    return stampReceived(request, flow);
  } catch (err) {
    return `bad Via: ${errorMessage(err)}`;
  }
}

/**
 * Answers input that could not be framed as a message (a stream framing error, an oversized
 * datagram) with `status` (400 or 513, RFC 3261 section 21.5.14) when the start of it reads as a
 * request with Via lines; the head is cut at the last complete line.
 */
export function rejectUnframed(host: InboundHost, bytes: Buffer, flow: Flow, status: number, reason: string): void {
  drop(host, flow, bytes, reason);
  const limit = Math.min(bytes.length, 64 * 1024);
  const end = bytes.lastIndexOf('\r\n', limit - 2, 'latin1');
  const head = end > 0 ? bytes.subarray(0, end + 2) : bytes.subarray(0, limit);
  const parsed = parseMessage(head, { datagram: true });
  if (parsed.ok) {
    const m = parsed.message;
    if (m instanceof IncomingRequest)
      rejectRequest(host, flow, { method: m.method, lines: m.headerLines() }, status, reason);
  } else if (parsed.request) {
    rejectRequest(host, flow, parsed.request, status, reason);
  }
}
