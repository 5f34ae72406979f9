/**
 * A Transport over a MemoryNetwork, for tests of the layers above: the same contract, Via
 * handling and response routing as the TransportManager (RFC 3261 sections 18.1.1, 18.2.1,
 * 18.2.2, RFC 3581; the same code in via-stamp.ts, response-route.ts and inbound.ts), the same
 * diagnostics channels, but no sockets: bytes go through the network object, which records,
 * drops, delays and duplicates them on the injected Clock.
 *
 * By default it behaves like UDP. With 'tcp' or 'tls' among its transports it also listens for
 * in-memory connections and sends over them (reliable flows with connection ids), including the
 * section 18.1.1 switch of large requests from UDP to TCP.
 *
 * Sending is synchronous up to the network: when sendRequest/sendResponse/resend return, the
 * packet is already recorded with the Clock time of sending (unless a host name had to be resolved).
 */
import {
  type Flow,
  type IncomingMessage,
  isReliable,
  type OutgoingRequest,
  type OutgoingResponse,
  type TransportProtocol,
  type Via,
} from '../sip/index.js';
import { errorMessage } from '../util/errors.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { defaultPort, normalizeAddress, parseTransport, remoteKey, sameAddress } from './addresses.js';
import { publishError, publishTx } from './channels.js';
import { handleInbound, type InboundHost, isKeepAliveDatagram } from './inbound.js';
import type { MemoryConnection, MemoryNetwork } from './memory-network.js';
import { type ResponseRoute, responseRoute } from './response-route.js';
import {
  type Destination,
  type DestinationResolver,
  type LocalEndpoint,
  type Sent,
  type Transport,
  TransportError,
  type TransportUser,
} from './types.js';
import { responseVia, stampSentBy } from './via-stamp.js';

export interface MemoryTransportOptions {
  /** This host's IP literal on the network. */
  readonly address: string;
  /** Listening port of every transport (default 5060). */
  readonly port?: number;
  /** Listening transports (default ['udp']); add 'tcp' or 'tls' for reliable flows. */
  readonly transports?: readonly ('udp' | 'tcp' | 'tls')[];
  /** Source NAT: the address (and UDP port) peers see instead of ours. */
  readonly nat?: { readonly address: string; readonly port?: number };
  readonly logger?: Logger;
  /** Add ;rport to requests (default true). */
  readonly rport?: boolean;
  /** Size above which a UDP request goes over TCP when TCP is available (default 1300). */
  readonly udpSizeThreshold?: number;
  /** Drop responses whose top Via is not ours (section 18.1.2; default true). */
  readonly checkResponseSentBy?: boolean;
  /** Resolves Via host names of responses; without it such responses fail with ERR_TRANSPORT_UNAVAILABLE. */
  readonly resolver?: DestinationResolver;
}

export class MemoryTransport implements Transport {
  readonly address: string;
  readonly port: number;
  private readonly transports: ReadonlySet<'udp' | 'tcp' | 'tls'>;
  private readonly visibleAddress: string;
  private readonly visibleUdpPort: number;
  private readonly logger: Logger;
  private readonly rport: boolean;
  private readonly threshold: number;
  private readonly checkSentBy: boolean;
  private readonly resolver: DestinationResolver | undefined;
  private readonly inbound: InboundHost;
  private user: TransportUser | undefined;
  private stopped = false;

