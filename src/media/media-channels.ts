/**
 * Observability of the media layer (ARCHITECTURE.md principle 13), on node:diagnostics_channel:
 *   sip:media:state       a session was created, started or stopped (with its ports);
 *   sip:media:negotiated  an offer/answer exchange completed (codec, directions, remote address);
 *   sip:media:rtp         every RTP packet sent or received, raw bytes and both addresses (pcap);
 *   sip:media:rtcp        every RTCP packet sent or received.
 * Ladders ("RTP (g711U)" spans), pcap writers and HEP exporters subscribe; media never imports
 * them. Packet events are built only when the channel has subscribers, and carry a copy of the
 * bytes (send buffers are reused).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { StreamDirection } from '../sdp/index.js';
import type { MediaSessionState } from './media-session.js';

export const CHANNEL_MEDIA_STATE = 'sip:media:state';
export const CHANNEL_MEDIA_NEGOTIATED = 'sip:media:negotiated';
export const CHANNEL_MEDIA_RTP = 'sip:media:rtp';
export const CHANNEL_MEDIA_RTCP = 'sip:media:rtcp';

export interface MediaEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface MediaStateEvent {
  readonly local: MediaEndpoint;
  readonly rtcpPort: number;
  readonly state: MediaSessionState;
  readonly wallTime: number;
}

export interface MediaNegotiatedEvent {
  readonly local: MediaEndpoint;
  readonly remote: MediaEndpoint | null;
  readonly codec: 'PCMU' | 'PCMA' | null;
  readonly direction: StreamDirection;
  readonly wallTime: number;
}

export interface MediaPacketEvent {
  readonly direction: 'rx' | 'tx';
  readonly local: MediaEndpoint;
  readonly remote: MediaEndpoint;
  readonly bytes: Buffer;
  readonly wallTime: number;
}

const state = diagnosticsChannel.channel(CHANNEL_MEDIA_STATE);
const negotiated = diagnosticsChannel.channel(CHANNEL_MEDIA_NEGOTIATED);
const rtp = diagnosticsChannel.channel(CHANNEL_MEDIA_RTP);
const rtcp = diagnosticsChannel.channel(CHANNEL_MEDIA_RTCP);

export function publishMediaState(event: MediaStateEvent): void {
  if (state.hasSubscribers) state.publish(event);
}

export function publishMediaNegotiated(event: MediaNegotiatedEvent): void {
  if (negotiated.hasSubscribers) negotiated.publish(event);
}

/** True when someone listens for RTP packets (check before building an event on the hot path). */
export function rtpObserved(): boolean {
  return rtp.hasSubscribers;
}

export function publishPacket(
  kind: 'rtp' | 'rtcp',
  direction: 'rx' | 'tx',
  local: MediaEndpoint,
  remote: MediaEndpoint,
  bytes: Uint8Array,
  wallTime: number,
): void {
  const channel = kind === 'rtp' ? rtp : rtcp;
  if (!channel.hasSubscribers) return;
  const event: MediaPacketEvent = { direction, local, remote, bytes: Buffer.from(bytes), wallTime };
  channel.publish(event);
}
