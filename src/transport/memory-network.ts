/**
 * An in-memory network for tests of the layers above the transport (transactions under a
 * VirtualClock, dialogs, proxies, registrars): several MemoryTransports in one process exchange
 * bytes through this object without sockets. Every packet is recorded (with the Clock time it
 * was sent), and a filter may drop, delay or duplicate it, so that a test can send a request and
 * assert its retransmissions at exact virtual times, or lose a 200 OK and watch Timer G.
 *
 * Delivery: a packet with no delay is delivered on a microtask (default), inside the send call
 * ('sync': re-entrant, only for tests that want it), or by a zero-delay Clock timer ('clock':
 * nothing moves until the test advances the VirtualClock). Delayed packets always use the Clock.
 *
 * Addressing behaves like IP: UDP packets go to (address, port) and are silently lost when
 * nothing listens there; TCP/TLS go over connections that a MemoryTransport opens to a listening
 * peer (ERR_TRANSPORT_CONNECT when there is none), with an ephemeral source port, so received/
 * rport and connection reuse work as on real sockets. A transport may sit behind a NAT that
 * rewrites its source address (and, for UDP, port).
 */
import type { Flow, TransportProtocol } from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { normalizeAddress, remoteKey } from './addresses.js';
import { MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';

/** What a filter decides for one packet. */
export type MemoryVerdict =
  | 'deliver'
  | 'drop'
  | {
      /** Lose the packet. */
      readonly drop?: boolean;
      /** Extra one-way delay in ms (on top of the network latency). */
      readonly delayMs?: number;
      /** Deliver this many extra copies (each after the same delay). */
      readonly duplicates?: number;
    };

export interface MemoryPacket {
  /** Sequence number on this network, from 1. */
  readonly id: number;
  /** Clock.now() when the packet was sent. */
  readonly at: number;
  readonly transport: TransportProtocol;
  /** The source as the receiver sees it (after NAT). */
  readonly from: { readonly address: string; readonly port: number };
  readonly to: { readonly address: string; readonly port: number };
  /** The sender's flow. */
  readonly flow: Flow;
  readonly bytes: Buffer;
  /** true for bytes sent through resend() (retransmissions). */
  readonly retransmission: boolean;
  /** The start line: "INVITE sip:bob@b SIP/2.0" or "SIP/2.0 180 Ringing". */
  readonly startLine: string;
  /** The request method, or the CSeq method of a response. */
  readonly method: string | undefined;
  /** The status code of a response. */
  readonly status: number | undefined;
  /** Set when the filter dropped it or nothing listened at the destination. */
  dropped: boolean;
  /** Clock.now() of each delivery (several when duplicated). */
  readonly deliveredAt: number[];
}

export type MemoryFilter = (packet: MemoryPacket) => MemoryVerdict | undefined;

export interface MemoryNetworkOptions {
  readonly clock: Clock;
  /** One-way delay of every packet in ms (default 0). */
  readonly latencyMs?: number;
  /** How packets without delay are delivered (default 'microtask'). */
  readonly delivery?: 'microtask' | 'sync' | 'clock';
}

/** One end of an in-memory stream connection. */
export interface MemoryConnectionEnd {
  readonly transport: MemoryTransport;
  /** This end's flow (local = this end). */
  readonly flow: Flow;
}

export interface MemoryConnection {
  readonly id: number;
  readonly transport: 'tcp' | 'tls';
  readonly client: MemoryConnectionEnd;
  readonly server: MemoryConnectionEnd;
  open: boolean;
}

function describe(bytes: Buffer): { startLine: string; method: string | undefined; status: number | undefined } {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 4096));
  const startLine = head.split(/\r?\n/, 1)[0] ?? '';
  const response = /^SIP\/2\.0 (\d{3})/i.exec(startLine);
  if (response) {
    const cseq = /^CSeq[ \t]*:[ \t]*\d+[ \t]+(\S+)/im.exec(head);
    return { startLine, method: cseq?.[1], status: Number(response[1]) };
  }
  const method = /^([A-Za-z]+) /.exec(startLine)?.[1];
  return { startLine, method, status: undefined };
}

export class MemoryNetwork {
  readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly delivery: 'microtask' | 'sync' | 'clock';
  private readonly listeners = new Map<string, MemoryTransport>();
  private readonly connectionsById = new Map<number, MemoryConnection>();
  private readonly recorded: MemoryPacket[] = [];
  private filter: MemoryFilter | undefined;
  private nextPacket = 1;
  private nextConnection = 1;
  private nextPort = 40_000;

  constructor(options: MemoryNetworkOptions) {
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 0;
    this.delivery = options.delivery ?? 'microtask';
  }

  /** A new transport on this network (its listeners are registered at once). */
  createTransport(options: MemoryTransportOptions): MemoryTransport {
    return new MemoryTransport(this, options);
  }

  /** Every packet sent so far, in order. */
  get packets(): readonly MemoryPacket[] {
    return this.recorded;
  }

  /** Forgets the recorded packets. */
  clearPackets(): void {
    this.recorded.length = 0;
  }

  /** Sets (or removes) the filter that decides the fate of each packet. */
  setFilter(filter: MemoryFilter | undefined): void {
    this.filter = filter;
  }

