/**
 * Parsing of absolute URIs (RFC 3261 section 25.1 for SIP and SIPS, RFC 3966 for tel, any other
 * scheme kept opaque): every character checked against its class, %HH escapes validated, the
 * user and password unescaped once (RFC 4475 esc01, escnull), IPv6 references with their port
 * outside the brackets (RFC 5118 section 4.4). Errors are SipParseError 400 naming the fault.
 */
import { SipParseError } from './errors.js';
import {
  clip,
  HNV_CHARS,
  HOSTNAME_CHARS,
  PARAM_CHARS,
  PASSWORD_CHARS,
  USER_CHARS,
  unescapePercent,
} from './grammar.js';
import { type ParamEntry, Params } from './params.js';
import { GenericUri, SipUri, TelUri, type Uri } from './uri.js';

function fail(text: string, why: string): never {
  // Name the likeliest mistake: white space, quotes or brackets that belong outside the URI.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f) {
      throw new SipParseError(400, `bad URI "${clip(text)}": white space, quote or bracket in URI`);
    }
  }
  throw new SipParseError(400, `bad URI "${clip(text)}": ${why}`);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Checks s[from, to) against a character class, %HH escapes allowed; returns true when it holds a '%'. */
function checkChars(s: string, from: number, to: number, allowed: Uint8Array, text: string, what: string): boolean {
  let escaped = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && allowed[c] === 1) continue;
    if (c === 0x25) {
      if (i + 2 >= to || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2)))
        fail(text, `bad escape in ${what}`);
      escaped = true;
      i += 2;
    } else if (c < 128) fail(text, `character '${s[i]}' not allowed in ${what}`);
  }
  return escaped;
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Validates a host: an IPv6 reference in brackets, an IPv4 address, or a host name. */
export function checkHost(host: string, text: string): void {
  const n = host.length;
  if (n === 0) fail(text, 'empty host');
  if (host.charCodeAt(0) === 0x5b) {
    let colons = 0;
    for (let i = 1; i < n - 1; i++) {
      const c = host.charCodeAt(i);
      if (c === 0x3a) colons++;
      else if (!isHex(c) && c !== 0x2e) fail(text, 'bad IPv6 reference');
    }
    if (n < 4 || host.charCodeAt(n - 1) !== 0x5d || colons === 0) fail(text, 'bad IPv6 reference');
    return;
  }
  for (let i = 0; i < n; i++) {
    const c = host.charCodeAt(i);
    // '_' is not in the RFC grammar but appears in real host names (containers, some DNS zones).
    if (c >= 128 || (HOSTNAME_CHARS[c] !== 1 && c !== 0x5f)) fail(text, `character '${host[i]}' not allowed in host`);
  }
}

function parsePort(s: string, from: number, to: number, text: string): number {
  if (to === from || to - from > 5) fail(text, `bad port "${s.slice(from, to)}"`);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) fail(text, `bad port "${s.slice(from, to)}"`);
    n = n * 10 + (c - 0x30);
  }
  if (n > 65535) fail(text, `port ${n} out of range`);
  return n;
}

/** uri-parameters in s[from, to): `name[=value]` separated by ';'. */
function parseUriParams(s: string, from: number, to: number, text: string): Params {
  if (from >= to) return Params.empty; // a lone trailing ';', tolerated
  const flat: (string | null)[] = [];
  let i = from;
  while (i <= to) {
    let end = s.indexOf(';', i);
    if (end < 0 || end > to) end = to;
    if (end === i) fail(text, 'empty parameter');
    let eq = s.indexOf('=', i);
    if (eq >= end) eq = -1;
    if (eq === i) fail(text, 'empty parameter name');
    const nameEnd = eq < 0 ? end : eq;
    checkChars(s, i, nameEnd, PARAM_CHARS, text, 'parameter');
    if (eq >= 0) checkChars(s, eq + 1, end, PARAM_CHARS, text, 'parameter value');
    flat.push(s.slice(i, nameEnd), eq < 0 ? null : s.slice(eq + 1, end));
    i = end + 1;
  }
  return Params.fromFlat(flat);
}

function parseUriHeaders(s: string, text: string): Params {
  const entries: ParamEntry[] = [];
  for (const part of s.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) fail(text, 'bad URI header');
    checkChars(part, 0, eq, HNV_CHARS, text, 'URI header');
    checkChars(part, eq + 1, part.length, HNV_CHARS, text, 'URI header value');
    entries.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return new Params(entries);
}

