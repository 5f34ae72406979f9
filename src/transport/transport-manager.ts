/**
 * The TransportManager: every UDP, TCP and TLS listener of one SIP stack behind the Transport
 * interface (PJSIP's pjsip_tpmgr, resip's TransportSelector). It picks the socket a message
 * leaves from, stamps the Via (RFC 3261 section 18.1.1, RFC 3581), switches large requests from
 * UDP to TCP, reuses connections, routes responses (section 18.2.2, response-route.ts), hands
 * received messages up with their flow (inbound.ts), answers keep-alives, closes idle
 * connections and refuses connections over the per-IP cap. Many managers may live in one
 * process; all timers go through the injected Clock.
 */
import type { Socket } from 'node:net';
import type { Flow, IncomingMessage, OutgoingRequest, OutgoingResponse, TransportProtocol } from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { ConfigError, errorMessage } from '../util/errors.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { publishConnection, publishError, publishTx } from './channels.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { ConnectionPool } from './connection-pool.js';
import { handleInbound, type InboundHost, isKeepAliveDatagram, isStun, rejectUnframed } from './inbound.js';
import { Listeners } from './listeners.js';
import { type ResponseRoute, responseRoute } from './response-route.js';
import type { StreamConnection } from './stream-connection.js';
import type { StreamTransportContext } from './stream-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport } from './tls-transport.js';
import {
  type Destination,
  type DestinationResolver,
  type ListenSpec,
  type LocalEndpoint,
  type Sent,
  type TlsOptions,
  type Transport,
  TransportError,
  type TransportUser,
} from './types.js';
import { UdpTransport } from './udp-transport.js';
import { responseVia, stampSentBy } from './via-stamp.js';

export interface TransportManagerOptions {
  /** Close a connection we opened after this long without traffic (default 32 000 ms; 0 never). */
  readonly idleTimeoutMs?: number;
  /** The same for accepted connections (default: idleTimeoutMs). */
  readonly inboundIdleTimeoutMs?: number;
  /**
   * Send a CRLFCRLF ping on connections we opened after this long without sending (RFC 5626
   * section 4.4.1; default 0: never). Keeps NAT bindings and the peer's idle timer at bay.
   */
  readonly keepAliveIntervalMs?: number;
  /** Give up connecting after this long (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Accepted connections allowed from one source address (default 64). */
  readonly maxConnectionsPerIp?: number;
  /** Accepted connections allowed in all (default 4096). */
  readonly maxConnections?: number;
  /** Largest datagram processed (default 65 536 bytes); a larger request gets 513. */
  readonly maxDatagramSize?: number;
  /** Largest message on a stream (default 262 144 bytes): the StreamFramer limit. */
  readonly maxStreamMessageSize?: number;
  /** Requests larger than this go over TCP instead of UDP (RFC 3261 section 18.1.1: 1300). */
  readonly udpSizeThreshold?: number;
  /** Add ;rport to the Via of requests we send (RFC 3581; default true). */
  readonly rport?: boolean;
  /** Drop responses whose top Via sent-by is not ours (section 18.1.2; default true). */
  readonly checkResponseSentBy?: boolean;
  /** TLS options of outgoing connections (default: the TLS listener's CA and verification). */
  readonly tlsClient?: TlsOptions;
  /** Resolves Via sent-by host names for responses (RFC 3263 section 5). */
  readonly resolver?: DestinationResolver;
  /** SO_RCVBUF of UDP sockets. */
  readonly receiveBufferSize?: number;
}

export interface TransportManagerInit {
  readonly listen: readonly ListenSpec[];
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly options?: TransportManagerOptions;
}

type State = 'new' | 'starting' | 'running' | 'stopped';

const SUPPORTED: ReadonlySet<TransportProtocol> = new Set(['udp', 'tcp', 'tls']);

export class TransportManager implements Transport {
  private state: State = 'new';
  private stopping: Promise<void> | undefined;
  private user: TransportUser | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly listeners = new Listeners();
  private readonly tcpConnector: TcpTransport;
  private readonly tlsConnector: TlsTransport;
  private readonly pool: ConnectionPool;
  private readonly limiter: ConnectionLimiter;
  private readonly inbound: InboundHost;
  private readonly maxDatagramSize: number;
  private readonly udpSizeThreshold: number;
  private readonly rport: boolean;
  private readonly checkSentBy: boolean;
  private readonly resolver: DestinationResolver | undefined;