  constructor(
    private readonly network: MemoryNetwork,
    options: MemoryTransportOptions,
  ) {
    this.address = normalizeAddress(options.address);
    this.port = options.port ?? 5060;
    this.transports = new Set(options.transports ?? ['udp']);
    this.logger = (options.logger ?? nullLogger).child({ component: 'memory-transport', address: this.address });
    this.rport = options.rport ?? true;
    this.threshold = options.udpSizeThreshold ?? 1300;
    this.checkSentBy = options.checkResponseSentBy ?? true;
    this.resolver = options.resolver;
    this.visibleAddress = options.nat ? normalizeAddress(options.nat.address) : this.address;
    this.visibleUdpPort = options.nat ? (options.nat.port ?? network.allocatePort()) : this.port;
    for (const t of this.transports) network.bind(t, this.address, this.port, this);
    if (options.nat && this.transports.has('udp')) network.bind('udp', this.visibleAddress, this.visibleUdpPort, this);
    this.inbound = {
      clock: network.clock,
      logger: this.logger,
      deliver: (m) => this.deliver(m),
      reply: (response, flow) => {
        try {
          this.sendOn(flow, response.toBuffer(), response, false, true);
        } catch (err) {
          publishError(network.clock, flow, response.toBuffer(), `stateless response: ${errorMessage(err)}`);
        }
      },
      isOwnSentBy: (via, flow) => !this.checkSentBy || this.isOwnSentBy(via, flow),
    };
  }

  setUser(user: TransportUser): void {
    this.user = user;
  }

  localEndpoint(transport: TransportProtocol): LocalEndpoint | undefined {
    return this.endpoints().find((e) => e.transport === transport);
  }

  endpoints(): readonly LocalEndpoint[] {
    return [...this.transports].map((transport) => ({ transport, host: this.address, port: this.port }));
  }

  /** Unbinds from the network and closes its connections. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.network.unbind(this);
    }
    return Promise.resolve();
  }

  sendRequest(request: OutgoingRequest, destination: Destination): Promise<Sent> {
    try {
      return Promise.resolve(this.sendRequestNow(request, destination));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async sendResponse(response: OutgoingResponse, requestFlow: Flow | undefined): Promise<Sent> {
    this.assertRunning(requestFlow);
    const via = responseVia(response, requestFlow);
    const route = responseRoute(via, requestFlow, (f) => this.connectionOf(f) !== undefined);
    if (route.kind !== 'resolve') return this.sendResponseBy(route, response);
    if (this.resolver === undefined) {
      throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no resolver for the Via host ${route.host}`);
    }
    const found = await this.resolver.resolve({ host: route.host, port: route.port, transport: route.transport });
    const first = found.find((d) => d.transport === route.transport);
    if (first === undefined) throw new TransportError('ERR_TRANSPORT_RESOLVE', `no address for ${route.host}`);
    return this.sendResponseBy({ kind: 'address', ...first }, response);
  }

  resend(bytes: Buffer, flow: Flow): void {
    try {
      this.assertRunning(flow);
      this.sendOn(flow, bytes, undefined, true, false);
    } catch (err) {
      publishError(this.network.clock, flow, bytes, `retransmission failed: ${errorMessage(err)}`);
    }
  }

  // --- called by MemoryNetwork ---------------------------------------------------------

  /** @internal A datagram for this host. */
  receiveDatagram(
    bytes: Buffer,
    _to: { address: string; port: number },
    from: { address: string; port: number },
  ): void {
    if (this.stopped || isKeepAliveDatagram(bytes)) return;
    const flow: Flow = {
      transport: 'udp',
      localAddress: this.address,
      localPort: this.port,
      remoteAddress: from.address,
      remotePort: from.port,
      connectionId: undefined,
    };
    handleInbound(this.inbound, bytes, flow, true);
  }

  /** @internal Bytes on a connection (one whole message per packet: no framing needed). */
  receive(bytes: Buffer, flow: Flow): void {
    if (this.stopped) return;
    if (isKeepAliveDatagram(bytes)) {
      // RFC 5626 section 3.5.1: a CRLFCRLF ping is answered with a CRLF pong; a pong is absorbed.
      if (bytes.toString('latin1') === '\r\n\r\n') this.resend(Buffer.from('\r\n'), flow);
      return;
    }
    handleInbound(this.inbound, bytes, flow, false);
  }

  /** @internal */
  connectionClosed(flow: Flow, reason: string): void {
    try {
      this.user?.onFlowClosed?.(flow, reason);
    } catch (err) {
      this.logger.error('onFlowClosed threw', { error: errorMessage(err) });
    }
  }

  // --- internals -------------------------------------------------------------------------

