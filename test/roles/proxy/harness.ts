/**
 * An in-memory world for proxy and registrar tests: a MemoryNetwork under a VirtualClock, the
 * server started with startServer on a MemoryTransport at 10.0.0.1:5060, phones (the UA layer's
 * UserAgent with scripted media) and scripted UASs that answer as a test tells them, plus
 * helpers to read the ladder of what crossed the network.
 */
import { DigestClient } from '../../../src/auth/index.js';
import type { RunningServer, StartServerOptions } from '../../../src/roles/server/index.js';
import { startServer } from '../../../src/roles/server/index.js';
import {
  type IncomingRequest,
  type IncomingResponse,
  type OutgoingRequest,
  parseMessage,
  responseTo,
} from '../../../src/sip/index.js';
import {
  type InviteServerTransaction,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from '../../../src/transaction/index.js';
import {
  MemoryNetwork,
  type MemoryPacket,
  type MemoryTransport,
  type TransportUser,
} from '../../../src/transport/index.js';
import { type RequestAuthenticator, UserAgent } from '../../../src/ua/index.js';
import { newTag, VirtualClock } from '../../../src/util/index.js';
import { TestMedia } from '../../ua/test-media.js';

export const PROXY = '10.0.0.1';
export const DOMAIN = 'example.com';

/** Lets promise chains and microtask deliveries run; then advances the clock by `ms`. */
export async function settle(clock: VirtualClock, ms = 0): Promise<void> {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
  if (ms > 0) {
    clock.advance(ms);
    for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
  }
}

/** Advances virtual time in steps (timers that start timers fire in order, promises run between). */
export async function advance(clock: VirtualClock, ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) await settle(clock, Math.min(step, ms - done));
}

/** A DigestClient as the UA's RequestAuthenticator (user:password for every realm). */
export function authenticator(username: string, password: string): RequestAuthenticator {
  const client = new DigestClient({ credentials: () => ({ username, password }) });
  return {
    authorize(request: OutgoingRequest, challenge: IncomingResponse): boolean {
      const r = client.handleChallenge(request, challenge);
      if (!r.retry) return false;
      for (const name of ['Authorization', 'Proxy-Authorization']) {
        request.remove(name);
        request.copyFrom(r.request, name);
      }
      return true;
    },
    // As phones do: cached credentials go on later requests of a challenged call (section 22.3).
    preauthorize(request: OutgoingRequest): void {
      client.authorize(request);
    },
  };
}

export type UasBehaviour = (request: IncomingRequest, tx: ServerTransaction, uas: ScriptedUas) => void;

/** A UAS whose answers the test scripts; it records what it received. */
export class ScriptedUas implements TransactionUser {
  readonly received: IncomingRequest[] = [];
  readonly cancelled: IncomingRequest[] = [];
  readonly acks: IncomingRequest[] = [];
  readonly transactions: TransactionLayer;
  readonly pending = new Map<string, { request: IncomingRequest; tx: ServerTransaction; tag: string }>();

  constructor(
    world: World,
    readonly address: string,
    public behaviour: UasBehaviour,
    port = 5060,
  ) {
    const transport = world.net.createTransport({ address, port, transports: ['udp', 'tcp'] });
    this.transactions = new TransactionLayer({ transport, clock: world.clock, user: this });
  }

  /** Responds on a transaction with one To tag per transaction (so 180 and 200 share it). */
  respond(request: IncomingRequest, tx: ServerTransaction, status: number, headers: [string, string][] = []): void {
    const key = tx.id;
    let p = this.pending.get(key);
    if (!p) {
      p = { request, tx, tag: newTag() };
      this.pending.set(key, p);
    }
    const t = request.flow?.transport === 'tcp' ? ';transport=tcp' : '';
    const dialog = status > 100 && status < 300 && request.method !== 'CANCEL';
    const contact: [string, string][] = dialog ? [['Contact', `<sip:uas@${this.address}${t}>`]] : [];
    tx.respond(responseTo(request, status, { toTag: p.tag, headers: [...contact, ...headers] }));
  }

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    this.received.push(request);
    this.behaviour(request, tx, this);
  }

  onAck(ack: IncomingRequest): void {
    this.acks.push(ack);
  }

  onCancel(invite: InviteServerTransaction, cancel: IncomingRequest): void {
    this.cancelled.push(cancel);
    this.respond(invite.request, invite, 487);
  }

  get invites(): IncomingRequest[] {
    return this.received.filter((r) => r.method === 'INVITE');
  }
}

/** The common behaviours of a scripted UAS. */
export const answer =
  (...statuses: number[]): UasBehaviour =>
  (req, tx, uas) => {
    if (req.method !== 'INVITE') {
      uas.respond(req, tx, 200);
      return;
    }
    for (const s of statuses) uas.respond(req, tx, s);
  };

/** A client that sends raw bytes (a message as text, LF or CRLF) and records what comes back. */
export class RawClient implements TransportUser {
  readonly responses: IncomingResponse[] = [];
  readonly requests: IncomingRequest[] = [];
  readonly transport: MemoryTransport;

  constructor(
    world: World,
    readonly address: string,
    readonly port = 5060,
  ) {
    this.transport = world.net.createTransport({ address, port, checkResponseSentBy: false });
    this.transport.setUser(this);
  }

