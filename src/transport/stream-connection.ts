/**
 * One TCP or TLS connection: its flow, its framer (RFC 3261 section 18.3 via StreamFramer), the
 * CRLF keep-alive answer (RFC 5626 section 3.5.1: a CRLFCRLF ping is answered with a CRLF pong),
 * and its idle timer on the injected Clock (a connection without traffic for idleTimeoutMs is
 * closed, as Kamailio's tcp_connection_lifetime and PJSIP's PJSIP_TRANSPORT_IDLE_TIME do).
 *
 * On a framing error (oversized or unterminated header section, conflicting Content-Length) the
 * stream cannot be resynchronised: the owner gets the bytes of the failed message, to answer
 * with 400/513 when a request line is readable, and the connection is closed.
 */
import type { Socket } from 'node:net';
import { type Flow, StreamFramer } from '../sip/index.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { normalizeAddress } from './addresses.js';
import { TransportError } from './types.js';

export interface ConnectionEvents {
  onMessage(connection: StreamConnection, bytes: Buffer): void;
  onFramingError(connection: StreamConnection, status: number, reason: string, failed: Buffer): void;
  onClose(connection: StreamConnection, reason: string): void;
  /** The peer ended the stream inside a message: the bytes held are lost (for diagnostics). */
  onIncomplete?(connection: StreamConnection, held: Buffer, reason: string): void;
}

export interface StreamConnectionInit {
  readonly id: number;
  readonly transport: 'tcp' | 'tls';
  /** true when we opened it. */
  readonly outbound: boolean;
  readonly socket: Socket;
  readonly clock: Clock;
  /** 0 or Infinity: never closed for idleness. */
  readonly idleTimeoutMs: number;
  /**
   * Send a CRLFCRLF ping after this long without sending anything (RFC 5626 section 4.4.1 client
   * keep-alive; 0 or Infinity: never). Pings are traffic, so a pinged connection is not idle.
   */
  readonly keepAliveIntervalMs?: number;
  readonly maxMessageSize: number;
  readonly events: ConnectionEvents;
}

const PONG = Buffer.from('\r\n');
const PING = Buffer.from('\r\n\r\n');
/** How long a gracefully closed connection may take to flush before it is destroyed. */
const GRACE_MS = 2000;

export class StreamConnection {
  readonly id: number;
  readonly transport: 'tcp' | 'tls';
  readonly outbound: boolean;
  readonly flow: Flow;
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly framer: StreamFramer;
  private readonly events: ConnectionEvents;
  private readonly idleTimeoutMs: number;
  private readonly maxMessageSize: number;
  /** The bytes the framer holds (the start of an incomplete message), kept to answer a framing error. */
  private partial: Buffer | undefined;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;
  private keepAliveTimer: TimerHandle | undefined;
  private readonly keepAliveIntervalMs: number;
  private lastSent: number;
  private closeReason: string | undefined;
  private isClosed = false;

