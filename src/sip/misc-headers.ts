/**
 * The smaller structured headers: Warning (RFC 3261 section 20.43), Reason (RFC 3326),
 * Retry-After (20.33), Timestamp (20.38), Date (20.17, RFC 1123 in GMT only), RAck (RFC 3262),
 * Session-Expires (RFC 4028), delta-seconds and integer headers, and token lists.
 */
import { SipParseError } from './errors.js';
import { clip, endOfQuoted, isToken, parseDigits, quote, splitList, unquote } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import type { Params } from './params.js';

export const MAX_DELTA_SECONDS = 0xffffffff;

export interface WarningValue {
  readonly code: number;
  /** host[:port] or a pseudonym. */
  readonly agent: string;
  /** The warning text, unquoted. */
  readonly text: string;
}

export function parseWarning(s: string): WarningValue {
  const m = /^\s*([0-9]{3})\s+(\S+)\s+(".*")\s*$/s.exec(s);
  if (!m) throw new SipParseError(400, `Warning: malformed "${clip(s)}"`);
  const text = m[3] as string;
  if (endOfQuoted(text, 0) !== text.length - 1) throw new SipParseError(400, 'Warning: junk after the text');
  return { code: Number(m[1]), agent: m[2] as string, text: unquote(text) };
}

export function printWarning(w: WarningValue): string {
  return `${w.code} ${w.agent} ${quote(w.text)}`;
}

export interface ReasonValue {
  /** "SIP" or "Q.850". */
  readonly protocol: string;
  readonly params: Params;
}

export function reasonCause(r: ReasonValue): number | undefined {
  const c = r.params.get('cause');
  return typeof c === 'string' && /^[0-9]+$/.test(c) ? Number(c) : undefined;
}

function tokenWithParams(s: string, what: string): { head: string; params: Params } {
  const semi = s.indexOf(';');
  const head = (semi < 0 ? s : s.slice(0, semi)).trim();
  return { head, params: parseHeaderParams(s, semi < 0 ? s.length : semi, what) };
}

export function parseReason(s: string): ReasonValue {
  const { head, params } = tokenWithParams(s, 'Reason');
  if (!isToken(head)) throw new SipParseError(400, `Reason: bad protocol "${clip(head)}"`);
  return { protocol: head, params };
}

export function printReason(r: ReasonValue): string {
  return `${r.protocol}${r.params.toString(';')}`;
}

export interface RetryAfterValue {
  readonly seconds: number;
  readonly comment: string | undefined;
  readonly params: Params;
}

export function parseRetryAfter(s: string): RetryAfterValue {
  const m = /^\s*([0-9]+)\s*(\((?:[^()\\]|\\.)*\))?\s*(.*)$/s.exec(s);
  if (!m) throw new SipParseError(400, `Retry-After: malformed "${clip(s)}"`);
  const seconds = parseDigits(m[1] as string, MAX_DELTA_SECONDS, 'Retry-After');
  const rest = m[3] as string;
  return { seconds, comment: m[2]?.slice(1, -1), params: parseHeaderParams(rest, 0, 'Retry-After') };
}

export function printRetryAfter(r: RetryAfterValue): string {
  return `${r.seconds}${r.comment === undefined ? '' : ` (${r.comment})`}${r.params.toString(';')}`;
}

export interface TimestampValue {
  /** As written, e.g. "54.21" (section 8.2.6.1 echoes it in 100 Trying). */
  readonly time: string;
  readonly delay: string | undefined;
}

export function parseTimestamp(s: string): TimestampValue {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?)\s*([0-9]*(?:\.[0-9]*)?)\s*$/.exec(s);
  if (!m) throw new SipParseError(400, `Timestamp: malformed "${clip(s)}"`);
  return { time: m[1] as string, delay: m[2] ? m[2] : undefined };
}

export function printTimestamp(t: TimestampValue): string {
  return t.delay === undefined ? t.time : `${t.time} ${t.delay}`;
}

export interface RAckValue {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}

export function parseRAck(s: string): RAckValue {
  const m = /^\s*([0-9]+)\s+([0-9]+)\s+(\S+)\s*$/.exec(s);
  if (!m || !isToken(m[3] as string)) throw new SipParseError(400, `RAck: malformed "${clip(s)}"`);
  return {
    rseq: parseDigits(m[1] as string, MAX_DELTA_SECONDS, 'RAck response-num'),
    cseq: parseDigits(m[2] as string, MAX_DELTA_SECONDS, 'RAck CSeq-num'),
    method: m[3] as string,
  };
}

export function printRAck(r: RAckValue): string {
  return `${r.rseq} ${r.cseq} ${r.method}`;
}

export interface SessionExpiresValue {
  readonly seconds: number;
  /** refresher=uac|uas and extensions. */
  readonly params: Params;
}

export function parseSessionExpires(s: string): SessionExpiresValue {
  const { head, params } = tokenWithParams(s, 'Session-Expires');
  return { seconds: parseDigits(head, MAX_DELTA_SECONDS, 'Session-Expires'), params };
}

