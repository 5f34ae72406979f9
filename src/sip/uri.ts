/**
 * URIs: SIP and SIPS (RFC 3261 section 19.1, grammar in section 25.1), tel (RFC 3966), and any
 * other absolute URI kept opaque (so that unknown schemes parse and a server can answer 416, as
 * RFC 4475 unkscm/novelsc ask). The user and password of a SIP URI are stored unescaped; a parsed
 * URI prints them as received (`%61lice` stays `%61lice`: a proxy forwards the octets it got),
 * a built or changed one escapes what the grammar requires. URI parameters and headers are
 * stored as written.
 */
import { SipParseError } from './errors.js';
import {
  clip,
  escapePercent,
  HNV_CHARS,
  HOSTNAME_CHARS,
  PARAM_CHARS,
  PASSWORD_CHARS,
  USER_CHARS,
  unescapePercent,
} from './grammar.js';
import { type ParamEntry, Params } from './params.js';

export interface SipUriInit {
  scheme?: 'sip' | 'sips';
  user?: string | undefined;
  password?: string | undefined;
  host: string;
  port?: number | undefined;
  params?: Params;
  headers?: Params;
}

export class SipUri {
  readonly scheme: 'sip' | 'sips';
  /** The user part, unescaped (`sip:%61lice@h` has user "alice"). */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The host as written; an IPv6 reference keeps its brackets. */
  readonly host: string;
  readonly port: number | undefined;
  /** uri-parameters (transport, lr, maddr, user, ...). */
  readonly params: Params;
  /** URI headers (`?Replaces=...`), values as written (still escaped). */
  readonly headers: Params;
  /** user[:password] as received, escapes kept, so that printing gives back the same octets. */
  readonly #wireUserinfo: string | undefined;

  /** `wireUserinfo` is the userinfo as written on the wire (the parser passes it); it must match user and password. */
  constructor(init: SipUriInit, wireUserinfo?: string) {
    this.#wireUserinfo = init.user === undefined ? undefined : wireUserinfo;
    this.scheme = init.scheme ?? 'sip';
    this.user = init.user;
    this.password = init.password;
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ?? Params.empty;
    this.headers = init.headers ?? Params.empty;
  }

  get kind(): 'sip' {
    return 'sip';
  }

  /** The host without IPv6 brackets, for sockets and DNS. */
  get hostname(): string {
    return stripBrackets(this.host);
  }

  /** A URI header value, unescaped (`Replaces` of a Refer-To URI). */
  header(name: string): string | undefined {
    const v = this.headers.get(name);
    return v === undefined || v === null ? undefined : unescapePercent(v);
  }

  with(changes: Partial<SipUriInit>): SipUri {
    const sameUserinfo = !('user' in changes) && !('password' in changes);
    return new SipUri(
      {
        scheme: changes.scheme ?? this.scheme,
        user: 'user' in changes ? changes.user : this.user,
        password: 'password' in changes ? changes.password : this.password,
        host: changes.host ?? this.host,
        port: 'port' in changes ? changes.port : this.port,
        params: changes.params ?? this.params,
        headers: changes.headers ?? this.headers,
      },
      sameUserinfo ? this.#wireUserinfo : undefined,
    );
  }

  withParam(name: string, value: string | number | null = null): SipUri {
    return this.with({ params: this.params.with(name, value) });
  }

  withoutParam(name: string): SipUri {
    return this.with({ params: this.params.without(name) });
  }

  /** The URI as it would appear in a To header: no headers, no method/maddr/ttl/transport/lr. */
  toAddressOfRecord(): SipUri {
    return new SipUri({ scheme: this.scheme, user: this.user, host: this.host.toLowerCase(), port: this.port });
  }

  toString(): string {
    let s = `${this.scheme}:`;
    if (this.#wireUserinfo !== undefined) s += `${this.#wireUserinfo}@`;
    else if (this.user !== undefined) {
      s += escapePercent(this.user, USER_CHARS);
      if (this.password !== undefined) s += `:${escapePercent(this.password, PASSWORD_CHARS)}`;
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += `:${this.port}`;
    s += this.params.toString(';');
    if (this.headers.size > 0) s += `?${this.headers.toString('&', false)}`;
    return s;
  }

  /**
   * URI comparison, RFC 3261 section 19.1.4: user and password case-sensitive (after unescaping),
   * host case-insensitive, an absent port differs from 5060, the user/ttl/method/maddr/transport
   * parameters must agree when either URI has them, other parameters only when both have them,
   * and headers must all agree.
   */
  equals(other: Uri): boolean {
    if (!(other instanceof SipUri) || other.scheme !== this.scheme) return false;
    if (this.user !== other.user || this.password !== other.password) return false;
    if (this.host.toLowerCase() !== other.host.toLowerCase() || this.port !== other.port) return false;
    for (const name of ['user', 'ttl', 'method', 'maddr', 'transport']) {
      const a = this.params.get(name);
      const b = other.params.get(name);
      if (a === undefined && b === undefined) continue;
      if (a === undefined || b === undefined || String(a).toLowerCase() !== String(b).toLowerCase()) return false;
    }
    for (const [n, v] of this.params.entries()) {
      const o = other.params.get(n);
      if (o === undefined) continue;
      if ((o ?? '').toLowerCase() !== (v ?? '').toLowerCase()) return false;
    }
    if (this.headers.size !== other.headers.size) return false;
    for (const [n] of this.headers.entries()) if (this.header(n) !== other.header(n)) return false;
    return true;
  }
}

/** tel URI (RFC 3966): a global (+...) or local number with parameters. */
export class TelUri {
  readonly scheme = 'tel' as const;
  constructor(
    readonly number: string,
    readonly params: Params = Params.empty,
  ) {}

  get kind(): 'tel' {
    return 'tel';
  }

  get isGlobal(): boolean {
    return this.number.startsWith('+');
  }

  /** The number without visual separators (RFC 3966 section 5.1.1). */
  get digits(): string {
    return this.number.replace(/[-.()]/g, '');
  }

  toString(): string {
    return `tel:${this.number}${this.params.toString(';')}`;
  }

  equals(other: Uri): boolean {
    return other instanceof TelUri && other.digits === this.digits && this.params.equals(other.params);
  }
}

/** Any other absolute URI (http, urn, mailto, unknown schemes): kept as scheme plus opaque text. */
export class GenericUri {
  constructor(
    readonly scheme: string,
    readonly opaque: string,
  ) {}

  get kind(): 'generic' {
    return 'generic';
  }

  toString(): string {
    return this.scheme === '*' ? '*' : `${this.scheme}:${this.opaque}`;
  }

  equals(other: Uri): boolean {
    return other instanceof GenericUri && other.scheme === this.scheme && other.opaque === this.opaque;
  }
}

export type Uri = SipUri | TelUri | GenericUri;

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

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
