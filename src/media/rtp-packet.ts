/**
 * The RTP fixed header (RFC 3550 section 5.1), read and written in place so that the media hot
 * path allocates nothing: writeRtpHeader fills the first 12 bytes of a preallocated packet, and
 * parseRtpHeader fills a caller-owned RtpHeader object.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 */

export const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;

/** A parsed header; payloadOffset/payloadLength already account for CSRCs, extension and padding. */
export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newRtpHeader(): RtpHeader {
  return { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Writes V=2, P=0, X=0, CC=0 and the given fields into buf[0..12). Returns the header size. */
export function writeRtpHeader(
  buf: Uint8Array,
  marker: boolean,
  payloadType: number,
  sequence: number,
  timestamp: number,
  ssrc: number,
): number {
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  buf[2] = (sequence >>> 8) & 0xff;
  buf[3] = sequence & 0xff;
  buf[4] = (timestamp >>> 24) & 0xff;
  buf[5] = (timestamp >>> 16) & 0xff;
  buf[6] = (timestamp >>> 8) & 0xff;
  buf[7] = timestamp & 0xff;
  buf[8] = (ssrc >>> 24) & 0xff;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
  return RTP_HEADER_SIZE;
}

function u32(buf: Uint8Array, at: number): number {
  return (
    (((buf[at] as number) << 24) |
      ((buf[at + 1] as number) << 16) |
      ((buf[at + 2] as number) << 8) |
      (buf[at + 3] as number)) >>>
    0
  );
}

/**
 * Parses the header of `buf[0..length)` into `out`. Returns false for anything that is not a
 * valid RTP packet (RFC 3550 appendix A.1 header validity checks: version 2, the padding and
 * extension lengths fit, and the payload type is not one of the RTCP SR/RR values 72/73 that
 * would indicate a misrouted RTCP packet).
 */
export function parseRtpHeader(buf: Uint8Array, length: number, out: RtpHeader): boolean {
  if (length < RTP_HEADER_SIZE) return false;
  const b0 = buf[0] as number;
  if (b0 >> 6 !== RTP_VERSION) return false;
  const b1 = buf[1] as number;
  const pt = b1 & 0x7f;
  if (pt === 72 || pt === 73) return false;
  let offset = RTP_HEADER_SIZE + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > length) return false;
    const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
    offset += 4 + words * 4;
  }
  let end = length;
  if (b0 & 0x20) {
    const pad = buf[length - 1] as number;
    if (pad === 0) return false;
    end -= pad;
  }
  if (offset > end) return false;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = pt;
  out.sequence = ((buf[2] as number) << 8) | (buf[3] as number);
  out.timestamp = u32(buf, 4);
  out.ssrc = u32(buf, 8);
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return true;
}
