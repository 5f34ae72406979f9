/**
 * Media direction (RFC 8866 section 6.7, RFC 3264 sections 5.1, 6.1 and 8.4) and the connection
 * address rules that go with it. A stream's *declared* direction is its a=sendrecv|sendonly|
 * recvonly|inactive (media level overrides session level; sendrecv when absent). Its *effective*
 * direction also folds in the two older ways of saying "do not send to me": a port of zero
 * (RFC 3264 section 6: the stream is rejected) and the RFC 2543 hold address c=0.0.0.0 (RFC 3264
 * section 8.4, which RFC 3264 still asks answerers to recognise; "::" is its IPv6 counterpart).
 */
import type { SdpConnection, SdpMedia, SessionDescription } from './sdp-model.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function includesSend(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function includesReceive(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

export function directionFrom(send: boolean, receive: boolean): MediaDirection {
  if (send) return receive ? 'sendrecv' : 'sendonly';
  return receive ? 'recvonly' : 'inactive';
}

/** The direction as seen from the other end: sendonly <-> recvonly (RFC 3264 section 6.1). */
export function reverseDirection(d: MediaDirection): MediaDirection {
  return directionFrom(includesReceive(d), includesSend(d));
}

/** What both allow. */
export function intersectDirections(a: MediaDirection, b: MediaDirection): MediaDirection {
  return directionFrom(includesSend(a) && includesSend(b), includesReceive(a) && includesReceive(b));
}

function directionAttribute(attributes: SdpMedia['attributes']): MediaDirection | undefined {
  // The last direction attribute wins if a sloppy peer writes two; RFC 8866 allows only one.
  let found: MediaDirection | undefined;
  for (const a of attributes) {
    const name = a.name.toLowerCase();
    if (a.value === null && (DIRECTIONS as readonly string[]).includes(name)) found = name as MediaDirection;
  }
  return found;
}

/** The declared direction of one m= section: media level, else session level, else sendrecv (RFC 8866 6.7). */
export function declaredDirection(sdp: SessionDescription, media: SdpMedia): MediaDirection {
  return directionAttribute(media.attributes) ?? directionAttribute(sdp.attributes) ?? 'sendrecv';
}

/** The c= that applies to a media section: its own first c=, else the session-level one (RFC 8866 5.7). */
export function connectionOf(sdp: SessionDescription, media: SdpMedia): SdpConnection | undefined {
  return media.connections[0] ?? sdp.connection;
}

/** 0.0.0.0 (RFC 2543 hold, RFC 3264 section 8.4) or the IPv6 unspecified address. */
export function isUnspecifiedAddress(address: string): boolean {
  if (address === '0.0.0.0') return true;
  // "::", "0::0", "0:0:0:0:0:0:0:0" all mean the unspecified IPv6 address.
  return /^[0:]+$/.test(address) && address.includes(':');
}

/** True when the section holds with the RFC 2543 method (connection address 0.0.0.0 or ::). */
export function holdsByConnectionAddress(sdp: SessionDescription, media: SdpMedia): boolean {
  const c = connectionOf(sdp, media);
  return c !== undefined && isUnspecifiedAddress(c.address);
}

/**
 * What the section really allows, from its author's point of view. A zero port rejects or
 * disables the stream (RFC 3264 sections 6 and 8.2): inactive. A c=0.0.0.0 means the author
 * must not be sent to (RFC 3264 section 8.4), so 'recv' is removed; what it declares about its
 * own sending is kept.
 */
export function effectiveDirection(sdp: SessionDescription, media: SdpMedia): MediaDirection {
  if (media.port === 0) return 'inactive';
  const declared = declaredDirection(sdp, media);
  if (holdsByConnectionAddress(sdp, media)) return directionFrom(includesSend(declared), false);
  return declared;
}

/** Replaces any direction attribute of a media section with `d` (appended last). */
export function setDirection(media: SdpMedia, d: MediaDirection): void {
  media.attributes = media.attributes.filter(
    (a) => !(a.value === null && (DIRECTIONS as readonly string[]).includes(a.name.toLowerCase())),
  );
  media.attributes.push({ name: d, value: null });
}