  private assertRunning(where: Destination | Flow | undefined): void {
    if (this.stopped) throw new TransportError('ERR_TRANSPORT_CLOSED', 'the transport is stopped', where);
  }

  private sendRequestNow(request: OutgoingRequest, destination: Destination): Sent {
    this.assertRunning(destination);
    const transport = destination.transport;
    if (transport === 'tcp' || transport === 'tls') return this.sendRequestOnStream(request, destination, transport);
    if (transport !== 'udp' || !this.transports.has('udp')) {
      throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no ${transport} transport`, destination);
    }
    this.stamp(request, 'udp', this.address, this.port);
    let bytes = request.toBuffer();
    // RFC 3261 section 18.1.1: larger than 1300 bytes goes over a congestion-controlled transport.
    if (bytes.length > this.threshold && !destination.fixedTransport && this.transports.has('tcp')) {
      try {
        return this.sendRequestOnStream(request, { ...destination, transport: 'tcp' }, 'tcp');
      } catch (err) {
        if (!(err instanceof TransportError) || err.code !== 'ERR_TRANSPORT_CONNECT') throw err;
        this.stamp(request, 'udp', this.address, this.port);
        bytes = request.toBuffer();
      }
    }
    return this.sendDatagram(destination, bytes, request, false, false);
  }

  private sendRequestOnStream(request: OutgoingRequest, destination: Destination, transport: 'tcp' | 'tls'): Sent {
    const c = this.obtain(transport, destination);
    const end = c.client.transport === this && this.isClientEnd(c, destination) ? c.client : this.myEnd(c);
    const listening = this.transports.has(transport);
    this.stamp(
      request,
      transport,
      listening ? this.address : end.flow.localAddress,
      listening ? this.port : end.flow.localPort,
    );
    const bytes = request.toBuffer();
    return this.sendOn(end.flow, bytes, request, false, false);
  }

  private stamp(request: OutgoingRequest, transport: TransportProtocol, host: string, port: number): void {
    try {
      stampSentBy(request, transport, host, port, this.rport);
    } catch (err) {
      throw new TransportError('ERR_TRANSPORT_SEND', `request with a malformed Via: ${errorMessage(err)}`);
    }
  }

  private sendResponseBy(route: ResponseRoute, response: OutgoingResponse): Sent {
    switch (route.kind) {
      case 'connection': {
        const c = this.connectionOf(route.flow);
        if (c !== undefined) return this.sendOn(this.myEnd(c).flow, response.toBuffer(), response, false, false);
        throw new TransportError('ERR_TRANSPORT_CLOSED', 'the connection is closed', route.flow);
      }
      case 'address': {
        const destination: Destination = { transport: route.transport, address: route.address, port: route.port };
        if (route.transport === 'udp')
          return this.sendDatagram(destination, response.toBuffer(), response, false, false);
        if (route.transport === 'tcp' || route.transport === 'tls') {
          const c = this.obtain(route.transport, destination);
          return this.sendOn(this.myEnd(c).flow, response.toBuffer(), response, false, false);
        }
        throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no ${route.transport} transport`, destination);
      }
      case 'resolve':
        throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `cannot resolve ${route.host} here`);
      case 'unroutable':
        throw new TransportError('ERR_TRANSPORT_SEND', `cannot route the response: ${route.reason}`);
    }
  }

  /** Sends on a flow of ours: UDP to its remote end, a stream on its connection. */
  private sendOn(
    flow: Flow,
    bytes: Buffer,
    message: OutgoingRequest | OutgoingResponse | undefined,
    retransmission: boolean,
    stateless: boolean,
  ): Sent {
    if (!isReliable(flow.transport)) {
      const destination = { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort };
      return this.sendDatagram(destination, bytes, message, retransmission, stateless);
    }
    const c = this.connectionOf(flow);
    if (c === undefined) throw new TransportError('ERR_TRANSPORT_CLOSED', 'the connection is closed', flow);
    const end = this.myEnd(c, flow);
    publishTx(this.network.clock, end.flow, bytes, message, { retransmission, stateless });
    const other = end === c.client ? c.server : c.client;
    this.network.send({
      transport: c.transport,
      flow: end.flow,
      from: { address: other.flow.remoteAddress, port: other.flow.remotePort },
      to: { address: end.flow.remoteAddress, port: end.flow.remotePort },
      bytes,
      retransmission,
    });
    return { flow: end.flow, bytes };
  }

  private sendDatagram(
    destination: { address: string; port: number },
    bytes: Buffer,
    message: OutgoingRequest | OutgoingResponse | undefined,
    retransmission: boolean,
    stateless: boolean,
  ): Sent {
    if (!this.transports.has('udp')) throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', 'no udp transport');
    const flow: Flow = {
      transport: 'udp',
      localAddress: this.address,
      localPort: this.port,
      remoteAddress: normalizeAddress(destination.address),
      remotePort: destination.port,
      connectionId: undefined,
    };
    publishTx(this.network.clock, flow, bytes, message, { retransmission, stateless });
    this.network.send({
      transport: 'udp',
      flow,
      from: { address: this.visibleAddress, port: this.visibleUdpPort },
      to: { address: flow.remoteAddress, port: flow.remotePort },
      bytes,
      retransmission,
    });
    return { flow, bytes };
  }

  /** An open connection of ours to the destination, or a new one (ERR_TRANSPORT_CONNECT when nothing listens). */
  private obtain(transport: 'tcp' | 'tls', destination: Destination): MemoryConnection {
    if (destination.connectionId !== undefined) {
      const c = this.network.connection(destination.connectionId);
      if (c !== undefined && c.transport === transport && this.isEnd(c)) return c;
    }
    const key = remoteKey(transport, destination.address, destination.port);
    for (const c of this.network.connections()) {
      if (c.transport !== transport || !this.isEnd(c)) continue;
      const f = this.myEnd(c).flow;
      if (remoteKey(transport, f.remoteAddress, f.remotePort) === key) return c;
    }
    const localPort = this.network.allocatePort();
    const c = this.network.connect(
      this,
      transport,
      { address: this.address, port: localPort },
      { address: this.visibleAddress, port: localPort },
      { address: normalizeAddress(destination.address), port: destination.port },
    );
    if (c === undefined) {
      throw new TransportError(
        'ERR_TRANSPORT_CONNECT',
        `connection refused by ${transport}:${destination.address}:${destination.port}`,
        destination,
      );
    }
    return c;
  }

  private isEnd(c: MemoryConnection): boolean {
    return c.client.transport === this || c.server.transport === this;
  }

  private isClientEnd(c: MemoryConnection, destination: Destination): boolean {
    return (
      sameAddress(c.client.flow.remoteAddress, destination.address) && c.client.flow.remotePort === destination.port
    );
  }

  /** This transport's end of a connection (by flow when both ends are this transport). */
  private myEnd(c: MemoryConnection, flow?: Flow) {
    if (c.client.transport === this && c.server.transport === this && flow !== undefined) {
      return c.client.flow.localPort === flow.localPort ? c.client : c.server;
    }
    return c.client.transport === this ? c.client : c.server;
  }

  private connectionOf(flow: Flow): MemoryConnection | undefined {
    if (flow.connectionId === undefined) return undefined;
    const c = this.network.connection(flow.connectionId);
    return c !== undefined && this.isEnd(c) ? c : undefined;
  }

  private deliver(message: IncomingMessage): void {
    if (this.user === undefined) {
      this.logger.warn('message dropped: no transport user', { flow: message.flow });
      return;
    }
    this.user.onMessage(message);
  }

  private isOwnSentBy(via: Via, flow: Flow): boolean {
    const transport = parseTransport(via.transport) ?? flow.transport;
    const port = via.port ?? defaultPort(transport);
    if (port === this.port && sameAddress(via.host, this.address)) return true;
    return isReliable(flow.transport) && port === flow.localPort && sameAddress(via.host, flow.localAddress);
  }
}
