/**
 * The open stream connections of a TransportManager, indexed by connection id (the flow a
 * message came on) and by remote tuple (transport, address, port), so that a request to a peer
 * reuses the connection already open to it (RFC 3261 section 18.1.1: "the client MAY ... use
 * an existing connection"; PJSIP's transport manager hash, resip's ConnectionManager). A connect
 * already under way to a tuple is shared, never duplicated.
 */
import type { Socket } from 'node:net';
import type { Flow } from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { remoteKey } from './addresses.js';
import { type ConnectionEvents, StreamConnection } from './stream-connection.js';
import { type Destination, TransportError } from './types.js';

export interface ConnectionPoolOptions {
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  readonly inboundIdleTimeoutMs: number;
  /** CRLFCRLF keep-alive interval of connections we open (0: none). */
  readonly keepAliveIntervalMs: number;
  readonly maxMessageSize: number;
  readonly events: ConnectionEvents;
  /** A connection was adopted (accepted or opened). */
  readonly onOpen?: (connection: StreamConnection) => void;
}

export class ConnectionPool {
  private readonly byId = new Map<number, StreamConnection>();
  private readonly byRemote = new Map<string, StreamConnection>();
  private readonly pending = new Map<string, Promise<StreamConnection>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ConnectionPoolOptions) {}

  get size(): number {
    return this.byId.size;
  }

  /** Every open connection. */
  all(): StreamConnection[] {
    return [...this.byId.values()];
  }

  /** Wraps a connected socket and indexes it; after closeAll() the socket is destroyed and this throws. */
  adopt(socket: Socket, transport: 'tcp' | 'tls', outbound: boolean): StreamConnection {
    if (this.closed) {
      socket.destroy();
      throw new TransportError('ERR_TRANSPORT_CLOSED', 'the transport is stopped');
    }
    const events: ConnectionEvents = {
      onMessage: (c, bytes) => this.options.events.onMessage(c, bytes),
      onFramingError: (c, status, reason, failed) => this.options.events.onFramingError(c, status, reason, failed),
      onIncomplete: (c, held, reason) => this.options.events.onIncomplete?.(c, held, reason),
      onClose: (c, reason) => {
        this.forget(c);
        this.options.events.onClose(c, reason);
      },
    };
    const connection = new StreamConnection({
      id: this.nextId++,
      transport,
      outbound,
      socket,
      clock: this.options.clock,
      idleTimeoutMs: outbound ? this.options.idleTimeoutMs : this.options.inboundIdleTimeoutMs,
      keepAliveIntervalMs: outbound ? this.options.keepAliveIntervalMs : 0,
      maxMessageSize: this.options.maxMessageSize,
      events,
    });
    this.byId.set(connection.id, connection);
    this.byRemote.set(this.keyOf(connection.flow), connection);
    this.options.onOpen?.(connection);
    return connection;
  }

  /** The open connection of a flow (by connection id). */
  forFlow(flow: Flow): StreamConnection | undefined {
    if (flow.connectionId === undefined) return undefined;
    const c = this.byId.get(flow.connectionId);
    return c?.open ? c : undefined;
  }

  /** An open connection to a remote tuple. */
  find(transport: 'tcp' | 'tls', address: string, port: number): StreamConnection | undefined {
    const c = this.byRemote.get(remoteKey(transport, address, port));
    return c?.open ? c : undefined;
  }

  /** An open connection to the destination, or a new one made by `connect` (shared while pending). */
  async obtain(
    transport: 'tcp' | 'tls',
    destination: Destination,
    connect: () => Promise<Socket>,
  ): Promise<StreamConnection> {
    if (destination.connectionId !== undefined) {
      const byId = this.byId.get(destination.connectionId);
      if (byId?.open && byId.transport === transport) return byId;
    }
    const existing = this.find(transport, destination.address, destination.port);
    if (existing) return existing;
    const key = remoteKey(transport, destination.address, destination.port);
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = connect()
        .then((socket) => this.adopt(socket, transport, true))
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Closes every connection, and any that is adopted later. */
  closeAll(reason: string): void {
    this.closed = true;
    for (const c of [...this.byId.values()]) c.close(reason);
  }

  private keyOf(flow: Flow): string {
    return remoteKey(flow.transport, flow.remoteAddress, flow.remotePort);
  }

  private forget(c: StreamConnection): void {
    this.byId.delete(c.id);
    const key = this.keyOf(c.flow);
    if (this.byRemote.get(key) === c) this.byRemote.delete(key);
  }
}