export function printSessionExpires(v: SessionExpiresValue): string {
  return `${v.seconds}${v.params.toString(';')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Date: RFC 1123 form, and GMT only (section 20.17; RFC 4475 baddate uses EST). */
export function parseSipDate(s: string): Date {
  const m =
    /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) ([A-Z][a-z]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT\s*$/.exec(
      s,
    );
  const month = m ? MONTHS.indexOf(m[3] as string) : -1;
  if (!m || month < 0) throw new SipParseError(400, `Date: not an RFC 1123 date in GMT: "${clip(s)}"`);
  return new Date(Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])));
}

export function printSipDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}

export function parseDeltaSeconds(s: string): number {
  return parseDigits(s, MAX_DELTA_SECONDS, 'delta-seconds');
}

export function parseMaxForwards(s: string): number {
  return parseDigits(s, 255, 'Max-Forwards');
}

export function parseContentLength(s: string): number {
  return parseDigits(s, Number.MAX_SAFE_INTEGER, 'Content-Length');
}

export function printNumber(n: number): string {
  return String(n);
}

/** A comma-separated list of tokens; empty elements are ignored (`Supported:` is an empty list). */
export function parseTokenList(s: string): string[] {
  const out: string[] = [];
  for (const piece of splitList(s)) {
    if (piece.length === 0) continue;
    if (!isToken(piece)) throw new SipParseError(400, `bad token "${clip(piece)}"`);
    out.push(piece);
  }
  return out;
}

/** A comma-separated list kept as trimmed text (Accept-Language and the like). */
export function parseTextList(s: string): string[] {
  return splitList(s).filter((p) => p.length > 0);
}

/**
 * A comma-separated list of `item *(SEMI param)` kept as trimmed text, each item checked by
 * `isItem`: Accept-Encoding (codings), Accept-Language (language-range), Content-Language
 * (language-tag). An empty list is allowed (section 20.2: an empty Accept-Encoding means identity).
 */
function parseItemList(s: string, what: string, isItem: (item: string) => boolean): string[] {
  const out: string[] = [];
  for (const piece of splitList(s)) {
    if (piece.length === 0) continue;
    const semi = piece.indexOf(';');
    const item = (semi < 0 ? piece : piece.slice(0, semi)).trim();
    if (!isItem(item)) throw new SipParseError(400, `${what}: bad value "${clip(item)}"`);
    if (semi >= 0) parseHeaderParams(piece, semi, what);
    out.push(piece);
  }
  return out;
}

/** Accept-Encoding (section 20.2): codings = content-coding / "*", both tokens. */
export function parseCodingList(s: string): string[] {
  return parseItemList(s, 'Accept-Encoding', isToken);
}

const LANGUAGE_RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/;

/** Accept-Language (section 20.3): language-range = 1*8ALPHA *("-" 1*8ALPHA) / "*". */
export function parseLanguageRangeList(s: string): string[] {
  return parseItemList(s, 'Accept-Language', (item) => LANGUAGE_RANGE.test(item));
}

/** Content-Language (section 20.13): language-tags; digits allowed in subtags as RFC 5646 does ("es-419"). */
export function parseLanguageTagList(s: string): string[] {
  return parseItemList(s, 'Content-Language', (item) => item !== '*' && LANGUAGE_RANGE.test(item));
}

export function printText(s: string): string {
  return s;
}

/** TEXT-UTF8-TRIM (section 25.1): any text but control characters (HT is linear white space). */
export function parseText(s: string): string {
  const t = s.trim();
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      throw new SipParseError(400, `control character 0x${c.toString(16).padStart(2, '0')} in "${clip(t)}"`);
    }
  }
  return t;
}

/** Content-Disposition (section 20.11): disp-type *(SEMI disp-param), kept as text. */
export function parseDisposition(s: string): string {
  const t = s.trim();
  const semi = t.indexOf(';');
  const type = (semi < 0 ? t : t.slice(0, semi)).trim();
  if (!isToken(type)) throw new SipParseError(400, `Content-Disposition: bad disposition type "${clip(type)}"`);
  if (semi >= 0) parseHeaderParams(t, semi, 'Content-Disposition');
  return t;
}

/** MIME-Version (section 20.24): 1*DIGIT "." 1*DIGIT. */
export function parseMimeVersion(s: string): string {
  const t = s.trim();
  if (!/^[0-9]+\.[0-9]+$/.test(t)) throw new SipParseError(400, `MIME-Version: malformed "${clip(t)}"`);
  return t;
}

/** Privacy (RFC 3323 section 4.2): priv-value *(";" priv-value), each a token. */
export function parsePrivacy(s: string): string[] {
  const out = s.split(';').map((v) => v.trim());
  for (const v of out) if (!isToken(v)) throw new SipParseError(400, `Privacy: bad value "${clip(v)}"`);
  return out;
}

export function printPrivacy(values: readonly string[]): string {
  return values.join(';');
}

/** Priority (section 20.26): one token (emergency, urgent, normal, non-urgent or an extension). */
export function parsePriority(s: string): string {
  const t = s.trim();
  if (!isToken(t)) throw new SipParseError(400, `Priority: not a token: "${clip(t)}"`);
  return t;
}

/** callid = word [ "@" word ] (section 25.1): no white space or control characters. */
export function parseCallId(s: string): string {
  const t = s.trim();
  let ok = t.length > 0;
  for (let i = 0; ok && i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || (c >= 0x80 && /\s/.test(t[i] as string))) ok = false;
  }
  if (!ok) throw new SipParseError(400, `Call-ID: malformed "${clip(t)}"`);
  return t;
}
