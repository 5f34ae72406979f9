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
import { clip, isToken } from './grammar.js';
import { type HeaderLine, lineValues, rawLine } from './header-block.js';
import { type IncomingMeta, IncomingRequest, IncomingResponse } from './message.js';
import { parseUri, SipUri } from './uri.js';

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
const EAGER = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length']);

const EMPTY = Buffer.alloc(0);

function headerEnd(buf: Uint8Array, from: number): { end: number; bodyStart: number } | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const crlf = b.indexOf('\r\n\r\n', from, 'latin1');
  const lf = b.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

/** Splits the header section into unfolded lines (section 7.3.1: a line starting with SP or HT continues the previous one). */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    const line = text.slice(start, end);
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && out.length > 1) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line);
    start = nl + 1;
  }
  return out;
}

function fail(status: number, reason: string): never {
  throw new SipParseError(status, reason);
}

function parseRequestLine(line: string): { method: string; uriText: string } {
  const parts = line.split(' ');
  if (parts.length !== 3) fail(400, `malformed request line "${clip(line)}" (method SP Request-URI SP SIP-Version)`);
  const [method, uriText, version] = parts as [string, string, string];
  if (!isToken(method)) fail(400, `bad method "${clip(method)}"`);
  if (version.toUpperCase() !== 'SIP/2.0') {
    if (/^SIP\/[0-9]+\.[0-9]+$/i.test(version)) fail(505, `SIP version ${version.slice(4)} is not supported`);
    fail(400, `bad SIP version "${clip(version)}"`);
  }
  return { method, uriText };
}

function parseStatusLine(line: string): { status: number; reason: string } {
  const m = /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3}) (.*)$/is.exec(line) ?? /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3})$/i.exec(line);
  if (!m) fail(400, `malformed status line "${clip(line)}"`);
  if (m[1] !== '2.0') fail(505, `SIP version ${m[1]} is not supported`);
  const status = Number(m[2]);
  if (status < 100 || status > 699) fail(400, `status code ${status} out of range`);
  return { status, reason: m[3] ?? '' };
}

/**
 * The header lines that are well formed, and the first problem found: the lines are kept so that
 * a stateless error response can still copy Via, From, To, Call-ID and CSeq (section 8.2.6.2).
 */
function parseHeaderLines(rawLines: readonly string[]): { lines: HeaderLine[]; error: SipParseError | undefined } {
  const lines: HeaderLine[] = [];
  let error: SipParseError | undefined;
  for (const text of rawLines) {
    if (text.length === 0) continue;
    const colon = text.indexOf(':');
    const name = colon <= 0 ? '' : text.slice(0, colon).trimEnd();
    if (colon <= 0) error ??= new SipParseError(400, `header line without a name and ':': "${clip(text)}"`);
    else if (!isToken(name)) error ??= new SipParseError(400, `bad header name "${clip(name)}"`);
    else lines.push(rawLine(name, text.slice(colon + 1).trim()));
  }
  return { lines, error };
}

function checkEager(lines: readonly HeaderLine[]): void {
  for (const line of lines) {
    if (!EAGER.has(line.key)) continue;
    try {
      lineValues(line);
    } catch (err) {
      if (err instanceof SipParseError) fail(err.status, `${line.name}: ${err.message.replace(/^[A-Za-z-]+: /, '')}`);
      throw err;
    }
  }
}

/** The Content-Length of the message; several lines must agree (RFC 4475 mcl01). */
function contentLength(lines: readonly HeaderLine[]): number | undefined {
  let value: number | undefined;
  for (const line of lines) {
    if (line.key !== 'content-length') continue;
    const v = (line.values as readonly number[])[0] as number;
    if (value !== undefined && v !== value) fail(400, `conflicting Content-Length values ${value} and ${v}`);
    value = v;
  }
  return value;
}

function checkCSeqMethod(method: string, lines: readonly HeaderLine[]): void {
  for (const line of lines) {
    if (line.key !== 'cseq') continue;
    const cseq = (line.values as readonly { seq: number; method: string }[])[0];
    if (!cseq || cseq.method === method) continue;
    // Section 8.2.6-ish consistency; an unknown method gets 501, which RFC 4475 mismatch02 prefers.
    const status = KNOWN_METHODS.has(method) ? 400 : 501;
    fail(status, `CSeq method ${cseq.method} does not match the request method ${method}`);
  }
}

/**
 * Parses one message. Never throws: the result says whether the message is usable and, if not,
 * what a server should answer.
 */
export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let requestInfo: { method: string; lines: HeaderLine[] } | undefined;
  try {
    let start = 0;
    while (start + 1 < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
    const datagram = options.datagram ?? true;
    const he = headerEnd(buf, start);
    // A datagram may end right after the last header line without the empty line; accept it then.
    const headEndAt = he ? he.end : buf.length;
    const bodyStart = he ? he.bodyStart : buf.length;
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const text = b.toString('utf8', start, headEndAt);
    const rawLines = splitLines(text);
    const first = rawLines[0] ?? '';
    if (first.length === 0) fail(400, 'empty message');
    const isResponse = /^SIP\//i.test(first);
    const { lines, error: lineError } = parseHeaderLines(rawLines.slice(1));
    let method = '';
    let uriText = '';
    let status = 0;
    let reason = '';
    if (isResponse) ({ status, reason } = parseStatusLine(first));
    else {
      // A request whose start line names a method can be answered (505 for another version).
      const sp = first.indexOf(' ');
      if (sp > 0 && isToken(first.slice(0, sp))) requestInfo = { method: first.slice(0, sp), lines };
      ({ method, uriText } = parseRequestLine(first));
    }
    if (lineError) throw lineError;
    checkEager(lines);
    const declared = contentLength(lines);
    const available = b.length - bodyStart;
    let body: Uint8Array = EMPTY;
    if (declared === undefined) {
      if (datagram && available > 0) body = b.subarray(bodyStart);
    } else {
      if (declared > available)
        fail(400, `Content-Length ${declared} is larger than the ${available} body bytes received`);
      if (declared > 0) body = b.subarray(bodyStart, bodyStart + declared);
    }
    if (isResponse) return { ok: true, message: new IncomingResponse(status, reason, lines, body, options) };
    checkCSeqMethod(method, lines);
    const uri = parseUri(uriText);
    if (uri instanceof SipUri && uri.headers.size > 0)
      fail(400, 'the Request-URI must not carry headers (section 19.1.5)');
    return { ok: true, message: new IncomingRequest(method, uri, lines, body, options) };
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
