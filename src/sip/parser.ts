/**
 * The SIP message parser (RFC 3261 sections 7 and 25). It checks what every element needs before
 * it can act on a message — the start line, and the Via, From, To, Call-ID, CSeq, Max-Forwards
 * and Content-Length headers when present — and leaves every other header raw until asked for.
 * A failure carries the status a server answers (400, or 505 for another SIP version) and, for
 * requests, the raw header lines, so a transport can answer statelessly.
 *
 * Framing (section 18.3): in a datagram, the body is the Content-Length bytes after the empty
 * line (the rest of the datagram when there is no Content-Length: RFC 2543 compatibility,
 * RFC 4475 inv2543); extra bytes are ignored (dblreq); a Content-Length larger than what arrived
 * is an error (clerr). Stream transports frame first (stream-framer.ts) and hand over exact
 * messages.
 */
import { SipParseError } from './errors.js';
import { isToken } from './grammar.js';
import { type Head, splitHead } from './head-lines.js';
import { type HeaderLine, lineValues } from './header-block.js';
import { findHeaderEnd, type HeaderEnd } from './header-end.js';
import { type IncomingMeta, IncomingRequest, IncomingResponse } from './message.js';
import { parseRequestLine, parseStatusLine } from './start-line.js';
import { SipUri } from './uri.js';
import { parseUri } from './uri-parse.js';

export interface ParseOptions extends IncomingMeta {
  /** true (default) for UDP datagrams, false for a message framed from a stream. */
  readonly datagram?: boolean;
}

export interface ParseFailure {
  readonly ok: false;
  readonly error: SipParseError;
  /** Present when the start line was a request line: what a stateless error response needs. */
  readonly request?: { readonly method: string; readonly lines: readonly { name: string; value: string }[] };
}

export type ParseResult = { readonly ok: true; readonly message: IncomingRequest | IncomingResponse } | ParseFailure;

/** Methods this stack knows; a CSeq mismatch on any other method is answered 501 (RFC 4475 mismatch02). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

/** Headers checked at parse time because no element can act on a message without them. */
const EAGER: ReadonlySet<string> = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length']);

const EMPTY = Buffer.alloc(0);
const CRLF2 = Buffer.from('\r\n\r\n');
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

function fail(status: number, reason: string): never {
  throw new SipParseError(status, reason);
}

interface Checked {
  /** The Content-Length, undefined when absent; several lines must agree (RFC 4475 mcl01). */
  readonly contentLength: number | undefined;
  readonly cseqMethod: string | undefined;
}

/** Parses the headers every element needs; the first malformed one fails the message. */
function checkEager(lines: readonly HeaderLine[]): Checked {
  let contentLength: number | undefined;
  let cseqMethod: string | undefined;
  for (const line of lines) {
    const key = line.key;
    if (!EAGER.has(key)) continue;
    let values: readonly unknown[];
    try {
      values = lineValues(line);
    } catch (err) {
      if (err instanceof SipParseError) fail(err.status, `${line.name}: ${err.message.replace(/^[A-Za-z-]+: /, '')}`);
      throw err;
    }
    if (key === 'content-length') {
      const v = values[0] as number;
      if (contentLength !== undefined && v !== contentLength) {
        fail(400, `conflicting Content-Length values ${contentLength} and ${v}`);
      }
      contentLength = v;
    } else if (key === 'cseq' && cseqMethod === undefined) {
      cseqMethod = (values[0] as { method: string }).method;
    }
  }
  return { contentLength, cseqMethod };
}

function asBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/**
 * Parses one message. Never throws: the result says whether the message is usable and, if not,
 * what a server should answer. The message keeps views on `input` (its body, its wire bytes):
 * the caller must not reuse that buffer for other data.
 */
