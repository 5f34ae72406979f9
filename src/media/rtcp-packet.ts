/**
 * RTCP packets (RFC 3550 section 6): sender report (6.4.1), receiver report (6.4.2), SDES with
 * CNAME (6.5) and BYE (6.6), written as compound packets (6.1: the first packet is an SR or RR,
 * an SDES CNAME follows) and parsed with the validity checks of appendix A.2.
 */

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** One reception report block (RFC 3550 section 6.4.1). */
export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as the 8-bit fixed-point value (lost/expected * 256). */
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source (LSR). */
  lastSr: number;
  /** Delay since that SR, in units of 1/65536 s (DLSR). */
  delaySinceLastSr: number;
}

export interface RtcpSenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; sender: RtcpSenderInfo; reports: RtcpReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: RtcpReportBlock[] }
  | { type: 'sdes'; chunks: { ssrc: number; cname: string | null }[] }
  | { type: 'bye'; ssrcs: number[]; reason: string | null }
  | { type: 'other'; packetType: number };

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2208988800;

/** A wall-clock time in ms as an NTP timestamp (RFC 3550 section 4). */
export function ntpFromWallMs(ms: number): { seconds: number; fraction: number } {
  const secs = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - secs * 1000) / 1000) * 0x100000000);
  return { seconds: (secs + NTP_UNIX_OFFSET) >>> 0, fraction: fraction >>> 0 };
}

/** The middle 32 bits of an NTP timestamp, as carried in LSR (section 6.4.1). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** The middle-32 NTP representation of a wall-clock time in ms (units of 1/65536 s, mod 2^32). */
export function ntpMiddle32FromWallMs(ms: number): number {
  const t = ntpFromWallMs(ms);
  return ntpMiddle32(t.seconds, t.fraction);
}

function put32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 24) & 0xff;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

function get32(buf: Uint8Array, at: number): number {
  return (
    (((buf[at] as number) << 24) |
      ((buf[at + 1] as number) << 16) |
      ((buf[at + 2] as number) << 8) |
      (buf[at + 3] as number)) >>>
    0
  );
}

function header(buf: Uint8Array, at: number, count: number, packetType: number, lengthWords: number): void {
  buf[at] = 0x80 | (count & 0x1f);
  buf[at + 1] = packetType;
  buf[at + 2] = (lengthWords >>> 8) & 0xff;
  buf[at + 3] = lengthWords & 0xff;
}

function writeBlocks(buf: Uint8Array, at: number, blocks: readonly RtcpReportBlock[]): number {
  for (const b of blocks) {
    put32(buf, at, b.ssrc);
    // The 24-bit cumulative count is signed two's complement (section 6.4.1).
    put32(buf, at + 4, ((b.fractionLost & 0xff) << 24) | (b.cumulativeLost & 0xffffff));
    put32(buf, at + 8, b.extendedHighestSequence);
    put32(buf, at + 12, b.jitter);
    put32(buf, at + 16, b.lastSr);
    put32(buf, at + 20, b.delaySinceLastSr);
    at += 24;
  }
  return at;
}

/** Writes an SR at buf[at]; returns the offset after it. At most 31 blocks. */
export function writeSenderReport(
  buf: Uint8Array,
  at: number,
  ssrc: number,
  sender: RtcpSenderInfo,
  blocks: readonly RtcpReportBlock[],
): number {
  const words = 6 + blocks.length * 6; // length field: 32-bit words minus one
  header(buf, at, blocks.length, RTCP_SR, words);
  put32(buf, at + 4, ssrc);
  put32(buf, at + 8, sender.ntpSeconds);
  put32(buf, at + 12, sender.ntpFraction);
  put32(buf, at + 16, sender.rtpTimestamp);
  put32(buf, at + 20, sender.packetCount);
  put32(buf, at + 24, sender.octetCount);
  return writeBlocks(buf, at + 28, blocks);
}

/** Writes an RR at buf[at]; returns the offset after it. */
export function writeReceiverReport(
  buf: Uint8Array,
  at: number,
  ssrc: number,
  blocks: readonly RtcpReportBlock[],
): number {
  header(buf, at, blocks.length, RTCP_RR, 1 + blocks.length * 6);
  put32(buf, at + 4, ssrc);
  return writeBlocks(buf, at + 8, blocks);
}

/** Writes an SDES packet with one chunk holding a CNAME item (section 6.5.1). */
export function writeSdesCname(buf: Uint8Array, at: number, ssrc: number, cname: string): number {
  const text = Buffer.from(cname, 'utf8').subarray(0, 255);
  // chunk = SSRC + item (type, length, text) + at least one null octet, padded to 32 bits.
  const itemBytes = 2 + text.length;
  const chunkBytes = 4 + Math.ceil((itemBytes + 1) / 4) * 4;
  header(buf, at, 1, RTCP_SDES, chunkBytes / 4);
  put32(buf, at + 4, ssrc);
  buf[at + 8] = 1; // CNAME
  buf[at + 9] = text.length;
  buf.set(text, at + 10);
  buf.fill(0, at + 10 + text.length, at + 4 + chunkBytes);
  return at + 4 + chunkBytes;
}

