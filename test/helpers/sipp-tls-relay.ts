/**
 * A TLS relay for SIPp builds without OpenSSL (Debian's sip-tester 3.6.1): byte-for-byte pipes
 * between a TCP side, which SIPp speaks (-t t1), and a TLS side, which Switchboard speaks, in the
 * manner of stunnel. Every accepted connection gets its own connection to the target, so SIP
 * framing and connection reuse are those of the two ends. The Switchboard side sees a real TLS
 * connection (handshake, certificate check, records); SIPp's Via names TCP, as it would behind
 * any TLS-terminating edge proxy, and the responses go back on the connection the request came
 * on (RFC 3261 section 18.2.2), so the relay is invisible to the transaction layer.
 */
import { createServer as createTcpServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';

export interface TlsRelay {
  /** The port the relay accepts on (127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = (): void => {
    a.destroy();
    b.destroy();
  };
  a.once('close', end);
  b.once('close', end);
  a.on('error', end);
  b.on('error', end);
}

async function listen(server: Server, sockets: Set<Socket>): Promise<TlsRelay> {
  let accepted = 0;
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** SIPp (TCP) -> relay -> Switchboard (TLS): TCP in, TLS out, verifying the server against `ca`. */
export function tcpToTls(target: { readonly port: number; readonly ca: string }): Promise<TlsRelay> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((inbound) => {
    const outbound = tlsConnect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' });
    sockets.add(outbound);
    outbound.once('close', () => sockets.delete(outbound));
    inbound.pause();
    outbound.once('secureConnect', () => inbound.resume());
    pipeBoth(inbound, outbound);
  });
  return listen(server, sockets);
}

/** Switchboard (TLS) -> relay -> SIPp (TCP): TLS in with `cert`/`key`, TCP out. */
export function tlsToTcp(
  target: { readonly port: number },
  tls: { readonly cert: string; readonly key: string },
): Promise<TlsRelay> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: tls.cert, key: tls.key }, (inbound) => {
    const outbound = tcpConnect({ host: '127.0.0.1', port: target.port });
    sockets.add(outbound);
    outbound.once('close', () => sockets.delete(outbound));
    pipeBoth(inbound, outbound);
  });
  return listen(server, sockets);
}
