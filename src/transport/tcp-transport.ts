/** The TCP transport (RFC 3261 section 18, node:net): a plain stream listener and client. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { StreamTransport } from './stream-transport.js';
import type { Destination } from './types.js';

export class TcpTransport extends StreamTransport {
  readonly transport = 'tcp' as const;
  protected readonly readyEvent = 'connect' as const;

  protected createServer(onReady: (socket: Socket) => void): Server {
    const server = createServer({ noDelay: true });
    // The limiter's listener runs first (listen() prepends it) and destroys refused sockets.
    server.on('connection', (socket) => {
      if (!socket.destroyed) onReady(socket);
    });
    return server;
  }

  protected openSocket(destination: Destination, localAddress: string | undefined): Socket {
    return connect({ host: destination.address, port: destination.port, localAddress, noDelay: true });
  }
}
