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
import { type HeaderLine, lineValues } from './header-block.js';
import { findHeaderEnd, type HeaderEnd } from './header-end.js';
import { type IncomingMeta, IncomingRequest, IncomingResponse } from './message.js';
import { headerFormAt, headerKeyOf } from './registry.js';
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
const EAGER: ReadonlySet<string> = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length']);

const EMPTY = Buffer.alloc(0);
const CRLF2 = Buffer.from('\r\n\r\n');
const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;
const LF = 0x0a;

function fail(status: number, reason: string): never {
  throw new SipParseError(status, reason);
}

function parseRequestLine(line: string): { method: string; uriText: string; version: string } {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 === sp1 + 1 || sp2 === line.length - 1) {
    fail(400, `malformed request line "${clip(line)}" (method SP Request-URI SP SIP-Version)`);
  }
  const method = line.slice(0, sp1);
  const uriText = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) fail(400, `bad method "${clip(method)}"`);
  if (version !== 'SIP/2.0' && version.toUpperCase() !== 'SIP/2.0') {
    if (/^SIP\/[0-9]+\.[0-9]+$/i.test(version)) fail(505, `SIP version ${version.slice(4)} is not supported`);
    fail(400, `bad SIP version "${clip(version)}"`);
  }
  return { method, uriText, version };
}

function parseStatusLine(line: string): { status: number; reason: string } {
  const m = /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3}) (.*)$/is.exec(line) ?? /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3})$/i.exec(line);
  if (!m) fail(400, `malformed status line "${clip(line)}"`);
  if (m[1] !== '2.0') fail(505, `SIP version ${m[1]} is not supported`);
  const status = Number(m[2]);
  if (status < 100 || status > 699) fail(400, `status code ${status} out of range`);
  return { status, reason: m[3] ?? '' };
}

function isLws(c: number): boolean {
  return c === SP || c === HT;
}

/** One header line: name and value text, the value trimmed of linear white space. */
function headerLine(text: string, from: number, to: number): HeaderLine | SipParseError {
  const colon = text.indexOf(':', from);
  if (colon < 0 || colon >= to || colon === from) {
    return new SipParseError(400, `header line without a name and ':': "${clip(text.slice(from, to))}"`);
  }
  let nameEnd = colon;
  while (nameEnd > from && isLws(text.charCodeAt(nameEnd - 1))) nameEnd--;
  let vs = colon + 1;
  let ve = to;
  while (vs < ve && isLws(text.charCodeAt(vs))) vs++;
  while (ve > vs && (isLws(text.charCodeAt(ve - 1)) || text.charCodeAt(ve - 1) === CR)) ve--;
  const form = headerFormAt(text, from, nameEnd);
  const name = form === undefined ? text.slice(from, nameEnd) : form[0];
  const key = form === undefined ? headerKeyOf(name) : form[1];
  if (key === undefined && !isToken(name)) return new SipParseError(400, `bad header name "${clip(name)}"`);
  // The same shape as rawLine() builds, so that every HeaderLine shares one hidden class.
  return {
    name,
    key: key ?? name.toLowerCase(),
    known: key !== undefined,
    raw: text.slice(vs, ve),
    values: undefined,
    error: undefined,
  };
}

interface Head {
  readonly startLine: string;
  readonly lines: HeaderLine[];
  /** The first malformed line; the well-formed ones are still in `lines`. */
  readonly error: SipParseError | undefined;
  /** True when every line ended in CRLF and none was folded. */
  readonly plain: boolean;
  /** True when a line ended in a bare LF. */
  readonly bareLf: boolean;
}

/**
 * Splits the header section into its start line and unfolded header lines (section 7.3.1: a
 * line starting with SP or HT continues the previous header line).
 */
function splitHead(text: string): Head {
  const len = text.length;
  let plain = true;
  let bareLf = false;
  let nl = text.indexOf('\n');
  if (nl < 0) nl = len;
  else if (nl === 0 || text.charCodeAt(nl - 1) !== CR) {
    plain = false;
    bareLf = true;
  }
  const startLine = text.slice(0, nl > 0 && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl);
  const lines: HeaderLine[] = [];
  let error: SipParseError | undefined;
  let pos = nl + 1;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    else if (text.charCodeAt(end - 1) !== CR) {
      plain = false;
      bareLf = true;
    }
    let next = end + 1;
    let c = next < len ? text.charCodeAt(next) : 0;
    if (c === SP || c === HT) {
      // Folded: join the continuation lines with one space each (section 7.3.1).
      plain = false;
      let joined = text.slice(pos, end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end);
      while (c === SP || c === HT) {
        let e = text.indexOf('\n', next);
        if (e < 0) e = len;
        else if (text.charCodeAt(e - 1) !== CR) bareLf = true;
        joined += ` ${text.slice(next, e).trim()}`;
        next = e + 1;
        c = next < len ? text.charCodeAt(next) : 0;
      }
      const line = headerLine(joined, 0, joined.length);
      if (line instanceof SipParseError) error ??= line;
      else lines.push(line);
      pos = next;
      continue;
    }
    // The usual line, read in place: name, colon, value.
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon >= end || colon === pos) {
      error ??= new SipParseError(400, `header line without a name and ':': "${clip(text.slice(pos, end))}"`);
      pos = next;
      continue;
    }
    let nameEnd = colon;
    while (nameEnd > pos && isLws(text.charCodeAt(nameEnd - 1))) nameEnd--;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isLws(text.charCodeAt(vs))) vs++;
    while (ve > vs && (isLws(text.charCodeAt(ve - 1)) || text.charCodeAt(ve - 1) === CR)) ve--;
    const form = headerFormAt(text, pos, nameEnd);
    if (form !== undefined) {
      // Same shape as rawLine(), so that every HeaderLine shares one hidden class.
      lines.push({
        name: form[0],
        key: form[1],
        known: true,
        raw: text.slice(vs, ve),
        values: undefined,
        error: undefined,
      });
    } else {
      const line = headerLine(text, pos, end);
      if (line instanceof SipParseError) error ??= line;
      else lines.push(line);
    }
    pos = next;
  }
  return { startLine, lines, error, plain, bareLf };
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