  /** Drops the next `count` packets matching `predicate` (then lets them through again). */
  dropNext(predicate: (packet: MemoryPacket) => boolean, count = 1): void {
    let left = count;
    const previous = this.filter;
    this.filter = (p) => {
      if (left > 0 && predicate(p)) {
        left--;
        return 'drop';
      }
      return previous?.(p);
    };
  }

  /** The open in-memory connections. */
  connections(): MemoryConnection[] {
    return [...this.connectionsById.values()].filter((c) => c.open);
  }

  /** Closes a connection as if the peer or the network reset it; both ends are told. */
  closeConnection(id: number, reason = 'reset by the network'): boolean {
    const c = this.connectionsById.get(id);
    if (c === undefined || !c.open) return false;
    c.open = false;
    this.connectionsById.delete(id);
    c.client.transport.connectionClosed(c.client.flow, reason);
    c.server.transport.connectionClosed(c.server.flow, reason);
    return true;
  }

  // --- used by MemoryTransport ----------------------------------------------------------

  /** @internal */
  allocatePort(): number {
    return this.nextPort++;
  }

  /** @internal Registers a listening (transport, address, port). */
  bind(transport: TransportProtocol, address: string, port: number, owner: MemoryTransport): void {
    const key = remoteKey(transport, address, port);
    const current = this.listeners.get(key);
    if (current !== undefined && current !== owner) {
      throw new Error(`${transport} ${address}:${port} is already in use on this network`);
    }
    this.listeners.set(key, owner);
  }

  /** @internal */
  unbind(owner: MemoryTransport): void {
    for (const [key, t] of this.listeners) if (t === owner) this.listeners.delete(key);
    for (const c of [...this.connectionsById.values()]) {
      if (c.client.transport === owner || c.server.transport === owner) this.closeConnection(c.id, 'transport stopped');
    }
  }

  /** @internal Opens a connection from `client` to a listener; undefined when nothing listens there. */
  connect(
    client: MemoryTransport,
    transport: 'tcp' | 'tls',
    local: { address: string; port: number },
    visible: { address: string; port: number },
    remote: { address: string; port: number },
  ): MemoryConnection | undefined {
    const server = this.listeners.get(remoteKey(transport, remote.address, remote.port));
    if (server === undefined) return undefined;
    const id = this.nextConnection++;
    const connection: MemoryConnection = {
      id,
      transport,
      open: true,
      client: {
        transport: client,
        flow: {
          transport,
          localAddress: local.address,
          localPort: local.port,
          remoteAddress: normalizeAddress(remote.address),
          remotePort: remote.port,
          connectionId: id,
        },
      },
      server: {
        transport: server,
        flow: {
          transport,
          localAddress: normalizeAddress(remote.address),
          localPort: remote.port,
          remoteAddress: visible.address,
          remotePort: visible.port,
          connectionId: id,
        },
      },
    };
    this.connectionsById.set(id, connection);
    return connection;
  }

  /** @internal */
  connection(id: number): MemoryConnection | undefined {
    const c = this.connectionsById.get(id);
    return c?.open ? c : undefined;
  }

  /** @internal Records a datagram or stream segment and schedules its delivery. */
  send(init: {
    transport: TransportProtocol;
    flow: Flow;
    from: { address: string; port: number };
    to: { address: string; port: number };
    bytes: Buffer;
    retransmission: boolean;
  }): MemoryPacket {
    const packet: MemoryPacket = {
      id: this.nextPacket++,
      at: this.clock.now(),
      ...init,
      ...describe(init.bytes),
      dropped: false,
      deliveredAt: [],
    };
    this.recorded.push(packet);
    const verdict = this.filter?.(packet) ?? 'deliver';
    if (verdict === 'drop' || (typeof verdict === 'object' && verdict.drop)) {
      packet.dropped = true;
      return packet;
    }
    const extra = typeof verdict === 'object' ? (verdict.delayMs ?? 0) : 0;
    const copies = 1 + (typeof verdict === 'object' ? Math.max(0, verdict.duplicates ?? 0) : 0);
    const delay = this.latencyMs + extra;
    for (let i = 0; i < copies; i++) this.schedule(delay, () => this.deliver(packet));
    return packet;
  }

  private schedule(delay: number, fn: () => void): void {
    if (delay > 0 || this.delivery === 'clock') this.clock.setTimer(delay, fn);
    else if (this.delivery === 'sync') fn();
    else queueMicrotask(fn);
  }

  private deliver(packet: MemoryPacket): void {
    if (packet.flow.connectionId !== undefined) {
      const c = this.connection(packet.flow.connectionId);
      if (c === undefined) {
        packet.dropped = true;
        return;
      }
      const receiving = this.otherEnd(c, packet.flow);
      packet.deliveredAt.push(this.clock.now());
      receiving.transport.receive(packet.bytes, receiving.flow);
      return;
    }
    const target = this.listeners.get(remoteKey('udp', packet.to.address, packet.to.port));
    if (target === undefined) {
      packet.dropped = true;
      return;
    }
    packet.deliveredAt.push(this.clock.now());
    target.receiveDatagram(packet.bytes, packet.to, packet.from);
  }

  private otherEnd(c: MemoryConnection, senderFlow: Flow): MemoryConnectionEnd {
    const fromClient =
      senderFlow.localPort === c.client.flow.localPort && senderFlow.localAddress === c.client.flow.localAddress;
    return fromClient ? c.server : c.client;
  }
}
