/**
 * Observability of the transport layer (ARCHITECTURE.md principle 13; undici's
 * lib/core/diagnostics.js): every message received or sent, retransmissions and stateless error
 * responses included, is published on node:diagnostics_channel with its flow and raw bytes, and
 * every drop on the error channel. Ladders, pcap writers and HEP exporters subscribe; the stack
 * never imports them. Payloads are built only when a channel has subscribers (hot path).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Flow, IncomingMessage, OutgoingRequest, OutgoingResponse } from '../sip/index.js';
import type { Clock } from '../util/clock.js';

export const CHANNEL_RX = 'sip:transport:rx';
export const CHANNEL_TX = 'sip:transport:tx';
export const CHANNEL_ERROR = 'sip:transport:error';
export const CHANNEL_CONNECTION = 'sip:transport:connection';

/** Payload of sip:transport:rx: bytes received, with the message when they parsed. */
export interface TransportRxEvent {
  readonly flow: Flow;
  readonly bytes: Buffer;
  /** Clock.wallTime() when the bytes were received. */
  readonly wallTime: number;
  /** The parsed message (as handed up, received/rport included); absent for unparseable input. */
  readonly message?: IncomingMessage | undefined;
}

/** Payload of sip:transport:tx: bytes handed to a socket. */
export interface TransportTxEvent {
  readonly flow: Flow;
  readonly bytes: Buffer;
  /** Clock.wallTime() when the bytes were handed to the socket. */
  readonly wallTime: number;
  /** The message sent; absent for resend() (the bytes are those of an earlier event). */
  readonly message?: OutgoingRequest | OutgoingResponse | undefined;
  /** true for bytes sent again through resend() (retransmissions). */
  readonly retransmission?: boolean;
  /** true for an error response the transport generated itself (a 400 to bad input). */
  readonly stateless?: boolean;
}

export type TransportMessageEvent = TransportRxEvent | TransportTxEvent;

/** Payload of sip:transport:error: input dropped or a send that failed. */
export interface TransportErrorEvent {
  readonly flow: Flow;
  readonly bytes: Buffer;
  readonly reason: string;
  readonly wallTime: number;
}

/** Payload of sip:transport:connection: a stream connection opened or closed. */
export interface TransportConnectionEvent {
  readonly flow: Flow;
  readonly event: 'open' | 'close';
  /** Who opened it: 'outbound' (we connected) or 'inbound' (accepted). */
  readonly direction: 'outbound' | 'inbound';
  readonly reason?: string;
  readonly wallTime: number;
}

const rx = diagnosticsChannel.channel(CHANNEL_RX);
const tx = diagnosticsChannel.channel(CHANNEL_TX);
const error = diagnosticsChannel.channel(CHANNEL_ERROR);
const connection = diagnosticsChannel.channel(CHANNEL_CONNECTION);

export function publishRx(clock: Clock, flow: Flow, bytes: Buffer, message?: IncomingMessage): void {
  if (!rx.hasSubscribers) return;
  const event: TransportRxEvent = { flow, bytes, wallTime: clock.wallTime(), message };
  rx.publish(event);
}

export function publishTx(
  clock: Clock,
  flow: Flow,
  bytes: Buffer,
  message: OutgoingRequest | OutgoingResponse | undefined,
  extra: { retransmission?: boolean; stateless?: boolean } = {},
): void {
  if (!tx.hasSubscribers) return;
  const event: TransportTxEvent = { flow, bytes, wallTime: clock.wallTime(), message, ...extra };
  tx.publish(event);
}

export function publishError(clock: Clock, flow: Flow, bytes: Buffer, reason: string): void {
  if (!error.hasSubscribers) return;
  const event: TransportErrorEvent = { flow, bytes, reason, wallTime: clock.wallTime() };
  error.publish(event);
}

export function publishConnection(
  clock: Clock,
  flow: Flow,
  event: 'open' | 'close',
  direction: 'outbound' | 'inbound',
  reason?: string,
): void {
  if (!connection.hasSubscribers) return;
  const payload: TransportConnectionEvent = { flow, event, direction, reason, wallTime: clock.wallTime() };
  connection.publish(payload);
}
