/**
 * Lexical helpers for the RFC 3261 section 25 grammar: character classes, linear white space,
 * quoted strings, and the splitting of list headers on commas that stand outside quotes and
 * angle brackets (section 7.3.1). Everything here works on already unfolded header values.
 */
import { SipParseError } from './errors.js';

function table(chars: string, ranges: readonly [number, number][] = []): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [a, b] of ranges) for (let i = a; i <= b; i++) t[i] = 1;
  return t;
}

const ALNUM: readonly [number, number][] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN_CHARS = table("-.!%*_+`'~", ALNUM);
/** word adds the separators that Call-IDs may carry (section 25.1). */
export const WORD_CHARS = table('-.!%*_+`\'~()<>:\\"/[]?{}', ALNUM);
/** unreserved = alphanum / mark */
export const UNRESERVED = table("-_.!~*'()", ALNUM);
/** user-unreserved (section 25.1), plus unreserved: what may appear unescaped in a user part. */
export const USER_CHARS = table("-_.!~*'()&=+$,;?/", ALNUM);
/** password characters: unreserved / "&" / "=" / "+" / "$" / "," */
export const PASSWORD_CHARS = table("-_.!~*'()&=+$,", ALNUM);
/** paramchar: param-unreserved / unreserved (escaped handled separately). */
export const PARAM_CHARS = table("-_.!~*'()[]/:&+$", ALNUM);
/** hnv-unreserved / unreserved: characters of URI header names and values. */
export const HNV_CHARS = table("-_.!~*'()[]/?:+$", ALNUM);
/** Characters of a host name or IPv4 address. */
export const HOSTNAME_CHARS = table('-.', ALNUM);

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWordString(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || WORD_CHARS[c] !== 1) return false;
  }
  return true;
}

export function isWs(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the closing quote of the quoted string that starts at s[start] === '"'. */
export function endOfQuoted(s: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = s.indexOf('"', i);
    if (quote < 0) break;
    const backslash = s.indexOf('\\', i);
    if (backslash < 0 || backslash > quote) return quote;
    // quoted-pair: the backslash escapes the next character, whatever it is.
    i = backslash + 2;
  }
  throw new SipParseError(400, `unterminated quoted string in "${clip(s)}"`);
}

/** Removes the quotes and the backslash escapes of a quoted-string (section 25.1). */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = s.slice(1, -1);
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}

/** Makes a quoted-string, escaping quote and backslash. */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Splits a list header value on commas outside quoted strings and angle brackets.
 * Pieces are trimmed; an empty piece is kept so that callers can reject it where the grammar
 * forbids it (a stray comma in a Via, as in RFC 4475 badinv01).
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [value.trim()];
  const out: string[] = [];
  let depth = 0;
  let startAt = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) i = endOfQuoted(value, i);
    else if (c === 0x3c) depth++;
    else if (c === 0x3e) depth = Math.max(0, depth - 1);
    else if (c === 0x2c && depth === 0) {
      out.push(value.slice(startAt, i).trim());
      startAt = i + 1;
    }
  }
  out.push(value.slice(startAt).trim());
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes %HH escapes once (never recursively: %2541 becomes %41, not A). */
export function unescapePercent(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (hex.length !== 2 || !/^[0-9a-fA-F]{2}$/.test(hex)) throw new SipParseError(400, `bad escape in "${clip(s)}"`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i] as string, 'utf8')) bytes.push(b);
  }
  const buf = Buffer.from(bytes);
  try {
    return strictUtf8.decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

/** Escapes every character outside `allowed` as %HH (UTF-8 bytes for non-ASCII). */
export function escapePercent(s: string, allowed: Uint8Array): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || allowed[c] !== 1) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 128 && allowed[c] === 1) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Parses 1*DIGIT with an upper bound; leading zeros are allowed (RFC 4475 wsinv). */
export function parseDigits(s: string, max: number, what: string): number {
  let from = 0;
  let to = s.length;
  while (from < to && isWs(s.charCodeAt(from))) from++;
  while (to > from && isWs(s.charCodeAt(to - 1))) to--;
  let ok = to > from && to - from <= 12;
  let n = 0;
  for (let i = from; ok && i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) ok = false;
    else n = n * 10 + (c - 0x30);
  }
  if (!ok) throw new SipParseError(400, `bad ${what} "${clip(s.slice(from, to))}"`);
  if (n > max) throw new SipParseError(400, `${what} ${s.slice(from, to)} is larger than ${max}`);
  return n;
}

/** Shortens a string for an error message. */
export function clip(s: string, max = 60): string {
  const one = s.replace(/[\r\n]+/g, ' ');
  return one.length > max ? `${one.slice(0, max)}...` : one;
}