export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const buf = asBuffer(input);
  let requestInfo: { method: string; lines: HeaderLine[] } | undefined;
  try {
    let start = 0;
    while (start + 1 < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
    const datagram = options.datagram ?? true;
    // The usual case first: the header section ends at the first CRLFCRLF and no line ends in a
    // bare LF (which could hide an earlier empty line); otherwise look again with every line end.
    let he: HeaderEnd | undefined;
    let head: Head | undefined;
    const crlf = buf.indexOf(CRLF2, start);
    if (crlf >= 0) {
      head = splitHead(buf.toString('utf8', start, crlf));
      he = { end: crlf, bodyStart: crlf + 4 };
    }
    if (head === undefined || head.bareLf) {
      he = findHeaderEnd(buf, start);
      // A datagram may end right after the last header line without the empty line; accept it then.
      head = splitHead(buf.toString('utf8', start, he ? he.end : buf.length));
    }
    const bodyStart = he ? he.bodyStart : buf.length;
    const first = head.startLine;
    if (first.length === 0) fail(400, 'empty message');
    const lines = head.lines;
    const c0 = first.charCodeAt(0);
    const isResponse = (c0 === 0x53 || c0 === 0x73) && /^SIP\//i.test(first);
    let method = '';
    let uriText = '';
    let status = 0;
    let reason = '';
    let version = '';
    if (isResponse) ({ status, reason } = parseStatusLine(first));
    else {
      try {
        ({ method, uriText, version } = parseRequestLine(first));
      } catch (err) {
        // A request whose start line names a method can be answered (505 for another version).
        const sp = first.indexOf(' ');
        if (sp > 0 && isToken(first.slice(0, sp))) requestInfo = { method: first.slice(0, sp), lines };
        throw err;
      }
      requestInfo = { method, lines };
    }
    if (head.error) throw head.error;
    const { contentLength: declared, cseqMethod } = checkEager(lines);
    const available = buf.length - bodyStart;
    let body: Uint8Array = EMPTY;
    if (declared === undefined) {
      if (datagram && available > 0) body = buf.subarray(bodyStart);
    } else {
      if (declared > available)
        fail(400, `Content-Length ${declared} is larger than the ${available} body bytes received`);
      if (declared > 0) body = buf.subarray(bodyStart, bodyStart + declared);
    }
    // The received bytes are the message's wire form when nothing needs rewriting: CRLF lines,
    // no folding, nothing before the start line, a Content-Length that is the body's, nothing after.
    // The start line as it prints: as received unless the version was written in lower case or a
    // status line lacked the space before an empty reason phrase.
    const asReceived = isResponse
      ? first.length >= 12 && first.startsWith('SIP/2.0 ') && first.charCodeAt(11) === SP
      : version === 'SIP/2.0';
    const canonicalStart = asReceived
      ? first
      : isResponse
        ? `SIP/2.0 ${status} ${reason}`
        : `${method} ${uriText} SIP/2.0`;
    const exact =
      asReceived &&
      head.plain &&
      start === 0 &&
      he !== undefined &&
      he.bodyStart - he.end === 4 &&
      declared !== undefined &&
      bodyStart + declared === buf.length;
    if (isResponse) {
      const wire = { startLine: canonicalStart, bytes: exact ? buf.subarray(0, buf.length) : undefined };
      return { ok: true, message: new IncomingResponse(status, reason, lines, body, options, wire) };
    }
    if (cseqMethod !== undefined && cseqMethod !== method) {
      // An unknown method gets 501, which RFC 4475 mismatch02 prefers to 400.
      const st = KNOWN_METHODS.has(method) ? 400 : 501;
      fail(st, `CSeq method ${cseqMethod} does not match the request method ${method}`);
    }
    const uri = parseUri(uriText);
    if (uri instanceof SipUri && uri.headers.size > 0)
      fail(400, 'the Request-URI must not carry headers (section 19.1.5)');
    const wire = { startLine: canonicalStart, bytes: exact ? buf.subarray(0, buf.length) : undefined };
    return { ok: true, message: new IncomingRequest(method, uri, lines, body, options, wire) };
  } catch (err) {
    const error = err instanceof SipParseError ? err : new SipParseError(400, `unparseable message: ${String(err)}`);
    if (!requestInfo) return { ok: false, error };
    const { method, lines } = requestInfo;
    return { ok: false, error, request: { method, lines: lines.map((l) => ({ name: l.name, value: l.raw ?? '' })) } };
  }
}

/** Parses a message that is expected to be valid (tests, fixtures); throws SipParseError otherwise. */
export function parseOrThrow(
  input: Uint8Array | string,
  options: ParseOptions = {},
): IncomingRequest | IncomingResponse {
  const r = parseMessage(input, options);
  if (!r.ok) throw r.error;
  return r.message;
}
