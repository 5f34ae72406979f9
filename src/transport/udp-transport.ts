/**
 * The UDP transport (RFC 3261 section 18, node:dgram): one bound socket that receives datagrams
 * and sends requests, responses and retransmissions from the same address and port, which is
 * what symmetric response routing needs (RFC 3581 section 4).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Flow } from '../sip/index.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ipFamily, isWildcard, normalizeAddress, primaryAddress } from './addresses.js';
import { type ListenSpec, type LocalEndpoint, TransportError } from './types.js';

export interface UdpTransportContext {
  readonly logger: Logger;
  onDatagram(transport: UdpTransport, bytes: Buffer, flow: Flow): void;
  /** Kernel receive buffer (SO_RCVBUF), when set. */
  readonly receiveBufferSize?: number | undefined;
}

export class UdpTransport {
  readonly transport = 'udp' as const;
  private socket: Socket | undefined;
  private bound: { address: string; port: number; family: 4 | 6 } | undefined;

  constructor(
    readonly spec: ListenSpec,
    private readonly ctx: UdpTransportContext,
  ) {}

  get endpoint(): LocalEndpoint | undefined {
    const b = this.bound;
    if (b === undefined) return undefined;
    const host = this.spec.advertisedHost ?? (isWildcard(b.address) ? primaryAddress(b.family) : b.address);
    return { transport: 'udp', host, port: b.port };
  }

  get boundAddress(): { address: string; port: number; family: 4 | 6 } | undefined {
    return this.bound;
  }

  /** True when this socket can send to an address of that family (a '::' socket is dual-stack). */
  canReach(address: string): boolean {
    const b = this.bound;
    if (b === undefined) return false;
    const family = ipFamily(address);
    return family === b.family || (b.family === 6 && b.address === '::');
  }

  async listen(): Promise<LocalEndpoint> {
    const host = this.spec.host ?? '127.0.0.1';
    const family = ipFamily(host) === 6 ? 6 : 4;
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: false });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.bind({ address: host, port: this.spec.port ?? 0, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    if (this.ctx.receiveBufferSize !== undefined) {
      try {
        socket.setRecvBufferSize(this.ctx.receiveBufferSize);
      } catch (err) {
        this.ctx.logger.warn('cannot set the UDP receive buffer size', { error: errorMessage(err) });
      }
    }
    const addr = socket.address();
    this.bound = { address: normalizeAddress(addr.address), port: addr.port, family };
    socket.on('error', (err) => this.ctx.logger.error('UDP socket error', { error: errorMessage(err) }));
    socket.on('message', (bytes: Buffer, rinfo: RemoteInfo) => {
      this.ctx.onDatagram(this, bytes, this.flowTo(rinfo.address, rinfo.port));
    });
    this.socket = socket;
    return this.endpoint as LocalEndpoint;
  }

  /** The flow from this socket to a remote address. */
  flowTo(address: string, port: number): Flow {
    const b = this.bound;
    return {
      transport: 'udp',
      localAddress: b?.address ?? '',
      localPort: b?.port ?? 0,
      remoteAddress: normalizeAddress(address),
      remotePort: port,
      connectionId: undefined,
    };
  }

  send(bytes: Buffer, address: string, port: number): Promise<void> {
    const socket = this.socket;
    const flow = this.flowTo(address, port);
    if (socket === undefined) {
      return Promise.reject(new TransportError('ERR_TRANSPORT_CLOSED', 'UDP socket is closed', flow));
    }
    // A dual-stack '::' socket reaches IPv4 peers through IPv4-mapped addresses.
    const target = this.bound?.family === 6 && ipFamily(address) === 4 ? `::ffff:${address}` : address;
    return new Promise((resolve, reject) => {
      try {
        socket.send(bytes, port, target, (err) => {
          if (err)
            reject(new TransportError('ERR_TRANSPORT_SEND', `UDP send failed: ${err.message}`, flow, { cause: err }));
          else resolve();
        });
      } catch (err) {
        reject(new TransportError('ERR_TRANSPORT_SEND', `UDP send failed: ${errorMessage(err)}`, flow, { cause: err }));
      }
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