  constructor(init: StreamConnectionInit) {
    this.id = init.id;
    this.transport = init.transport;
    this.outbound = init.outbound;
    this.socket = init.socket;
    this.clock = init.clock;
    this.events = init.events;
    this.idleTimeoutMs = init.idleTimeoutMs;
    this.keepAliveIntervalMs = init.keepAliveIntervalMs ?? 0;
    this.maxMessageSize = init.maxMessageSize;
    // RFC 5626 section 3.5.1: accepted connections receive pings (a CRLF may be half of one split
    // across reads), connections we opened receive pongs.
    this.framer = new StreamFramer({
      maxMessageSize: init.maxMessageSize,
      keepAlive: init.outbound ? 'client' : 'server',
    });
    this.flow = Object.freeze({
      transport: init.transport,
      localAddress: normalizeAddress(init.socket.localAddress ?? ''),
      localPort: init.socket.localPort ?? 0,
      remoteAddress: normalizeAddress(init.socket.remoteAddress ?? ''),
      remotePort: init.socket.remotePort ?? 0,
      connectionId: init.id,
    });
    this.lastActivity = this.clock.now();
    this.lastSent = this.lastActivity;
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => {
      this.closeReason ??= `socket error: ${errorMessage(err)}`;
    });
    this.socket.on('end', () => {
      for (const ev of this.framer.finish()) {
        if (ev.kind === 'error') this.events.onIncomplete?.(this, ev.bytes ?? Buffer.alloc(0), ev.reason);
      }
    });
    this.socket.on('close', () => this.markClosed());
    this.scheduleIdle(this.idleTimeoutMs);
    this.scheduleKeepAlive(this.keepAliveIntervalMs);
  }

  get open(): boolean {
    return !this.isClosed && !this.socket.destroyed && this.socket.writable;
  }

  /** Writes bytes; resolves once handed to the kernel. */
  write(bytes: Buffer): Promise<void> {
    if (!this.open) {
      return Promise.reject(new TransportError('ERR_TRANSPORT_CLOSED', `connection ${this.id} is closed`, this.flow));
    }
    this.lastActivity = this.clock.now();
    this.lastSent = this.lastActivity;
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => {
        if (err)
          reject(new TransportError('ERR_TRANSPORT_SEND', `write failed: ${err.message}`, this.flow, { cause: err }));
        else resolve();
      });
    });
  }

  /**
   * Closes the connection (idempotent). `graceful` flushes what was written (a last error
   * response) and sends FIN, destroying the socket if the peer has not closed within
   * GRACE_MS; otherwise the socket is destroyed at once. Either way the connection counts as
   * closed from now on: nothing more is delivered or written.
   */
  close(reason: string, graceful = false): void {
    if (this.isClosed) return;
    this.closeReason ??= reason;
    if (graceful && !this.socket.destroyed) {
      this.socket.end();
      const timer = this.clock.setTimer(GRACE_MS, () => this.socket.destroy());
      this.socket.once('close', () => timer.cancel());
    } else {
      this.socket.destroy();
    }
    this.markClosed();
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    this.lastActivity = this.clock.now();
    const data = this.partial === undefined ? chunk : Buffer.concat([this.partial, chunk]);
    const events = this.framer.push(chunk);
    let offset = 0;
    for (const ev of events) {
      if (this.isClosed) return;
      // The framer skips lone LFs between messages without reporting them (RFC 3261 section 7.5).
      while (data[offset] === 0x0a) offset++;
      switch (ev.kind) {
        case 'message':
          offset += ev.bytes.length;
          this.events.onMessage(this, ev.bytes);
          break;
        case 'ping':
          offset += 4;
          // RFC 5626 section 3.5.1: "the server ... MUST respond with a single CRLF" (pong).
          if (this.open) this.socket.write(PONG);
          break;
        case 'pong':
          offset += 2;
          break;
        case 'error':
          this.partial = undefined;
          // The framer hands over the failed message's bytes; the local count is the fallback.
          this.events.onFramingError(this, ev.status, ev.reason, ev.bytes ?? data.subarray(offset));
          this.close(`framing error: ${ev.reason}`, true);
          return;
      }
    }
    const held = this.framer.buffered;
    if (held > this.maxMessageSize) {
      // Defence in depth: a framer that keeps waiting past its limit (the first StreamFramer did
      // after a stray "\r") must not let one peer grow this buffer without bound.
      this.events.onFramingError(
        this,
        513,
        `${held} bytes held without a complete message`,
        data.subarray(data.length - held),
      );
      this.close('framing stalled', true);
      return;
    }
    this.partial = held === 0 ? undefined : data.subarray(data.length - held);
  }

  private scheduleIdle(delay: number): void {
    if (!(this.idleTimeoutMs > 0) || !Number.isFinite(this.idleTimeoutMs)) return;
    this.idleTimer = this.clock.setTimer(delay, () => {
      if (this.isClosed) return;
      const idle = this.clock.now() - this.lastActivity;
      if (idle >= this.idleTimeoutMs) this.close(`idle for ${Math.round(idle)} ms`);
      else this.scheduleIdle(this.idleTimeoutMs - idle);
    });
  }

  private scheduleKeepAlive(delay: number): void {
    if (!(this.keepAliveIntervalMs > 0) || !Number.isFinite(this.keepAliveIntervalMs)) return;
    this.keepAliveTimer = this.clock.setTimer(delay, () => {
      if (this.isClosed) return;
      const quiet = this.clock.now() - this.lastSent;
      if (quiet >= this.keepAliveIntervalMs) {
        // RFC 5626 section 4.4.1: "the client sends a CRLFCRLF ping ... the server answers with a CRLF pong".
        this.write(PING).catch(() => {});
        this.scheduleKeepAlive(this.keepAliveIntervalMs);
      } else this.scheduleKeepAlive(this.keepAliveIntervalMs - quiet);
    });
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.idleTimer?.cancel();
    this.keepAliveTimer?.cancel();
    this.partial = undefined;
    this.events.onClose(this, this.closeReason ?? 'closed by peer');
  }
}
