/**
 * Header parameters: `*( SEMI generic-param )` after a header value (RFC 3261 section 25.1),
 * with linear white space allowed around ';' and '='. A generic value is a token, a host
 * (IPv6 references included, with or without brackets as RFC 5118 requires for received=) or a
 * quoted-string, which keeps its quotes.
 */
import { SipParseError } from './errors.js';
import { clip, endOfQuoted, TOKEN_CHARS } from './grammar.js';
import { Params } from './params.js';

const TOKEN = TOKEN_CHARS;

function isValueChar(c: number): boolean {
  return c >= 0x80 ? true : TOKEN[c] === 1 || c === 0x3a || c === 0x5b || c === 0x5d;
}

function isWsChar(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * Parses parameters starting at s[i], which must be ';' or the end of the string.
 * Returns the parameters; anything else after them is an error.
 */
export function parseHeaderParams(s: string, i: number, what: string): Params {
  const n = s.length;
  while (i < n && isWsChar(s.charCodeAt(i))) i++;
  if (i >= n) return Params.empty;
  const flat: (string | null)[] = [];
  while (i < n) {
    if (s.charCodeAt(i) !== 0x3b) throw new SipParseError(400, `${what}: unexpected "${clip(s.slice(i), 20)}"`);
    i++;
    while (i < n && isWsChar(s.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || TOKEN[c] !== 1) break;
      i++;
    }
    if (i === nameStart) throw new SipParseError(400, `${what}: empty parameter`);
    const name = s.slice(nameStart, i);
    while (i < n && isWsChar(s.charCodeAt(i))) i++;
    let value: string | null = null;
    if (i < n && s.charCodeAt(i) === 0x3d) {
      i++;
      while (i < n && isWsChar(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) === 0x22) {
        const end = endOfQuoted(s, i);
        value = s.slice(i, end + 1);
        i = end + 1;
      } else {
        const vs = i;
        while (i < n && isValueChar(s.charCodeAt(i))) i++;
        if (i === vs) throw new SipParseError(400, `${what}: empty value for parameter ${name}`);
        value = s.slice(vs, i);
      }
      while (i < n && isWsChar(s.charCodeAt(i))) i++;
    }
    flat.push(name, value);
    if (i < n && s.charCodeAt(i) !== 0x3b) {
      throw new SipParseError(400, `${what}: unexpected "${clip(s.slice(i), 20)}" in parameters`);
    }
  }
  return Params.fromFlat(flat);
}
