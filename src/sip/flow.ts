/**
 * A flow: the transport-level path a message travelled (resip Tuple, Kamailio receive_info):
 * the transport, our socket's address and port, the peer's address and port, and for stream
 * transports the connection. Plain data, defined here because every received message carries
 * the flow it came on and every response goes back per its flow (RFC 3261 section 18.2.2);
 * the transport layer creates flows, the layers above only read them.
 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface Flow {
  readonly transport: TransportProtocol;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Identifies the connection of a stream transport; undefined for UDP. */
  readonly connectionId: number | undefined;
}

/** True for transports that are reliable (no retransmission timers A, E, G; section 17). */
export function isReliable(transport: TransportProtocol): boolean {
  return transport !== 'udp';
}

export function flowToString(f: Flow): string {
  const conn = f.connectionId === undefined ? '' : `#${f.connectionId}`;
  return `${f.transport}:${f.localAddress}:${f.localPort}<->${f.remoteAddress}:${f.remotePort}${conn}`;
}
