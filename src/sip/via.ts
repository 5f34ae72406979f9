/**
 * The Via header (RFC 3261 sections 8.1.1.7, 18.2.1, 20.42) with RFC 3581 rport. A Via names
 * the transport and the address a response must go back to; its branch identifies the
 * transaction (section 17). received= may carry an IPv6 address with or without brackets
 * (RFC 5118 section 4.5).
 */
import { SipParseError } from './errors.js';
import { clip, isTokenChar } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import { Params } from './params.js';
import { checkHost } from './uri-parse.js';

export interface ViaInit {
  protocol?: string;
  version?: string;
  transport: string;
  host: string;
  port?: number | undefined;
  params?: Params;
}

export class Via {
  /** "SIP" */
  readonly protocol: string;
  /** "2.0" */
  readonly version: string;
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, WSS, or any extension. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;

  constructor(init: ViaInit) {
    this.protocol = init.protocol ?? 'SIP';
    this.version = init.version ?? '2.0';
    const t = init.transport;
    this.transport = t === 'UDP' || t === 'TCP' || t === 'TLS' ? t : t.toUpperCase();
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ?? Params.empty;
  }

  get branch(): string | undefined {
    return this.params.getUnquoted('branch');
  }

  get received(): string | undefined {
    return this.params.getUnquoted('received');
  }

  /** RFC 3581: true when the client asked for rport (`;rport`), the port when a server filled it in. */
  get rport(): number | true | undefined {
    const v = this.params.get('rport');
    if (v === undefined) return undefined;
    if (v === null || v === '') return true;
    const n = Number(v);
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : true;
  }

  get maddr(): string | undefined {
    return this.params.getUnquoted('maddr');
  }

  with(changes: Partial<ViaInit>): Via {
    return new Via({
      protocol: changes.protocol ?? this.protocol,
      version: changes.version ?? this.version,
      transport: changes.transport ?? this.transport,
      host: changes.host ?? this.host,
      port: 'port' in changes ? changes.port : this.port,
      params: changes.params ?? this.params,
    });
  }

  withParam(name: string, value: string | number | null = null): Via {
    return this.with({ params: this.params.with(name, value) });
  }

  toString(): string {
    const port = this.port === undefined ? '' : `:${this.port}`;
    return `${this.protocol}/${this.version}/${this.transport} ${this.host}${port}${this.params.toString(';')}`;
  }
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function bad(s: string): never {
  throw new SipParseError(400, `Via: malformed "${clip(s)}"`);
}

/** A run of token characters starting at s[i]; returns its end. */
function tokenEnd(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ), sent-protocol = protocol-name SLASH
 * protocol-version SLASH transport, sent-by = host [ COLON port ] (section 25.1), with the LWS
 * the grammar allows around SLASH and COLON (RFC 4475 wsinv).
 */
export function parseVia(s: string): Via {
  const n = s.length;
  let i = 0;
  while (i < n && isLws(s.charCodeAt(i))) i++;
  // The usual "SIP/2.0/" prefix and transports without cutting strings out.
  if (s.startsWith('SIP/2.0/', i)) {
    const t = s.startsWith('UDP', i + 8)
      ? 'UDP'
      : s.startsWith('TCP', i + 8)
        ? 'TCP'
        : s.startsWith('TLS', i + 8)
          ? 'TLS'
          : '';
    const c = s.charCodeAt(i + 8 + t.length);
    if (t !== '' && (c === 0x20 || c === 0x09)) return sentBy(s, i + 11, 'SIP', '2.0', t);
  }
  const p0 = i;
  i = tokenEnd(s, i);
  const protocol = s.slice(p0, i);
  while (i < n && isLws(s.charCodeAt(i))) i++;
  if (protocol.length === 0 || s.charCodeAt(i) !== 0x2f) bad(s);
  i++;
  while (i < n && isLws(s.charCodeAt(i))) i++;
  const v0 = i;
  i = tokenEnd(s, i);
  const version = s.slice(v0, i);
  while (i < n && isLws(s.charCodeAt(i))) i++;
  if (version.length === 0 || s.charCodeAt(i) !== 0x2f) bad(s);
  i++;
  while (i < n && isLws(s.charCodeAt(i))) i++;
  const t0 = i;
  i = tokenEnd(s, i);
  const transport = s.slice(t0, i);
  const afterTransport = i;
  while (i < n && isLws(s.charCodeAt(i))) i++;
  if (transport.length === 0 || i === afterTransport || i >= n) bad(s);
  if ((protocol === 'SIP' || protocol.toUpperCase() === 'SIP') && version !== '2.0') {
    throw new SipParseError(505, `Via: SIP version ${version} is not supported`);
  }
  return sentBy(s, i, protocol === 'SIP' ? protocol : protocol.toUpperCase(), version, transport);
}

/** sent-by and the parameters, from s[i] (after the white space that follows sent-protocol). */
function sentBy(s: string, i: number, protocol: string, version: string, transport: string): Via {
  const n = s.length;
  while (i < n && isLws(s.charCodeAt(i))) i++;
  if (i >= n) bad(s);
  const h0 = i;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) bad(s);
    i = close + 1;
  } else {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x3a || c === 0x3b || c === 0x2c || isLws(c)) break;
      i++;
    }
  }
  const host = s.slice(h0, i);
  checkHost(host, s);
  let j = i;
  while (j < n && isLws(s.charCodeAt(j))) j++;
  let port: number | undefined;
  if (s.charCodeAt(j) === 0x3a) {
    j++;
    while (j < n && isLws(s.charCodeAt(j))) j++;
    let value = 0;
    const d0 = j;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      j++;
    }
    if (j === d0) bad(s);
    if (j - d0 > 5 || value > 65535) throw new SipParseError(400, `Via: bad port ${s.slice(d0, j)}`);
    port = value;
    i = j;
  }
  const params = i >= n ? Params.empty : parseHeaderParams(s, i, 'Via');
  return new Via({ protocol, version, transport, host, port, params });
}

export function printVia(v: Via): string {
  return v.toString();
}
