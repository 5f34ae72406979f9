/**
 * What this endpoint offers: its address, RTP port and audio capabilities, and how it writes them
 * as SDP (RFC 3264 section 5: generating the initial offer). Audio is G.711 PCMU/PCMA with RFC
 * 4733 telephone-event, ptime 20 (RFC 3551 section 4.5: G.711 "default packetization interval is
 * 20 ms"). Hold is written one of two ways (RFC 3264 section 8.4): the RFC 3264 way, a=sendonly or
 * a=inactive with the real address (RTCP keeps flowing), or the RFC 2543 way, c=IN IP4 0.0.0.0,
 * as the Cisco SIP phones of the call-flow seeds do.
 */
import { type MediaDirection, setDirection } from './media-direction.js';
import { type AudioCodecName, STATIC_PAYLOAD_TYPE } from './payload-formats.js';
import type { SdpConnection, SdpMedia, SessionDescription } from './sdp-model.js';

export type HoldStyle = 'rfc3264' | 'rfc2543';
export type HoldDirection = 'sendonly' | 'inactive';

export interface TelephoneEventConfig {
  /** Dynamic payload type (96-127; 101 by convention). */
  payloadType: number;
  /** RFC 4733 section 7.1.1 event list, "0-15" or "0-16" usually. */
  events: string;
}

export interface LocalMediaConfig {
  /** Address written in o= and c= (IPv4 or IPv6 literal). */
  address: string;
  rtpPort: number;
  /** RTCP port when it is not rtpPort + 1; then announced with a=rtcp (RFC 3605). */
  rtcpPort?: number;
  /** Codecs in order of preference. */
  codecs: readonly AudioCodecName[];
  telephoneEvent: TelephoneEventConfig | null;
  /** a=ptime (RFC 8866 section 6.4), milliseconds. */
  ptime: number;
  /** o= username; "-" when there is no user id (RFC 8866 section 5.2). */
  username?: string;
  /** s= text; RFC 8866 section 5.3 recommends "s= " style placeholders such as "-". */
  sessionName?: string;
}

export function addrTypeOf(address: string): 'IP4' | 'IP6' {
  return address.includes(':') ? 'IP6' : 'IP4';
}

export function connectionFor(address: string): SdpConnection {
  return { netType: 'IN', addrType: addrTypeOf(address), address };
}

/** The RFC 2543 hold address of an address family (RFC 3264 section 8.4; "::" for IPv6). */
export function holdAddressFor(address: string): string {
  return addrTypeOf(address) === 'IP6' ? '::' : '0.0.0.0';
}

const CODEC_RTPMAP: Readonly<Record<AudioCodecName, string>> = { PCMU: 'PCMU/8000', PCMA: 'PCMA/8000' };

/**
 * The audio m= section for `codecs` (in that order), the telephone-event format if given, ptime,
 * and an explicit direction attribute (or none when `direction` is null).
 */
export function audioSection(
  config: LocalMediaConfig,
  codecs: readonly { name: AudioCodecName; payloadType: number }[],
  telephoneEvent: TelephoneEventConfig | null,
  direction: MediaDirection | null,
): SdpMedia {
  const formats = codecs.map((c) => String(c.payloadType));
  if (telephoneEvent) formats.push(String(telephoneEvent.payloadType));
  const media: SdpMedia = {
    type: 'audio',
    port: config.rtpPort,
    protocol: 'RTP/AVP',
    formats,
    connections: [],
    bandwidths: [],
    attributes: [],
  };
  // rtpmap for static types is optional (RFC 3551) but every phone writes it; so do we.
  for (const c of codecs) media.attributes.push({ name: 'rtpmap', value: `${c.payloadType} ${CODEC_RTPMAP[c.name]}` });
  if (telephoneEvent) {
    media.attributes.push({ name: 'rtpmap', value: `${telephoneEvent.payloadType} telephone-event/8000` });
    media.attributes.push({ name: 'fmtp', value: `${telephoneEvent.payloadType} ${telephoneEvent.events}` });
  }
  media.attributes.push({ name: 'ptime', value: String(config.ptime) });
  if (config.rtcpPort !== undefined && config.rtcpPort !== config.rtpPort + 1) {
    media.attributes.push({ name: 'rtcp', value: String(config.rtcpPort) });
  }
  if (direction) setDirection(media, direction);
  return media;
}

/** The offered codec list: every configured codec with its static payload type. */
export function offeredCodecs(config: LocalMediaConfig): { name: AudioCodecName; payloadType: number }[] {
  return config.codecs.map((name) => ({ name, payloadType: STATIC_PAYLOAD_TYPE[name] }));
}

/** A session description skeleton (v o s c t) without media; the negotiator fills in o= id/version. */
export function sessionSkeleton(
  config: LocalMediaConfig,
  origin: { sessionId: string; sessionVersion: string },
  connectionAddress: string,
): SessionDescription {
  return {
    version: 0,
    origin: {
      username: config.username ?? '-',
      sessionId: origin.sessionId,
      sessionVersion: origin.sessionVersion,
      netType: 'IN',
      addrType: addrTypeOf(config.address),
      address: config.address,
    },
    sessionName: config.sessionName ?? 'Switchboard',
    emails: [],
    phones: [],
    connection: connectionFor(connectionAddress),
    bandwidths: [],
    timing: [{ start: 0, stop: 0, repeats: [] }],
    attributes: [],
    media: [],
  };
}
