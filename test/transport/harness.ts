/**
 * Helpers for the transport tests: a collecting TransportUser with condition waits, raw UDP and
 * TCP peers that speak bytes (to play a client behind a NAT, send garbage, or watch what comes
 * back), a port free for both UDP and TCP (the section 18.1.1 switch reuses the port number),
 * and request texts. Waits poll on a RealClock with a deadline; nothing sleeps for a fixed time.
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import type { Flow } from '../../src/sip/index.js';
import {
  createRequest,
  type IncomingMessage,
  IncomingRequest,
  IncomingResponse,
  type OutgoingRequest,
} from '../../src/sip/index.js';
import type { Transport, TransportUser } from '../../src/transport/index.js';
import { RealClock } from '../../src/util/clock.js';

const realClock = new RealClock({ unref: true });

/** Resolves once cond() is true; rejects after timeoutMs with `what`. */
export function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = realClock.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let ok = false;
      try {
        ok = cond();
      } catch (err) {
        reject(err);
        return;
      }
      if (ok) resolve();
      else if (realClock.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else realClock.setTimer(5, check);
    };
    check();
  });
}

/** A TransportUser that records what it gets. */
export class Collector implements TransportUser {
  readonly messages: IncomingMessage[] = [];
  readonly closed: { flow: Flow; reason: string }[] = [];
  onRequest: ((r: IncomingRequest) => void) | undefined;

  constructor(transport?: Transport) {
    transport?.setUser(this);
  }

  onMessage(message: IncomingMessage): void {
    this.messages.push(message);
    if (message instanceof IncomingRequest) this.onRequest?.(message);
  }

  onFlowClosed(flow: Flow, reason: string): void {
    this.closed.push({ flow, reason });
  }

  get requests(): IncomingRequest[] {
    return this.messages.filter((m): m is IncomingRequest => m instanceof IncomingRequest);
  }

  get responses(): IncomingResponse[] {
    return this.messages.filter((m): m is IncomingResponse => m instanceof IncomingResponse);
  }

  async request(match: (r: IncomingRequest) => boolean = () => true, what = 'a request'): Promise<IncomingRequest> {
    await waitFor(() => this.requests.some(match), what);
    return this.requests.find(match) as IncomingRequest;
  }

  async response(match: (r: IncomingResponse) => boolean = () => true, what = 'a response'): Promise<IncomingResponse> {
    await waitFor(() => this.responses.some(match), what);
    return this.responses.find(match) as IncomingResponse;
  }
}

/** A raw UDP peer on 127.0.0.1 (or ::1) that records the datagrams it receives. */
export class RawUdp {
  readonly received: Buffer[] = [];
  private constructor(
    readonly socket: DgramSocket,
    readonly port: number,
  ) {}

  static async open(host = '127.0.0.1'): Promise<RawUdp> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
    const peer = new RawUdp(socket, socket.address().port);
    socket.on('message', (m) => peer.received.push(m));
    return peer;
  }

  send(bytes: string | Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(bytes, port, host, (err) => (err ? reject(err) : resolve())),
    );
  }

  async next(match: (text: string) => boolean = () => true, what = 'a datagram'): Promise<string> {
    await waitFor(() => this.received.some((b) => match(b.toString('latin1'))), what);
    return (this.received.find((b) => match(b.toString('latin1'))) as Buffer).toString('latin1');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A raw TCP client that records everything it receives. */
export class RawTcp {
  private chunks: Buffer[] = [];
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.chunks.push(d));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawTcp> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('connect', () => resolve(new RawTcp(s)));
      s.once('error', reject);
    });
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A port number free for both TCP and UDP on the host (the UDP-to-TCP switch keeps the port). */
export async function freeDualPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, host, () => resolve((server.address() as { port: number }).port)),
    );
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (ok) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return port;
    }
    udp.close();
  }
  throw new Error('no port free for both TCP and UDP');
}

/** An OPTIONS (or other) request to `host:port`, with an optional body. */
export function request(method: string, host: string, port: number, body?: string): OutgoingRequest {
  const h = host.includes(':') ? `[${host}]` : host;
  return createRequest({
    method,
    uri: `sip:bob@${h}:${port}`,
    from: 'Alice <sip:alice@example.com>',
    to: 'Bob <sip:bob@example.com>',
    ...(body !== undefined ? { body, contentType: 'text/plain' } : {}),
  });
}

/** A raw request text with the given top Via. */
export function rawRequest(via: string, extra = ''): string {
  return (
    'OPTIONS sip:bob@example.com SIP/2.0\r\n' +
    `Via: ${via}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@example.com>;tag=abc\r\n' +
    'To: <sip:bob@example.com>\r\n' +
    'Call-ID: raw-1@example.com\r\n' +
    'CSeq: 1 OPTIONS\r\n' +
    extra +
    'Content-Length: 0\r\n\r\n'
  );
}

export { IncomingRequest, IncomingResponse };
