/**
 * The bound sockets of one TransportManager and the choices made among them: which UDP socket
 * a datagram leaves from (the one of the destination's address family; for a response, the one
 * the request came in on, RFC 3581 section 4), which endpoint a Via names (RFC 3261 section
 * 18.1.1), which address a new connection binds, and whether a response's sent-by is ours
 * (section 18.1.2).
 */
import { type Flow, isReliable, type Via } from '../sip/index.js';
import { defaultPort, ipFamily, isLoopback, isWildcard, parseTransport, sameAddress } from './addresses.js';
import type { StreamTransport } from './stream-transport.js';
import type { LocalEndpoint } from './types.js';
import type { UdpTransport } from './udp-transport.js';

export class Listeners {
  readonly udp: UdpTransport[] = [];
  readonly streams: StreamTransport[] = [];

  all(): (UdpTransport | StreamTransport)[] {
    return [...this.udp, ...this.streams];
  }

  /** The endpoints of the bound listeners, in configuration order (UDP first). */
  endpoints(): LocalEndpoint[] {
    const out: LocalEndpoint[] = [];
    for (const l of this.all()) {
      const ep = l.endpoint;
      if (ep) out.push(ep);
    }
    return out;
  }

  hasStream(transport: 'tcp' | 'tls'): boolean {
    return this.streams.some((s) => s.transport === transport && s.endpoint !== undefined);
  }

  /** A UDP socket that can reach the address, preferring one of the same family. */
  udpFor(address: string): UdpTransport | undefined {
    const family = ipFamily(address);
    const usable = this.udp.filter((u) => u.canReach(address));
    return usable.find((u) => u.boundAddress?.family === family) ?? usable[0];
  }

  /** The UDP socket a flow was received on or sent from. */
  udpOf(flow: Flow): UdpTransport | undefined {
    return this.udp.find((u) => {
      const b = u.boundAddress;
      return (
        b !== undefined &&
        b.port === flow.localPort &&
        (sameAddress(b.address, flow.localAddress) || isWildcard(b.address))
      );
    });
  }

  /** The advertised endpoint of a stream listener for a local address's family. */
  streamEndpoint(transport: 'tcp' | 'tls', localAddress: string): LocalEndpoint | undefined {
    const family = ipFamily(localAddress);
    const listeners = this.streams.filter((s) => s.transport === transport && s.endpoint !== undefined);
    const match =
      listeners.find((s) => s.boundAddress?.family === family) ??
      listeners.find((s) => s.boundAddress !== undefined && isWildcard(s.boundAddress.address));
    return match?.endpoint;
  }

  /**
   * The source address for a new connection: the address of a listener bound to one specific
   * address of the same family (so the peer sees the address our Via names), unless that is a
   * loopback address and the peer is not.
   */
  sourceAddress(transport: 'tcp' | 'tls', remote: string): string | undefined {
    const family = ipFamily(remote);
    for (const s of this.streams) {
      const b = s.boundAddress;
      if (s.transport !== transport || b === undefined || isWildcard(b.address) || b.family !== family) continue;
      if (isLoopback(b.address) && !isLoopback(remote)) continue;
      return b.address;
    }
    return undefined;
  }

  /**
   * Section 18.1.2: "If the value of the 'sent-by' parameter in that header field value does
   * not correspond to a value that the client transport is configured to insert into requests,
   * the response MUST be silently discarded."
   */
  isOwnSentBy(via: Via, flow: Flow): boolean {
    const transport = parseTransport(via.transport) ?? flow.transport;
    const port = via.port ?? defaultPort(transport);
    for (const l of this.all()) {
      const ep = l.endpoint;
      const bound = l.boundAddress;
      if (ep === undefined || bound === undefined || ep.port !== port) continue;
      if (sameAddress(ep.host, via.host) || sameAddress(bound.address, via.host) || isWildcard(bound.address)) {
        return true;
      }
    }
    // Connections opened without a listener put their own local address in sent-by.
    return isReliable(flow.transport) && flow.localPort === port && sameAddress(flow.localAddress, via.host);
  }
}
