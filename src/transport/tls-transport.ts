/**
 * The TLS transport (RFC 3261 sections 18 and 26.2, node:tls): a TLS listener with the listen
 * spec's certificate, and TLS clients that verify the server against the configured CAs (or
 * the system store) and send SNI with the host name a destination was resolved from (RFC 5922
 * section 7.2: the identity checked is the domain of the URI, not the IP).
 */
import { connect as netConnect, type Server, type Socket } from 'node:net';
import { type ConnectionOptions, connect, createServer, type TLSSocket } from 'node:tls';
import { errorMessage } from '../util/errors.js';
import { isIpLiteral } from './addresses.js';
import { StreamTransport, type StreamTransportContext } from './stream-transport.js';
import type { Destination, ListenSpec, TlsOptions } from './types.js';

function caList(ca: TlsOptions['ca']): ConnectionOptions['ca'] {
  if (ca === undefined) return undefined;
  return Array.isArray(ca) ? [...ca] : (ca as string | Buffer);
}

export class TlsTransport extends StreamTransport {
  readonly transport = 'tls' as const;
  protected readonly readyEvent = 'secureConnect' as const;

  constructor(
    spec: ListenSpec | undefined,
    ctx: StreamTransportContext,
    /** Options of outgoing connections (client certificate, CAs, verification). */
    private readonly client: TlsOptions,
  ) {
    super(spec, ctx);
  }

  protected createServer(onReady: (socket: Socket) => void): Server {
    const tls = this.spec?.tls;
    if (tls?.cert === undefined || tls.key === undefined) {
      throw new Error('a TLS listener needs tls.cert and tls.key');
    }
    const server = createServer({
      cert: tls.cert,
      key: tls.key,
      ca: caList(tls.ca),
      requestCert: tls.requestCert ?? false,
      rejectUnauthorized: tls.requestCert ? (tls.rejectUnauthorized ?? true) : false,
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      if (!socket.destroyed) onReady(socket);
    });
    server.on('tlsClientError', (err, socket) => {
      this.ctx.logger.debug('TLS handshake failed', { remote: socket.remoteAddress, error: errorMessage(err) });
      socket.destroy();
    });
    return server;
  }

  protected openSocket(destination: Destination, localAddress: string | undefined): Socket {
    const hostname = destination.hostname;
    // node:tls has no localAddress option: bind through a TCP socket we open ourselves.
    const raw =
      localAddress === undefined
        ? undefined
        : netConnect({ host: destination.address, port: destination.port, localAddress });
    const socket = connect({
      host: destination.address,
      port: destination.port,
      socket: raw,
      // SNI only for names (RFC 6066 section 3: literal IPs are not permitted in server_name).
      servername: hostname !== undefined && !isIpLiteral(hostname) ? hostname : undefined,
      ca: caList(this.client.ca),
      cert: this.client.cert,
      key: this.client.key,
      rejectUnauthorized: this.client.rejectUnauthorized ?? true,
    });
    raw?.on('error', (err) => socket.destroy(err));
    return socket;
  }
}
