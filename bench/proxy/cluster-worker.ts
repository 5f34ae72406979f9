/**
 * A prototype of several Switchboard processes on one UDP port with Node 20 (bench/proxy
 * --workers N), built around what the server's API allows without touching src/:
 *
 * - Sharing the port: Node 20's dgram has no `reusePort` (it came in 22.12/23.1), so the only way
 *   for several processes to receive on one port is the cluster module's shared handle: a worker
 *   binding with `exclusive: false` gets a duplicate of one socket the primary bound. The
 *   transport binds its UDP sockets with `exclusive: true`, hence the patch below of
 *   dgram.Socket's bind (for the listening port only): src/ offers no option for it.
 * - Affinity: the kernel hands each datagram of the shared socket to whichever process reads it
 *   first, but a transaction (and the dialog's ACK and BYE, and responses to the requests a proxy
 *   sent) must reach the process that holds its state. Every datagram is given an owner,
 *   hash(Call-ID) mod N (one call, all its transactions and retransmissions in one process, as
 *   with Kamailio's dispatcher hashing on Call-ID); a process that reads someone else's datagram
 *   relays it, with its source address, over loopback UDP to the owner's relay socket, and the
 *   owner hands it to its transport as if it had read it from the shared socket. Messages sent
 *   by any process leave from the shared socket, hence from the server's port.
 * - State that is not per call (the location service, nonces) must be shared: the workers use
 *   one SQLite file (on tmpfs) and one nonce secret.
 */
import { createSocket, type RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';

type MessageListener = (bytes: Buffer, rinfo: RemoteInfo) => void;

const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/i;

/** FNV-1a of the trimmed Call-ID, mod count; `fallback` when the datagram has none (keep-alives). */
export function ownerOf(bytes: Buffer, count: number, fallback: number): number {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 4096));
  const m = CALL_ID.exec(head);
  if (m === null) return fallback;
  const id = (m[1] as string).trim();
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** Relay frame: 2 bytes source port, 1 byte address length, the address (ASCII), the datagram. */
function frame(bytes: Buffer, rinfo: RemoteInfo): Buffer {
  const addr = Buffer.from(rinfo.address, 'latin1');
  const head = Buffer.allocUnsafe(3);
  head.writeUInt16BE(rinfo.port, 0);
  head.writeUInt8(addr.length, 2);
  return Buffer.concat([head, addr, bytes]);
}

function unframe(buf: Buffer): { bytes: Buffer; rinfo: RemoteInfo } {
  const port = buf.readUInt16BE(0);
  const len = buf.readUInt8(2);
  const address = buf.toString('latin1', 3, 3 + len);
  const bytes = buf.subarray(3 + len);
  return { bytes, rinfo: { address, port, family: address.includes(':') ? 'IPv6' : 'IPv4', size: bytes.length } };
}

export interface SharedUdp {
  /** The port of this worker's relay socket. */
  readonly relayPort: number;
  /** The relay ports of all workers, by index; until then every datagram is handled where it is read. */
  setPeers(ports: readonly number[]): Promise<void>;
  /** Datagrams this worker read and relayed, and received relayed. */
  stats(): { relayedOut: number; relayedIn: number; local: number };
  close(): void;
}

/**
 * Patches dgram so that the socket bound to `port` is the cluster's shared one and its datagrams
 * are dispatched by owner; opens this worker's relay socket. Call before startServer.
 */
export async function shareUdpPort(
  port: number,
  index: number,
  count: number,
  receiveBufferSize: number,
): Promise<SharedUdp> {
  const shared = new WeakSet<Socket>();
  let deliver: MessageListener | undefined;
  let peers: Socket[] | undefined;
  const counts = { relayedOut: 0, relayedIn: 0, local: 0 };

  const proto = Socket.prototype as unknown as {
    bind: (...args: unknown[]) => unknown;
    on: (event: string, listener: (...a: unknown[]) => void) => unknown;
  };
  const originalBind = proto.bind;
  proto.bind = function (this: Socket, ...args: unknown[]) {
    const first = args[0];
    if (typeof first === 'object' && first !== null && (first as { port?: number }).port === port) {
      shared.add(this);
      args[0] = { ...(first as object), exclusive: false };
    }
    return originalBind.apply(this, args);
  };
  proto.on = function (this: Socket, event: string, listener: (...a: unknown[]) => void) {
    if (event !== 'message' || !shared.has(this)) return EventEmitter.prototype.on.call(this, event, listener);
    const local = listener as unknown as MessageListener;
    deliver = local;
    const dispatch: MessageListener = (bytes, rinfo) => {
      const owner = peers === undefined ? index : ownerOf(bytes, count, index);
      if (owner === index) {
        counts.local++;
        local(bytes, rinfo);
        return;
      }
      counts.relayedOut++;
      peers?.[owner]?.send(frame(bytes, rinfo));
    };
    return EventEmitter.prototype.on.call(this, event, dispatch as (...a: unknown[]) => void);
  };

  // exclusive: in a cluster worker a non-exclusive bind (also the implicit one of connect())
  // would get the primary's shared socket, the same one in every worker.
  const relay = createSocket('udp4');
  await new Promise<void>((resolve) => relay.bind({ port: 0, address: '127.0.0.1', exclusive: true }, () => resolve()));
  relay.setRecvBufferSize(receiveBufferSize);
  relay.on('message', (buf: Buffer) => {
    const { bytes, rinfo } = unframe(buf);
    counts.relayedIn++;
    deliver?.(bytes, rinfo);
  });

  return {
    relayPort: relay.address().port,
    async setPeers(ports) {
      const sockets = await Promise.all(
        ports.map(async (p, i) => {
          const s = createSocket('udp4');
          await new Promise<void>((resolve) =>
            s.bind({ port: 0, address: '127.0.0.1', exclusive: true }, () => resolve()),
          );
          if (i === index) return s;
          await new Promise<void>((resolve) => s.connect(p, '127.0.0.1', () => resolve()));
          return s;
        }),
      );
      peers = sockets;
    },
    stats: () => ({ ...counts }),
    close() {
      relay.close();
      for (const s of peers ?? []) {
        s.close();
      }
    },
  };
}
