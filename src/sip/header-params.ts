/**
 * Header parameters: `*( SEMI generic-param )` after a header value (RFC 3261 section 25.1),
 * with linear white space allowed around ';' and '='. A generic value is a token, a host
 * (IPv6 references included, with or without brackets as RFC 5118 requires for received=) or a
 * quoted-string, which keeps its quotes.
 */
import { SipParseError } from './errors.js';
import { clip, endOfQuoted, isTokenChar, isWs, skipWs } from './grammar.js';
import { type ParamEntry, Params } from './params.js';

function isValueChar(c: number): boolean {
  return isTokenChar(c) || c === 0x3a || c === 0x5b || c === 0x5d || c >= 0x80;
}

/**
 * Parses parameters starting at s[i], which must be ';' or the end of the string.
 * Returns the parameters; anything else after them is an error.
 */
export function parseHeaderParams(s: string, i: number, what: string): Params {
  i = skipWs(s, i);
  if (i >= s.length) return Params.empty;
  const entries: ParamEntry[] = [];
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) throw new SipParseError(400, `${what}: unexpected "${clip(s.slice(i), 20)}"`);
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(nameStart, i);
    if (name.length === 0) throw new SipParseError(400, `${what}: empty parameter`);
    i = skipWs(s, i);
    let value: string | null = null;
    if (i < s.length && s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 0x22) {
        const end = endOfQuoted(s, i);
        value = s.slice(i, end + 1);
        i = end + 1;
      } else {
        const vs = i;
        while (i < s.length && isValueChar(s.charCodeAt(i))) i++;
        value = s.slice(vs, i);
        if (value.length === 0) throw new SipParseError(400, `${what}: empty value for parameter ${name}`);
      }
      i = skipWs(s, i);
    }
    entries.push([name, value]);
    if (i < s.length && !isWs(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x3b) {
      throw new SipParseError(400, `${what}: unexpected "${clip(s.slice(i), 20)}" in parameters`);
    }
  }
  return new Params(entries);
}
