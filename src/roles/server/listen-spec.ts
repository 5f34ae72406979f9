/**
 * Listen specifications as operators write them, in Kamailio's `listen=` style:
 * `udp:127.0.0.1:5060`, `tcp:0.0.0.0:5060`, `tls:[::1]:5061`, `udp:127.0.0.1` (default port
 * 5060, 5061 for TLS), and the printed form of a bound listener.
 */
import { readFileSync } from 'node:fs';
import type { TransportProtocol } from '../../sip/index.js';
import { bracketHost, type ListenSpec, type LocalEndpoint } from '../../transport/index.js';

/** `transport:host[:port]`, host an IPv4 address, a name, or an IPv6 address in brackets. */
export const LISTEN_SPEC_PATTERN = /^(udp|tcp|tls):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?$/i;

export interface ListenObject {
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly host: string;
  readonly port: number;
  readonly advertise?: string | undefined;
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string | undefined } | undefined;
}

/** Parses `udp:127.0.0.1:5060`; undefined when the text is not a listen spec. */
export function parseListenText(text: string): ListenObject | undefined {
  const m = LISTEN_SPEC_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const transport = (m[1] as string).toLowerCase() as ListenObject['transport'];
  let host = m[2] as string;
  if (host.startsWith('[')) host = host.slice(1, -1);
  const port = m[3] === undefined ? (transport === 'tls' ? 5061 : 5060) : Number(m[3]);
  if (port > 65535) return undefined;
  return { transport, host, port };
}

/** The transport layer's listen spec; TLS files are read here (PEM). */
export function toListenSpec(entry: ListenObject): ListenSpec {
  const tls =
    entry.tls === undefined
      ? undefined
      : {
          cert: readFileSync(entry.tls.cert),
          key: readFileSync(entry.tls.key),
          ...(entry.tls.ca === undefined ? {} : { ca: readFileSync(entry.tls.ca) }),
        };
  return {
    transport: entry.transport as TransportProtocol,
    host: entry.host,
    port: entry.port,
    ...(entry.advertise === undefined ? {} : { advertisedHost: entry.advertise }),
    ...(tls === undefined ? {} : { tls }),
  };
}

/** `udp:127.0.0.1:5060` for a bound listener. */
export function endpointText(ep: LocalEndpoint): string {
  return `${ep.transport}:${bracketHost(ep.host)}:${ep.port}`;
}
