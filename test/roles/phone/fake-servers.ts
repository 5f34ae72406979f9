/**
 * Minimal servers for the phone's tests, on real UDP sockets of 127.0.0.1: a digest-protected
 * registrar / proxy stand-in (401 to REGISTER and 407 to INVITE until the credentials verify,
 * with the auth layer's DigestServer), and a "black hole" that swallows every datagram (a dead
 * primary proxy) and counts what it was sent.
 */
import { createSocket, type Socket } from 'node:dgram';
import { DigestServer, InMemoryUserLookup } from '../../../src/auth/index.js';
import { type IncomingRequest, parseMessage, responseTo } from '../../../src/sip/index.js';
import { type ServerTransaction, TransactionLayer } from '../../../src/transaction/index.js';
import { TransportManager } from '../../../src/transport/index.js';
import { RealClock } from '../../../src/util/index.js';

export class DigestGate {
  readonly requests: IncomingRequest[] = [];
  /** Requests whose credentials verified: method and username. */
  readonly verified: { method: string; username: string }[] = [];
  private transactions: TransactionLayer | undefined;
  private constructor(
    readonly transport: TransportManager,
    readonly port: number,
  ) {}

  static async start(options: {
    realm: string;
    users: Record<string, string>;
    inviteStatus?: number;
  }): Promise<DigestGate> {
    const clock = new RealClock();
    const transport = new TransportManager({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], clock });
    await transport.start();
    const port = transport.localEndpoint('udp')?.port ?? 0;
    const gate = new DigestGate(transport, port);
    const server = new DigestServer({ clock });
    const users = new InMemoryUserLookup(options.users);
    const transactions = new TransactionLayer({ transport, clock });
    gate.transactions = transactions;
    transactions.setUser({
      onRequest: (request: IncomingRequest, tx: ServerTransaction) => {
        gate.requests.push(request);
        const proxy = request.method !== 'REGISTER';
        void server.verify(request, { realm: options.realm, proxy, users }).then((r) => {
          if (!r.ok) {
            tx.respond(
              r.reason === 'missing' || r.reason === 'stale'
                ? server.challenge(request, { realm: options.realm, proxy })
                : r.respond,
            );
            return;
          }
          gate.verified.push({ method: request.method, username: r.username });
          if (request.method === 'REGISTER') {
            const res = responseTo(request, 200, { toTag: 'reg' });
            for (const c of request.get('contact')) res.append('contact', c);
            res.set('expires', request.get('expires') ?? 3600);
            tx.respond(res);
            return;
          }
          tx.respond(responseTo(request, options.inviteStatus ?? 480, { toTag: 'gate' }));
        });
      },
    });
    return gate;
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    this.transactions?.close();
    return this.transport.stop();
  }
}

/** A UDP port that never answers: the dead primary proxy of the seeds' failover flow. */
export class BlackHole {
  readonly received: { method: string; branch: string; cseq: number }[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg) => {
      const r = parseMessage(msg);
      if (r.ok && !('status' in r.message))
        this.received.push({
          method: r.message.method,
          branch: r.message.topVia.branch ?? '',
          cseq: r.message.cseq.seq,
        });
    });
  }

  static start(): Promise<BlackHole> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(new BlackHole(socket)));
    });
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.socket.address().port}`;
  }

  stop(): void {
    this.socket.close();
  }
}