  constructor(init: TransportManagerInit) {
    const o = init.options ?? {};
    this.clock = init.clock;
    this.logger = (init.logger ?? nullLogger).child({ component: 'transport' });
    this.maxDatagramSize = o.maxDatagramSize ?? 65_536;
    this.udpSizeThreshold = o.udpSizeThreshold ?? 1300;
    this.rport = o.rport ?? true;
    this.checkSentBy = o.checkResponseSentBy ?? true;
    this.resolver = o.resolver;
    this.limiter = new ConnectionLimiter(o.maxConnectionsPerIp ?? 64, o.maxConnections ?? 4096);
    const idle = o.idleTimeoutMs ?? 32_000;
    this.pool = new ConnectionPool({
      clock: this.clock,
      idleTimeoutMs: idle,
      inboundIdleTimeoutMs: o.inboundIdleTimeoutMs ?? idle,
      keepAliveIntervalMs: o.keepAliveIntervalMs ?? 0,
      maxMessageSize: o.maxStreamMessageSize ?? 256 * 1024,
      events: {
        onMessage: (c, bytes) => {
          // A stream that carries something other than SIP is out of sync or not a SIP peer.
          if (handleInbound(this.inbound, bytes, c.flow, false) === 'not-sip') c.close('not SIP', true);
        },
        onFramingError: (c, status, reason, failed) =>
          rejectUnframed(this.inbound, failed, c.flow, status, `framing error: ${reason}`),
        onClose: (c, reason) => this.onConnectionClosed(c, reason),
        onIncomplete: (c, held, reason) => publishError(this.clock, c.flow, held, reason),
      },
      onOpen: (c) => {
        this.logger.debug('connection open', { flow: c.flow, outbound: c.outbound });
        publishConnection(this.clock, c.flow, 'open', c.outbound ? 'outbound' : 'inbound');
      },
    });
    const streamCtx: StreamTransportContext = {
      clock: this.clock,
      logger: this.logger,
      limiter: this.limiter,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      onAccepted: (socket, transport) => this.onAccepted(socket, transport),
    };
    const udpCtx = {
      logger: this.logger,
      receiveBufferSize: o.receiveBufferSize,
      onDatagram: (_u: UdpTransport, bytes: Buffer, flow: Flow) => this.onDatagram(bytes, flow),
    };
    let tcpListener: TcpTransport | undefined;
    let tlsListener: TlsTransport | undefined;
    for (const spec of init.listen) {
      if (!SUPPORTED.has(spec.transport)) {
        throw new ConfigError('listen.transport', `transport ${spec.transport} is not supported (udp, tcp, tls)`);
      }
      if (spec.transport === 'udp') this.listeners.udp.push(new UdpTransport(spec, udpCtx));
      else if (spec.transport === 'tcp') {
        const t = new TcpTransport(spec, streamCtx);
        tcpListener ??= t;
        this.listeners.streams.push(t);
      } else {
        if (spec.tls?.cert === undefined || spec.tls.key === undefined) {
          throw new ConfigError('listen.tls', 'a TLS listener needs tls.cert and tls.key');
        }
        const client = o.tlsClient ?? {
          ca: spec.tls.ca,
          cert: spec.tls.cert,
          key: spec.tls.key,
          rejectUnauthorized: spec.tls.rejectUnauthorized,
        };
        const t = new TlsTransport(spec, streamCtx, client);
        tlsListener ??= t;
        this.listeners.streams.push(t);
      }
    }
    this.tcpConnector = tcpListener ?? new TcpTransport(undefined, streamCtx);
    this.tlsConnector = tlsListener ?? new TlsTransport(undefined, streamCtx, o.tlsClient ?? {});
    this.inbound = {
      clock: this.clock,
      logger: this.logger,
      deliver: (message) => this.deliver(message),
      reply: (response, flow) => this.replyStateless(response, flow),
      isOwnSentBy: (via, flow) => !this.checkSentBy || this.listeners.isOwnSentBy(via, flow),
    };
  }