/** Parses a SIP or SIPS URI from text[from] (after "sip:" or "sips:"). */
function parseSip(scheme: 'sip' | 'sips', text: string, from: number): SipUri {
  const n = text.length;
  let user: string | undefined;
  let password: string | undefined;
  let wireUserinfo: string | undefined;
  let hostStart = from;
  const at = text.indexOf('@', from);
  if (at >= 0) {
    let colon = text.indexOf(':', from);
    if (colon > at) colon = -1;
    const userEnd = colon < 0 ? at : colon;
    if (userEnd === from) fail(text, 'empty user');
    const escUser = checkChars(text, from, userEnd, USER_CHARS, text, 'user');
    user = escUser ? unescapePercent(text.slice(from, userEnd)) : text.slice(from, userEnd);
    if (colon >= 0) {
      const escPw = checkChars(text, colon + 1, at, PASSWORD_CHARS, text, 'password');
      password = escPw ? unescapePercent(text.slice(colon + 1, at)) : text.slice(colon + 1, at);
    }
    wireUserinfo = colon < 0 && !escUser ? user : text.slice(from, at);
    hostStart = at + 1;
  }
  let hostEnd = n;
  let headers = Params.empty;
  const q = text.indexOf('?', hostStart);
  if (q >= 0) {
    headers = parseUriHeaders(text.slice(q + 1), text);
    hostEnd = q;
  }
  let params = Params.empty;
  let semi = text.indexOf(';', hostStart);
  if (semi >= hostEnd) semi = -1;
  if (semi >= 0) {
    params = parseUriParams(text, semi + 1, hostEnd, text);
    hostEnd = semi;
  }
  let host: string;
  let port: number | undefined;
  if (text.charCodeAt(hostStart) === 0x5b) {
    const close = text.indexOf(']', hostStart);
    if (close < 0 || close >= hostEnd) fail(text, 'unterminated IPv6 reference');
    host = text.slice(hostStart, close + 1);
    if (close + 1 < hostEnd) {
      if (text.charCodeAt(close + 1) !== 0x3a) fail(text, 'junk after IPv6 reference');
      port = parsePort(text, close + 2, hostEnd, text);
    }
  } else {
    let colon = text.indexOf(':', hostStart);
    if (colon >= hostEnd) colon = -1;
    host = text.slice(hostStart, colon < 0 ? hostEnd : colon);
    if (colon >= 0) port = parsePort(text, colon + 1, hostEnd, text);
  }
  checkHost(host, text);
  return new SipUri({ scheme, user, password, host, port, params, headers }, wireUserinfo);
}

function parseTel(rest: string, text: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^\+?[0-9A-Fa-f*#().-]+$/.test(number) || !/[0-9A-Fa-f*#]/.test(number)) fail(text, 'bad telephone number');
  return new TelUri(number, semi < 0 ? Params.empty : parseUriParams(rest, semi + 1, rest.length, text));
}

/** The scheme of text (lower case) and where the rest starts, for the common schemes without allocating. */
function schemeOf(text: string): [string, number] {
  const c0 = text.charCodeAt(0) | 0x20;
  const c1 = text.charCodeAt(1) | 0x20;
  const c2 = text.charCodeAt(2) | 0x20;
  if (c0 === 0x73 && c1 === 0x69 && c2 === 0x70) {
    const c3 = text.charCodeAt(3);
    if (c3 === 0x3a) return ['sip', 4];
    if ((c3 | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a) return ['sips', 5];
  }
  if (c0 === 0x74 && c1 === 0x65 && c2 === 0x6c && text.charCodeAt(3) === 0x3a) return ['tel', 4];
  const colon = text.indexOf(':');
  if (colon <= 0) fail(text, 'no scheme');
  for (let i = 0; i < colon; i++) if (!isSchemeChar(text.charCodeAt(i), i === 0)) fail(text, 'bad scheme');
  return [text.slice(0, colon).toLowerCase(), colon + 1];
}

/** Parses an absolute URI. Throws SipParseError (status 400) when it is malformed. */
export function parseUri(text: string): Uri {
  const [scheme, from] = schemeOf(text);
  if (from >= text.length) fail(text, 'nothing after the scheme');
  // SIP URIs are checked character by character by their parser, and fail() names white space,
  // quotes and brackets; other schemes are kept opaque, so check them here.
  if (scheme === 'sip' || scheme === 'sips') return parseSip(scheme, text, from);
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f)
      fail(text, 'white space, quote or bracket in URI');
  }
  if (scheme === 'tel') return parseTel(text.slice(from), text);
  return new GenericUri(scheme, text.slice(from));
}

/** Parses a URI that must be SIP or SIPS. */
export function parseSipUri(text: string): SipUri {
  const u = parseUri(text);
  if (!(u instanceof SipUri)) throw new SipParseError(416, `not a SIP URI: "${clip(text)}"`);
  return u;
}