  onMessage(message: IncomingRequest | IncomingResponse): void {
    if (message.kind === 'response') this.responses.push(message);
    else this.requests.push(message);
  }

  /** Sends a message; bare LFs become CRLFs unless the text already has CRLFs. */
  send(text: string | Buffer, to = PROXY, port = 5060): void {
    const bytes =
      typeof text === 'string' ? Buffer.from(text.includes('\r\n') ? text : text.replace(/\n/g, '\r\n')) : text;
    this.transport.resend(bytes, {
      transport: 'udp',
      localAddress: this.address,
      localPort: this.port,
      remoteAddress: to,
      remotePort: port,
      connectionId: undefined,
    });
  }

  /** Statuses received so far. */
  get statuses(): number[] {
    return this.responses.map((r) => r.status);
  }
}

/** A request as text with sensible defaults; `extra` lines go before Content-Length. */
export function rawRequest(
  method: string,
  uri: string,
  options: {
    from?: string;
    to?: string;
    callId?: string;
    cseq?: number;
    via?: string;
    extra?: string[];
    body?: string;
  } = {},
): string {
  const body = options.body ?? '';
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: ${options.via ?? `SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bK${Math.random().toString(36).slice(2)}`}`,
    'Max-Forwards: 70',
    `From: ${options.from ?? '<sip:alice@example.com>;tag=f1'}`,
    `To: ${options.to ?? `<${uri}>`}`,
    `Call-ID: ${options.callId ?? `${Math.random().toString(36).slice(2)}@10.0.0.8`}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    ...(options.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export class World {
  readonly clock = new VirtualClock();
  readonly net = new MemoryNetwork({ clock: this.clock });
  server: RunningServer | undefined;

  /** Starts the server at 10.0.0.1:5060 (UDP and TCP) serving example.com. */
  async start(options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
    const transport = this.net.createTransport({ address: PROXY, port: 5060, transports: ['udp', 'tcp'] });
    this.server = await startServer({
      transport,
      clock: this.clock,
      domains: [DOMAIN],
      purgeIntervalMs: 0,
      ...options,
    });
    return this.server;
  }

  /** A phone `name@example.com` at `address`, using the proxy as its outbound proxy. */
  phone(
    name: string,
    address: string,
    options: { auth?: [string, string]; transport?: 'udp' | 'tcp' } = {},
  ): UserAgent {
    const transport = this.net.createTransport({ address, port: 5060, transports: ['udp', 'tcp'] });
    const transactions = new TransactionLayer({ transport, clock: this.clock });
    const proxy = options.transport === 'tcp' ? `sip:${PROXY};transport=tcp` : `sip:${PROXY}`;
    return new UserAgent({
      transactions,
      identity: `"${name}" <sip:${name}@${DOMAIN}>`,
      proxies: [proxy],
      clock: this.clock,
      createMedia: () => new TestMedia(),
      ...(options.auth ? { authenticator: authenticator(options.auth[0], options.auth[1]) } : {}),
    });
  }

  raw(address: string, port = 5060): RawClient {
    return new RawClient(this, address, port);
  }

  uas(address: string, behaviour: UasBehaviour, port = 5060): ScriptedUas {
    return new ScriptedUas(this, address, behaviour, port);
  }

  /** Adds a binding for `user` directly in the location store. */
  async bind(user: string, contact: string, options: { q?: number; expires?: number } = {}): Promise<void> {
    const now = this.clock.wallTime();
    await this.server?.stores.locations.upsert(
      {
        aor: `sip:${user}@${DOMAIN}`,
        contact,
        expiresAt: now + (options.expires ?? 3600) * 1000,
        q: options.q ?? null,
        callId: `bind-${contact}`,
        cseq: 1,
      },
      now,
    );
  }

  /** Packets sent from or to an address, not dropped. */
  packets(address: string): MemoryPacket[] {
    return this.net.packets.filter((p) => !p.dropped && (p.flow.localAddress === address || p.to.address === address));
  }

  /** The ladder between two addresses: "> INVITE", "< 180 INVITE", ... (">" from a to b). */
  between(a: string, b: string, options: { retransmissions?: boolean } = {}): string[] {
    const seen = new Set<string>();
    return this.net.packets
      .filter((p) => {
        if (p.dropped) return false;
        if (!((p.flow.localAddress === a && p.to.address === b) || (p.flow.localAddress === b && p.to.address === a)))
          return false;
        // Bytes sent through resend() are flagged as retransmissions, and so is the first ACK of a
        // non-2xx (the client transaction sends it that way): only repeated bytes are left out.
        const key = p.bytes.toString('latin1');
        const repeat = seen.has(key);
        seen.add(key);
        return options.retransmissions || !repeat;
      })
      .map((p) => `${p.flow.localAddress === a ? '>' : '<'} ${p.status ?? p.method}${p.status ? ` ${p.method}` : ''}`);
  }

  /** The parsed messages of packets matching a predicate. */
  messages(filter: (p: MemoryPacket) => boolean): (IncomingRequest | IncomingResponse)[] {
    const out: (IncomingRequest | IncomingResponse)[] = [];
    for (const p of this.net.packets) {
      if (p.dropped || !filter(p)) continue;
      const r = parseMessage(p.bytes, { datagram: p.transport === 'udp' });
      if (r.ok) out.push(r.message);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
