/**
 * WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization (RFC 3261 sections
 * 20.7, 20.27, 20.28, 20.44; RFC 7616) and Authentication-Info (RFC 7615). A value is a scheme and
 * comma-separated auth-params; quoted values keep their quotes so that a proxy forwards them
 * byte for byte, and the digest code reads them with Params.getUnquoted. Unknown schemes parse
 * (RFC 4475 regaut01) so that a registrar can answer with a challenge it understands.
 */
import { SipParseError } from './errors.js';
import { clip, endOfQuoted, isToken, isTokenChar, skipWs } from './grammar.js';
import { type ParamEntry, Params } from './params.js';

export interface AuthValue {
  /** "Digest", or any other scheme as written. */
  readonly scheme: string;
  readonly params: Params;
}

/** Parses `name=value, name="value", ...` starting at s[i]. */
export function parseAuthParams(s: string, i = 0): Params {
  const entries: ParamEntry[] = [];
  i = skipWs(s, i);
  while (i < s.length) {
    const ns = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(ns, i);
    if (name.length === 0) throw new SipParseError(400, `bad auth parameter in "${clip(s)}"`);
    i = skipWs(s, i);
    let value: string | null = null;
    if (s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 0x22) {
        const end = endOfQuoted(s, i);
        value = s.slice(i, end + 1);
        i = end + 1;
      } else {
        const vs = i;
        while (i < s.length && s.charCodeAt(i) !== 0x2c && s.charCodeAt(i) > 0x20) i++;
        value = s.slice(vs, i);
      }
    }
    entries.push([name, value]);
    i = skipWs(s, i);
    if (i < s.length) {
      if (s.charCodeAt(i) !== 0x2c) throw new SipParseError(400, `bad auth parameters "${clip(s)}"`);
      i = skipWs(s, i + 1);
    }
  }
  return new Params(entries);
}

export function parseAuthValue(s: string): AuthValue {
  const t = s.trim();
  const sp = t.search(/\s/);
  const scheme = sp < 0 ? t : t.slice(0, sp);
  if (!isToken(scheme)) throw new SipParseError(400, `bad authentication scheme in "${clip(t)}"`);
  return { scheme, params: sp < 0 ? Params.empty : parseAuthParams(t, sp) };
}

export function printAuthParams(p: Params): string {
  return p
    .entries()
    .map(([n, v]) => (v === null ? n : `${n}=${v}`))
    .join(', ');
}

export function printAuthValue(v: AuthValue): string {
  return v.params.size === 0 ? v.scheme : `${v.scheme} ${printAuthParams(v.params)}`;
}