/** Writes a BYE for one SSRC (section 6.6), with an optional reason. */
export function writeBye(buf: Uint8Array, at: number, ssrc: number, reason?: string): number {
  let words = 1;
  let reasonBytes: Buffer | undefined;
  if (reason) {
    reasonBytes = Buffer.from(reason, 'utf8').subarray(0, 255);
    words += Math.ceil((1 + reasonBytes.length) / 4);
  }
  header(buf, at, 1, RTCP_BYE, words);
  put32(buf, at + 4, ssrc);
  if (reasonBytes) {
    buf[at + 8] = reasonBytes.length;
    buf.set(reasonBytes, at + 9);
    buf.fill(0, at + 9 + reasonBytes.length, at + 4 + words * 4);
  }
  return at + 4 + words * 4;
}

function readBlocks(buf: Uint8Array, at: number, count: number): RtcpReportBlock[] {
  const out: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    const word = get32(buf, at + 4);
    let lost = word & 0xffffff;
    if (lost & 0x800000) lost -= 0x1000000;
    out.push({
      ssrc: get32(buf, at),
      fractionLost: word >>> 24,
      cumulativeLost: lost,
      extendedHighestSequence: get32(buf, at + 8),
      jitter: get32(buf, at + 12),
      lastSr: get32(buf, at + 16),
      delaySinceLastSr: get32(buf, at + 20),
    });
  }
  return out;
}

function readSdes(buf: Uint8Array, at: number, end: number, count: number): { ssrc: number; cname: string | null }[] {
  const chunks: { ssrc: number; cname: string | null }[] = [];
  for (let c = 0; c < count && at + 4 <= end; c++) {
    const ssrc = get32(buf, at);
    let p = at + 4;
    let cname: string | null = null;
    while (p < end && buf[p] !== 0) {
      const type = buf[p] as number;
      const len = (buf[p + 1] ?? 0) as number;
      if (p + 2 + len > end) return chunks;
      if (type === 1) cname = Buffer.from(buf.buffer, buf.byteOffset + p + 2, len).toString('utf8');
      p += 2 + len;
    }
    // Skip the terminating null(s) up to the next 32-bit boundary (relative to the chunk start).
    p += 1;
    while ((p - at) % 4 !== 0) p++;
    chunks.push({ ssrc, cname });
    at = p;
  }
  return chunks;
}

/**
 * Parses a compound RTCP packet; null when it fails the appendix A.2 checks (version 2, the first
 * packet an SR or RR without padding, lengths adding up to the datagram size).
 */
export function parseRtcpCompound(buf: Uint8Array, length: number): RtcpPacket[] | null {
  if (length < 8) return null;
  const first = buf[1] as number;
  if (first !== RTCP_SR && first !== RTCP_RR) return null;
  if ((buf[0] as number) & 0x20) return null;
  const out: RtcpPacket[] = [];
  let at = 0;
  while (at < length) {
    if (at + 4 > length) return null;
    const b0 = buf[at] as number;
    if (b0 >> 6 !== 2) return null;
    const count = b0 & 0x1f;
    const type = buf[at + 1] as number;
    const bytes = ((((buf[at + 2] as number) << 8) | (buf[at + 3] as number)) + 1) * 4;
    const end = at + bytes;
    if (end > length) return null;
    if (type === RTCP_SR) {
      if (bytes < 28 + count * 24) return null;
      out.push({
        type: 'sr',
        ssrc: get32(buf, at + 4),
        sender: {
          ntpSeconds: get32(buf, at + 8),
          ntpFraction: get32(buf, at + 12),
          rtpTimestamp: get32(buf, at + 16),
          packetCount: get32(buf, at + 20),
          octetCount: get32(buf, at + 24),
        },
        reports: readBlocks(buf, at + 28, count),
      });
    } else if (type === RTCP_RR) {
      if (bytes < 8 + count * 24) return null;
      out.push({ type: 'rr', ssrc: get32(buf, at + 4), reports: readBlocks(buf, at + 8, count) });
    } else if (type === RTCP_SDES) {
      out.push({ type: 'sdes', chunks: readSdes(buf, at + 4, end, count) });
    } else if (type === RTCP_BYE) {
      const ssrcs: number[] = [];
      for (let i = 0; i < count && at + 8 + i * 4 <= end; i++) ssrcs.push(get32(buf, at + 4 + i * 4));
      const r = at + 4 + count * 4;
      let reason: string | null = null;
      if (r < end) {
        const len = buf[r] as number;
        if (r + 1 + len <= end) reason = Buffer.from(buf.buffer, buf.byteOffset + r + 1, len).toString('utf8');
      }
      out.push({ type: 'bye', ssrcs, reason });
    } else {
      out.push({ type: 'other', packetType: type });
    }
    at = end;
  }
  return out;
}
