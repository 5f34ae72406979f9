/**
 * URIs: SIP and SIPS (RFC 3261 section 19.1, grammar in section 25.1), tel (RFC 3966), and any
 * other absolute URI kept opaque (so that unknown schemes parse and a server can answer 416, as
 * RFC 4475 unkscm/novelsc ask). The user and password of a SIP URI are stored unescaped; a parsed
 * URI prints them as received (`%61lice` stays `%61lice`: a proxy forwards the octets it got),
 * a built or changed one escapes what the grammar requires. URI parameters and headers are
 * stored as written. The parser is uri-parse.ts.
 */
import { escapePercent, PASSWORD_CHARS, USER_CHARS, unescapePercent } from './grammar.js';
import { Params } from './params.js';

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