  /** Binds every listener. Rejects with ERR_TRANSPORT_UNAVAILABLE when one cannot bind (nothing stays bound). */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state !== 'new')
      throw new TransportError('ERR_TRANSPORT_CLOSED', `cannot start a ${this.state} transport`);
    this.state = 'starting';
    const all = this.listeners.all();
    try {
      for (const listener of all) {
        const ep = await listener.listen();
        this.logger.info('listening', { transport: ep.transport, host: ep.host, port: ep.port });
      }
    } catch (err) {
      await Promise.all(all.map((l) => l.close()));
      this.state = 'stopped';
      throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `cannot listen: ${errorMessage(err)}`, undefined, {
        cause: err,
      });
    }
    // stop() may have been called while binding.
    if ((this.state as State) === 'stopped') {
      await Promise.all(all.map((l) => l.close()));
      throw new TransportError('ERR_TRANSPORT_CLOSED', 'stopped while starting');
    }
    this.state = 'running';
  }

  /** Closes every socket and connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.state = 'stopped';
    this.pool.closeAll('transport stopped');
    await Promise.all(this.listeners.all().map((l) => l.close()));
  }

  get running(): boolean {
    return this.state === 'running';
  }

  setUser(user: TransportUser): void {
    this.user = user;
  }

  localEndpoint(transport: TransportProtocol): LocalEndpoint | undefined {
    return this.endpoints().find((e) => e.transport === transport);
  }

  endpoints(): readonly LocalEndpoint[] {
    return this.listeners.endpoints();
  }

  /** The flows of the open stream connections. */
  connections(): Flow[] {
    return this.pool.all().map((c) => c.flow);
  }

  /** True while the connection of a stream flow is open (always false for UDP flows). */
  isFlowOpen(flow: Flow): boolean {
    return this.pool.forFlow(flow) !== undefined;
  }

  /** Closes the connection of a stream flow; false when it was not open. */
  closeFlow(flow: Flow, reason = 'closed locally'): boolean {
    const c = this.pool.forFlow(flow);
    if (c === undefined) return false;
    c.close(reason);
    return true;
  }

  // --- sending ---------------------------------------------------------------------------

  async sendRequest(request: OutgoingRequest, destination: Destination): Promise<Sent> {
    this.assertRunning(destination);
    const transport = destination.transport;
    if (transport === 'tcp' || transport === 'tls') return this.sendOnStream(request, destination, transport);
    if (transport !== 'udp') {
      throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `transport ${transport} is not supported`, destination);
    }
    const udp = this.listeners.udpFor(destination.address);
    if (udp === undefined) {
      throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no UDP socket for ${destination.address}`, destination);
    }
    const bytes = this.stampForUdp(request, udp);
    // RFC 3261 section 18.1.1: "If a request is within 200 bytes of the path MTU, or if it is
    // larger than 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC
    // 2914 congestion controlled transport protocol, such as TCP. If this causes a change in the
    // transport protocol from the one indicated in the top Via, the value in the top Via MUST be
    // changed."
    if (bytes.length > this.udpSizeThreshold && !destination.fixedTransport && this.listeners.hasStream('tcp')) {
      try {
        return await this.sendOnStream(request, { ...destination, transport: 'tcp' }, 'tcp');
      } catch (err) {
        // "... if the attempt to establish the connection generates either an ICMP Protocol Not
        // Supported, or results in a TCP reset, the element SHOULD retry the request, using UDP."
        if (!(err instanceof TransportError) || err.code !== 'ERR_TRANSPORT_CONNECT') throw err;
        this.logger.info('TCP refused for a large request, retrying over UDP', { destination });
        return this.sendDatagram(udp, request, this.stampForUdp(request, udp), destination);
      }
    }
    return this.sendDatagram(udp, request, bytes, destination);
  }

  async sendResponse(response: OutgoingResponse, requestFlow: Flow | undefined): Promise<Sent> {
    this.assertRunning(requestFlow);
    const via = responseVia(response, requestFlow);
    const route = responseRoute(via, requestFlow, (f) => this.isFlowOpen(f));
    if (route.kind === 'connection') {
      const c = this.pool.forFlow(route.flow);
      if (c !== undefined) {
        try {
          return await this.writeOn(c, response.toBuffer(), response);
        } catch (err) {
          if (!(err instanceof TransportError) || err.code !== 'ERR_TRANSPORT_CLOSED') throw err;
        }
      }
      // Closed since: "if that connection is no longer open", a new one (section 18.2.2).
      return this.sendResponseBy(
        responseRoute(via, requestFlow, () => false),
        response,
      );
    }
    return this.sendResponseBy(route, response);
  }

  resend(bytes: Buffer, flow: Flow): void {
    if (this.state !== 'running') {
      publishError(this.clock, flow, bytes, 'resend on a stopped transport');
      return;
    }
    const fail = (err: unknown): void => {
      this.logger.warn('retransmission failed', { flow, error: errorMessage(err) });
      publishError(this.clock, flow, bytes, `retransmission failed: ${errorMessage(err)}`);
    };
    if (flow.transport === 'udp') {
      const udp = this.listeners.udpOf(flow) ?? this.listeners.udpFor(flow.remoteAddress);
      if (udp === undefined) {
        fail(new Error('no UDP socket'));
        return;
      }
      publishTx(this.clock, flow, bytes, undefined, { retransmission: true });
      udp.send(bytes, flow.remoteAddress, flow.remotePort).catch(fail);
      return;
    }
    if (flow.transport !== 'tcp' && flow.transport !== 'tls') {
      fail(new Error(`transport ${flow.transport}`));
      return;
    }
    const c = this.pool.forFlow(flow) ?? this.pool.find(flow.transport, flow.remoteAddress, flow.remotePort);
    if (c === undefined) {
      fail(new Error('the connection is closed'));
      return;
    }
    publishTx(this.clock, c.flow, bytes, undefined, { retransmission: true });
    c.write(bytes).catch(fail);
  }

  private stampForUdp(request: OutgoingRequest, udp: UdpTransport): Buffer {
    const ep = udp.endpoint as LocalEndpoint;
    this.stamp(request, 'udp', ep.host, ep.port);
    return request.toBuffer();
  }

  private stamp(request: OutgoingRequest, transport: TransportProtocol, host: string, port: number): void {
    try {
      stampSentBy(request, transport, host, port, this.rport);
    } catch (err) {
      throw new TransportError('ERR_TRANSPORT_SEND', `request with a malformed Via: ${errorMessage(err)}`);
    }
  }

  private async sendDatagram(
    udp: UdpTransport,
    message: OutgoingRequest | OutgoingResponse,
    bytes: Buffer,
    destination: { address: string; port: number },
    extra: { stateless?: boolean } = {},
  ): Promise<Sent> {
    const flow = udp.flowTo(destination.address, destination.port);
    publishTx(this.clock, flow, bytes, message, extra);
    try {
      await udp.send(bytes, destination.address, destination.port);
    } catch (err) {
      publishError(this.clock, flow, bytes, errorMessage(err));
      throw err;
    }
    return { flow, bytes };
  }

  private async sendOnStream(
    request: OutgoingRequest,
    destination: Destination,
    transport: 'tcp' | 'tls',
  ): Promise<Sent> {
    const c = await this.connectionTo(transport, destination);
    const ep = this.listeners.streamEndpoint(transport, c.flow.localAddress) ?? {
      host: c.flow.localAddress,
      port: c.flow.localPort,
    };
    this.stamp(request, transport, ep.host, ep.port);
    return this.writeOn(c, request.toBuffer(), request);
  }

  private connectionTo(transport: 'tcp' | 'tls', destination: Destination): Promise<StreamConnection> {
    const connector = transport === 'tcp' ? this.tcpConnector : this.tlsConnector;
    return this.pool.obtain(transport, destination, async () => {
      const socket = await connector.connect(destination, this.listeners.sourceAddress(transport, destination.address));
      if (this.state !== 'running') {
        socket.destroy();
        throw new TransportError('ERR_TRANSPORT_CLOSED', 'the transport stopped while connecting', destination);
      }
      return socket;
    });
  }

  private async writeOn(
    c: StreamConnection,
    bytes: Buffer,
    message: OutgoingRequest | OutgoingResponse | undefined,
    extra: { stateless?: boolean } = {},
  ): Promise<Sent> {
    publishTx(this.clock, c.flow, bytes, message, extra);
    try {
      await c.write(bytes);
    } catch (err) {
      publishError(this.clock, c.flow, bytes, errorMessage(err));
      throw err;
    }
    return { flow: c.flow, bytes };
  }

  private async sendResponseBy(route: ResponseRoute, response: OutgoingResponse): Promise<Sent> {
    switch (route.kind) {
      case 'connection': {
        const c = this.pool.forFlow(route.flow);
        if (c === undefined) throw new TransportError('ERR_TRANSPORT_CLOSED', 'the connection is closed', route.flow);
        return this.writeOn(c, response.toBuffer(), response);
      }
      case 'address':
        return this.sendResponseTo(route.transport, route.address, route.port, response, route.via);
      case 'resolve': {
        if (this.resolver === undefined) {
          throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no resolver for the Via host ${route.host}`);
        }
        const found = await this.resolver.resolve({ host: route.host, port: route.port, transport: route.transport });
        const candidates = found.filter((d) => d.transport === route.transport);
        let last: unknown = new TransportError(
          'ERR_TRANSPORT_RESOLVE',
          `no ${route.transport} address for ${route.host}`,
        );
        // RFC 3263 section 5: on failure, the next address in order.
        for (const d of candidates) {
          try {
            return await this.sendResponseTo(d.transport, d.address, d.port, response, undefined);
          } catch (err) {
            last = err;
          }
        }
        throw last;
      }
      case 'unroutable':
        throw new TransportError('ERR_TRANSPORT_SEND', `cannot route the response: ${route.reason}`);
    }
  }

  private async sendResponseTo(
    transport: TransportProtocol,
    address: string,
    port: number,
    response: OutgoingResponse,
    via: Flow | undefined,
  ): Promise<Sent> {
    const destination: Destination = { transport, address, port };
    if (transport === 'udp') {
      const udp = (via && this.listeners.udpOf(via)) ?? this.listeners.udpFor(address);
      if (udp === undefined) throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `no UDP socket for ${address}`);
      return this.sendDatagram(udp, response, response.toBuffer(), destination);
    }
    if (transport === 'tcp' || transport === 'tls') {
      const c = await this.connectionTo(transport, destination);
      return this.writeOn(c, response.toBuffer(), response);
    }
    throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `transport ${transport} is not supported`, destination);
  }

  // --- receiving -------------------------------------------------------------------------

  private onDatagram(bytes: Buffer, flow: Flow): void {
    if (this.state !== 'running') return;
    if (bytes.length > this.maxDatagramSize) {
      rejectUnframed(
        this.inbound,
        bytes,
        flow,
        513,
        `datagram of ${bytes.length} bytes exceeds ${this.maxDatagramSize}`,
      );
      return;
    }
    // RFC 5626 section 4.4.1 uses STUN on UDP; many clients send bare CRLFs: neither is SIP.
    if (isKeepAliveDatagram(bytes) || isStun(bytes)) return;
    handleInbound(this.inbound, bytes, flow, true);
  }

  private onAccepted(socket: Socket, transport: 'tcp' | 'tls'): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    try {
      this.pool.adopt(socket, transport, false);
    } catch (err) {
      this.logger.debug('accepted connection dropped', { error: errorMessage(err) });
    }
  }

  private onConnectionClosed(c: StreamConnection, reason: string): void {
    this.logger.debug('connection closed', { flow: c.flow, reason });
    publishConnection(this.clock, c.flow, 'close', c.outbound ? 'outbound' : 'inbound', reason);
    try {
      this.user?.onFlowClosed?.(c.flow, reason);
    } catch (err) {
      this.logger.error('onFlowClosed threw', { error: errorMessage(err) });
    }
  }

  private deliver(message: IncomingMessage): void {
    if (this.user === undefined) {
      this.logger.warn('message dropped: no transport user', { flow: message.flow });
      return;
    }
    this.user.onMessage(message);
  }

  private replyStateless(response: OutgoingResponse, flow: Flow): void {
    const bytes = response.toBuffer();
    const fail = (err: unknown) => publishError(this.clock, flow, bytes, `stateless response: ${errorMessage(err)}`);
    if (flow.transport === 'udp') {
      const udp = this.listeners.udpOf(flow);
      if (udp === undefined) return;
      const to = { address: flow.remoteAddress, port: flow.remotePort };
      this.sendDatagram(udp, response, bytes, to, { stateless: true }).catch(fail);
      return;
    }
    const c = this.pool.forFlow(flow);
    if (c !== undefined) this.writeOn(c, bytes, response, { stateless: true }).catch(fail);
  }

  // --- choosing sockets ------------------------------------------------------------------

  private assertRunning(where: Destination | Flow | undefined): void {
    if (this.state === 'running') return;
    if (this.state === 'stopped') throw new TransportError('ERR_TRANSPORT_CLOSED', 'the transport is stopped', where);
    throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', 'the transport is not started', where);
  }
}
