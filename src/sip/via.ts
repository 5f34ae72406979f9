/**
 * The Via header (RFC 3261 sections 8.1.1.7, 18.2.1, 20.42) with RFC 3581 rport. A Via names
 * the transport and the address a response must go back to; its branch identifies the
 * transaction (section 17). received= may carry an IPv6 address with or without brackets
 * (RFC 5118 section 4.5).
 */
import { SipParseError } from './errors.js';
import { clip, isToken } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import { Params } from './params.js';
import { checkHost } from './uri.js';

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
    this.transport = init.transport.toUpperCase();
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

const VIA_RE = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)\s+(\[[^\]]*\]|[^\s:;]+)(?:\s*:\s*([0-9]+))?(.*)$/s;

export function parseVia(s: string): Via {
  const m = VIA_RE.exec(s.trim());
  if (!m) throw new SipParseError(400, `Via: malformed "${clip(s)}"`);
  const [, protocol, version, transport, host, port, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  if (!isToken(protocol) || !isToken(transport)) throw new SipParseError(400, `Via: malformed "${clip(s)}"`);
  if (protocol.toUpperCase() === 'SIP' && version !== '2.0') {
    throw new SipParseError(505, `Via: SIP version ${version} is not supported`);
  }
  checkHost(host, s);
  let portNum: number | undefined;
  if (port !== undefined) {
    portNum = Number(port);
    if (port.length > 5 || portNum > 65535) throw new SipParseError(400, `Via: bad port ${port}`);
  }
  const params = parseHeaderParams(rest, 0, 'Via');
  return new Via({ protocol: protocol.toUpperCase(), version, transport, host, port: portNum, params });
}

export function printVia(v: Via): string {
  return v.toString();
}
