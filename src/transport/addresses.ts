/**
 * Address helpers of the transport layer: IP literal normalisation (IPv4-mapped IPv6 seen on
 * dual-stack sockets, canonical IPv6 text so that "::1" equals "0:0::1"), bracketing for Via and
 * URIs (RFC 3261 section 25.1 hostport, RFC 5118), default ports (section 19.1.2), multicast
 * detection (section 18.2.2 maddr) and connection keys.
 */
import { isIP } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import type { TransportProtocol } from '../sip/index.js';

/** Removes IPv6 brackets. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** 4, 6, or 0 for a host name (brackets allowed). */
export function ipFamily(host: string): 0 | 4 | 6 {
  return isIP(unbracket(host)) as 0 | 4 | 6;
}

/** True for an IPv4 or IPv6 literal (brackets allowed). */
export function isIpLiteral(host: string): boolean {
  return ipFamily(host) !== 0;
}

/**
 * The canonical text of an IP literal: no brackets, IPv4-mapped IPv6 as IPv4, IPv6 compressed
 * and lower case. Host names are lower-cased.
 */
export function normalizeAddress(host: string): string {
  const h = unbracket(host);
  const family = isIP(h);
  if (family === 4) return h;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
    if (mapped?.[1]) return mapped[1];
    if (h.includes('%')) return h.toLowerCase();
    try {
      return unbracket(new URL(`http://[${h}]/`).hostname);
    } catch {
      return h.toLowerCase();
    }
  }
  return h.toLowerCase();
}

/** True when two hosts name the same IP literal (or are the same host name, ignoring case). */
export function sameAddress(a: string, b: string): boolean {
  return normalizeAddress(a) === normalizeAddress(b);
}

/** An IPv6 literal in brackets, anything else as is: the host of a Via sent-by or a URI. */
export function bracketHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The default port of a transport (RFC 3261 section 19.1.2: 5060, 5061 for TLS). */
export function defaultPort(transport: TransportProtocol): number {
  return transport === 'tls' || transport === 'wss' ? 5061 : 5060;
}

/** True for IPv4 224.0.0.0/4 and IPv6 ff00::/8. */
export function isMulticast(address: string): boolean {
  const a = normalizeAddress(address);
  const family = isIP(a);
  if (family === 4) {
    const first = Number(a.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return family === 6 && a.startsWith('ff');
}

/** True for the any-address a socket can bind to. */
export function isWildcard(host: string): boolean {
  const h = normalizeAddress(host);
  return h === '0.0.0.0' || h === '::';
}

/** The key of a remote tuple, for connection reuse. */
export function remoteKey(transport: TransportProtocol, address: string, port: number): string {
  return `${transport}|${normalizeAddress(address)}|${port}`;
}

/** Parses a transport token of a Via or a transport= parameter; undefined when unknown. */
export function parseTransport(token: string | undefined): TransportProtocol | undefined {
  switch (token?.toLowerCase()) {
    case 'udp':
      return 'udp';
    case 'tcp':
      return 'tcp';
    case 'tls':
      return 'tls';
    case 'ws':
      return 'ws';
    case 'wss':
      return 'wss';
    default:
      return undefined;
  }
}

/** The first non-internal address of this host in a family (for a wildcard bind's Via), else loopback. */
export function primaryAddress(
  family: 4 | 6,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (family === 4 && info.family === 'IPv4') return info.address;
      if (family === 6 && info.family === 'IPv6' && !info.address.toLowerCase().startsWith('fe80')) return info.address;
    }
  }
  return family === 4 ? '127.0.0.1' : '::1';
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}
