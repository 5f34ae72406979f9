/**
 * What TCP and TLS share (RFC 3261 section 18: connection-oriented transports): a listening
 * server that admits connections through the ConnectionLimiter, and outgoing connects with a
 * timeout on the injected Clock (ERR_TRANSPORT_CONNECT on refusal, unreachable host or timeout).
 * Subclasses say how to create the server and the client socket and which event means "ready".
 */
import type { Server, Socket } from 'node:net';
import type { Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { normalizeAddress, primaryAddress } from './addresses.js';
import type { ConnectionLimiter } from './connection-limiter.js';
import { type Destination, type ListenSpec, type LocalEndpoint, TransportError } from './types.js';

export interface StreamTransportContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limiter: ConnectionLimiter;
  readonly connectTimeoutMs: number;
  /** A connection was accepted and is ready for SIP (after the TLS handshake for TLS). */
  onAccepted(socket: Socket, transport: 'tcp' | 'tls'): void;
}

export abstract class StreamTransport {
  abstract readonly transport: 'tcp' | 'tls';
  private server: Server | undefined;
  /** Accepted sockets not yet closed (also those still in a TLS handshake), destroyed by close(). */
  private readonly accepted = new Set<Socket>();
  private bound: { address: string; port: number; family: 4 | 6 } | undefined;

  constructor(
    /** undefined for a connect-only transport (no listener). */
    readonly spec: ListenSpec | undefined,
    protected readonly ctx: StreamTransportContext,
  ) {}

  /** The server for this transport; `onReady` must be called with each socket ready for SIP. */
  protected abstract createServer(onReady: (socket: Socket) => void): Server;
  /** Starts a client connection; resolves through `readyEvent`. */
  protected abstract openSocket(destination: Destination, localAddress: string | undefined): Socket;
  protected abstract readonly readyEvent: 'connect' | 'secureConnect';

  get endpoint(): LocalEndpoint | undefined {
    if (this.spec === undefined || this.bound === undefined) return undefined;
    return {
      transport: this.transport,
      host: this.spec.advertisedHost ?? this.advertisable(this.bound.address, this.bound.family),
      port: this.bound.port,
    };
  }

  /** The bound address (possibly a wildcard), for choosing the source of outgoing connections. */
  get boundAddress(): { address: string; port: number; family: 4 | 6 } | undefined {
    return this.bound;
  }

  private advertisable(address: string, family: 4 | 6): string {
    return address === '0.0.0.0' || address === '::' ? primaryAddress(family) : address;
  }

  async listen(): Promise<LocalEndpoint> {
    const spec = this.spec;
    if (spec === undefined) throw new Error('connect-only transport cannot listen');
    const server = this.createServer((socket) => this.ctx.onAccepted(socket, this.transport));
    // First listener, so a refused socket is destroyed before the subclass (or TLS) sees it.
    server.prependListener('connection', (raw: Socket) => {
      const ip = raw.remoteAddress ?? '';
      if (!this.ctx.limiter.admit(ip)) {
        this.ctx.logger.warn('connection refused: limit reached', { transport: this.transport, remote: ip });
        raw.destroy();
        return;
      }
      this.accepted.add(raw);
      raw.once('close', () => {
        this.accepted.delete(raw);
        this.ctx.limiter.release(ip);
      });
    });
    server.on('error', (err) =>
      this.ctx.logger.error('listener error', { transport: this.transport, error: errorMessage(err) }),
    );
    const host = spec.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host, port: spec.port ?? 0, ipv6Only: false }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('listener has no address');
    this.server = server;
    this.bound = { address: normalizeAddress(addr.address), port: addr.port, family: addr.family === 'IPv6' ? 6 : 4 };
    return this.endpoint as LocalEndpoint;
  }

  /** Opens a connection; rejects with ERR_TRANSPORT_CONNECT. */
  connect(destination: Destination, localAddress: string | undefined): Promise<Socket> {
    return new Promise((resolve, reject) => {
      let socket: Socket;
      try {
        socket = this.openSocket(destination, localAddress);
      } catch (err) {
        reject(
          new TransportError('ERR_TRANSPORT_CONNECT', `connect failed: ${errorMessage(err)}`, destination, {
            cause: err,
          }),
        );
        return;
      }
      let done = false;
      const finish = (err?: TransportError): void => {
        if (done) return;
        done = true;
        timer.cancel();
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(socket);
      };
      const where = `${this.transport}:${destination.address}:${destination.port}`;
      const timer = this.ctx.clock.setTimer(this.ctx.connectTimeoutMs, () =>
        finish(new TransportError('ERR_TRANSPORT_CONNECT', `connect to ${where} timed out`, destination)),
      );
      socket.once(this.readyEvent, () => finish());
      // Kept for the socket's life: an error between "ready" and adoption must not crash the process.
      socket.on('error', (err) =>
        finish(
          new TransportError('ERR_TRANSPORT_CONNECT', `connect to ${where} failed: ${err.message}`, destination, {
            cause: err,
          }),
        ),
      );
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    for (const socket of this.accepted) socket.destroy();
    this.accepted.clear();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
