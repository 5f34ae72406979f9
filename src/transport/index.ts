/**
 * The transport layer: UDP, TCP and TLS behind one Transport interface (TransportManager), the
 * in-memory network for tests (MemoryNetwork, MemoryTransport), RFC 3263 resolution (Resolver),
 * and the diagnostics channels every message is published on. Other layers import only this file.
 */
export { bracketHost, defaultPort, isIpLiteral, normalizeAddress, sameAddress, unbracket } from './addresses.js';
export {
  CHANNEL_CONNECTION,
  CHANNEL_ERROR,
  CHANNEL_RX,
  CHANNEL_TX,
  type TransportConnectionEvent,
  type TransportErrorEvent,
  type TransportMessageEvent,
  type TransportRxEvent,
  type TransportTxEvent,
} from './channels.js';
export { flowDestination } from './flow-destination.js';
export {
  type MemoryConnection,
  type MemoryFilter,
  MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryPacket,
  type MemoryVerdict,
} from './memory-network.js';
export { MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';
export {
  type AddressAnswer,
  type DnsBackend,
  type NaptrAnswer,
  Resolver,
  type ResolverOptions,
  type SrvAnswer,
} from './resolver.js';
export { orderSrv, type SrvLike } from './srv-order.js';
export { TransportManager, type TransportManagerInit, type TransportManagerOptions } from './transport-manager.js';
export {
  type Destination,
  type DestinationResolver,
  type ListenSpec,
  type LocalEndpoint,
  type ResolveTarget,
  type Sent,
  type TlsOptions,
  type Transport,
  TransportError,
  type TransportErrorCode,
  type TransportUser,
} from './types.js';
