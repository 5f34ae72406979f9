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
  throw new SipParseError(400, `bad URI "${clip(text)}": ${why}`);
}

function checkChars(s: string, allowed: Uint8Array, text: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) fail(text, `bad escape in ${what}`);
      i += 2;
    } else if (c < 128 && allowed[c] !== 1) fail(text, `character '${s[i]}' not allowed in ${what}`);
    else if (c < 0x21) fail(text, `control character in ${what}`);
  }
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** Validates a host: an IPv6 reference in brackets, an IPv4 address, or a host name. */
export function checkHost(host: string, text: string): void {
  if (host.length === 0) fail(text, 'empty host');
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || !/^\[[0-9A-Fa-f:.]+\]$/.test(host) || !host.includes(':'))
      fail(text, 'bad IPv6 reference');
    return;
  }
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    // '_' is not in the RFC grammar but appears in real host names (containers, some DNS zones).
    if (c >= 128 || (HOSTNAME_CHARS[c] !== 1 && c !== 0x5f)) fail(text, `character '${host[i]}' not allowed in host`);
  }
}

function parsePort(s: string, text: string): number {
  if (!/^[0-9]{1,5}$/.test(s)) fail(text, `bad port "${s}"`);
  const n = Number(s);
  if (n > 65535) fail(text, `port ${n} out of range`);
  return n;
}

function parseUriParams(s: string, text: string): Params {
  if (s.length === 0) return Params.empty;
  const entries: ParamEntry[] = [];
  for (const part of s.split(';')) {
    if (part.length === 0) fail(text, 'empty parameter');
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (name.length === 0) fail(text, 'empty parameter name');
    checkChars(name, PARAM_CHARS, text, 'parameter');
    if (value !== null) checkChars(value, PARAM_CHARS, text, 'parameter value');
    entries.push([name, value]);
  }
  return new Params(entries);
}

function parseUriHeaders(s: string, text: string): Params {
  const entries: ParamEntry[] = [];
  for (const part of s.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) fail(text, 'bad URI header');
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    checkChars(name, HNV_CHARS, text, 'URI header');
    checkChars(value, HNV_CHARS, text, 'URI header value');
    entries.push([name, value]);
  }
  return new Params(entries);
}

/** Parses a SIP or SIPS URI after its "sip:" prefix. */
function parseSip(scheme: 'sip' | 'sips', rest: string, text: string): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (rawUser.length === 0) fail(text, 'empty user');
    checkChars(rawUser, USER_CHARS, text, 'user');
    user = unescapePercent(rawUser);
    if (colon >= 0) {
      const rawPw = userinfo.slice(colon + 1);
      checkChars(rawPw, PASSWORD_CHARS, text, 'password');
      password = unescapePercent(rawPw);
    }
  }
  let headers = Params.empty;
  const q = hostPart.indexOf('?');
  if (q >= 0) {
    headers = parseUriHeaders(hostPart.slice(q + 1), text);
    hostPart = hostPart.slice(0, q);
  }
  let params = Params.empty;
  const semi = hostPart.indexOf(';');
  if (semi >= 0) {
    params = parseUriParams(hostPart.slice(semi + 1), text);
    hostPart = hostPart.slice(0, semi);
  }
  let host: string;
  let port: number | undefined;
  if (hostPart.startsWith('[')) {
    const close = hostPart.indexOf(']');
    if (close < 0) fail(text, 'unterminated IPv6 reference');
    host = hostPart.slice(0, close + 1);
    const after = hostPart.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) fail(text, 'junk after IPv6 reference');
      port = parsePort(after.slice(1), text);
    }
  } else {
    const colon = hostPart.indexOf(':');
    host = colon < 0 ? hostPart : hostPart.slice(0, colon);
    if (colon >= 0) port = parsePort(hostPart.slice(colon + 1), text);
  }
  checkHost(host, text);
  return new SipUri({ scheme, user, password, host, port, params, headers }, at >= 0 ? rest.slice(0, at) : undefined);
}

function parseTel(rest: string, text: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^\+?[0-9A-Fa-f*#().-]+$/.test(number) || !/[0-9A-Fa-f*#]/.test(number)) fail(text, 'bad telephone number');
  return new TelUri(number, semi < 0 ? Params.empty : parseUriParams(rest.slice(semi + 1), text));
}

/** Parses an absolute URI. Throws SipParseError (status 400) when it is malformed. */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) fail(text, 'no scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (!SCHEME_RE.test(scheme)) fail(text, 'bad scheme');
  const rest = text.slice(colon + 1);
  if (rest.length === 0) fail(text, 'nothing after the scheme');
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f)
      fail(text, 'white space, quote or bracket in URI');
  }
  if (scheme === 'sip' || scheme === 'sips') return parseSip(scheme, rest, text);
  if (scheme === 'tel') return parseTel(rest, text);
  return new GenericUri(scheme, rest);
}

/** Parses a URI that must be SIP or SIPS. */
export function parseSipUri(text: string): SipUri {
  const u = parseUri(text);
  if (!(u instanceof SipUri)) throw new SipParseError(416, `not a SIP URI: "${clip(text)}"`);
  return u;
}
