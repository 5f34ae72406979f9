/**
 * RTP payload formats of an m= section: the a=rtpmap and a=fmtp attributes (RFC 8866 sections
 * 6.6 and 6.15) joined with the static payload types of RFC 3551 section 6 (table 4), which a
 * body may list without an rtpmap. Only the audio codecs Switchboard speaks are named as such:
 * PCMU (static 0) and PCMA (static 8) of ITU-T G.711, and RFC 4733 telephone-event (dynamic).
 */
import { findAttributes, type SdpMedia } from './sdp-model.js';

export interface PayloadFormat {
  payloadType: number;
  /** Encoding name as written (case preserved); compare with sameEncoding(). */
  encoding: string;
  clockRate: number;
  channels?: number;
  /** The a=fmtp parameters for this payload type, when present. */
  fmtp?: string;
}

export type AudioCodecName = 'PCMU' | 'PCMA';

/** G.711 payload types are static (RFC 3551 table 4). */
export const STATIC_PAYLOAD_TYPE: Readonly<Record<AudioCodecName, number>> = { PCMU: 0, PCMA: 8 };

/** RFC 3551 table 4: the static audio payload types. */
const STATIC_AUDIO: ReadonlyMap<number, { encoding: string; clockRate: number; channels?: number }> = new Map([
  [0, { encoding: 'PCMU', clockRate: 8000 }],
  [3, { encoding: 'GSM', clockRate: 8000 }],
  [4, { encoding: 'G723', clockRate: 8000 }],
  [5, { encoding: 'DVI4', clockRate: 8000 }],
  [6, { encoding: 'DVI4', clockRate: 16000 }],
  [7, { encoding: 'LPC', clockRate: 8000 }],
  [8, { encoding: 'PCMA', clockRate: 8000 }],
  [9, { encoding: 'G722', clockRate: 8000 }],
  [10, { encoding: 'L16', clockRate: 44100, channels: 2 }],
  [11, { encoding: 'L16', clockRate: 44100 }],
  [12, { encoding: 'QCELP', clockRate: 8000 }],
  [13, { encoding: 'CN', clockRate: 8000 }],
  [14, { encoding: 'MPA', clockRate: 90000 }],
  [15, { encoding: 'G728', clockRate: 8000 }],
  [16, { encoding: 'DVI4', clockRate: 11025 }],
  [17, { encoding: 'DVI4', clockRate: 22050 }],
  [18, { encoding: 'G729', clockRate: 8000 }],
]);

export function sameEncoding(a: string, b: string): boolean {
  // Encoding names are case-insensitive (RFC 4855 section 3).
  return a.toLowerCase() === b.toLowerCase();
}

/** Splits "<pt> <rest>" as used by a=rtpmap and a=fmtp; undefined when malformed. */
function ptAndRest(value: string): { pt: number; rest: string } | undefined {
  const m = /^(\d{1,3})\s+(.*)$/.exec(value);
  if (!m) return undefined;
  const pt = Number(m[1]);
  return pt <= 127 ? { pt, rest: (m[2] as string).trim() } : undefined;
}

/**
 * The payload formats of an RTP m= section in m= order. Formats that are neither static nor
 * described by an rtpmap are left out (they cannot be interpreted); non-numeric formats (non-RTP
 * protocols) are ignored.
 */
export function payloadFormats(media: SdpMedia): PayloadFormat[] {
  const rtpmaps = new Map<number, { encoding: string; clockRate: number; channels?: number }>();
  for (const v of findAttributes(media.attributes, 'rtpmap')) {
    const p = ptAndRest(v);
    if (!p) continue;
    const m = /^([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(p.rest);
    if (!m) continue;
    const entry: { encoding: string; clockRate: number; channels?: number } = {
      encoding: m[1] as string,
      clockRate: Number(m[2]),
    };
    if (m[3] !== undefined) entry.channels = Number(m[3]);
    rtpmaps.set(p.pt, entry);
  }
  const fmtps = new Map<number, string>();
  for (const v of findAttributes(media.attributes, 'fmtp')) {
    const p = ptAndRest(v);
    if (p) fmtps.set(p.pt, p.rest);
  }
  const out: PayloadFormat[] = [];
  for (const f of media.formats) {
    if (!/^\d{1,3}$/.test(f)) continue;
    const pt = Number(f);
    if (pt > 127) continue;
    // An rtpmap overrides the static table (RFC 8866 section 6.6 allows rtpmap for static types).
    const desc = rtpmaps.get(pt) ?? (media.type === 'audio' ? STATIC_AUDIO.get(pt) : undefined);
    if (!desc) continue;
    const pf: PayloadFormat = { payloadType: pt, encoding: desc.encoding, clockRate: desc.clockRate };
    if (desc.channels !== undefined) pf.channels = desc.channels;
    const fmtp = fmtps.get(pt);
    if (fmtp !== undefined) pf.fmtp = fmtp;
    out.push(pf);
  }
  return out;
}

/** The G.711 codec a payload format denotes, if any (8 kHz, mono). */
export function g711CodecOf(pf: PayloadFormat): AudioCodecName | undefined {
  if (pf.clockRate !== 8000 || (pf.channels !== undefined && pf.channels !== 1)) return undefined;
  if (sameEncoding(pf.encoding, 'PCMU')) return 'PCMU';
  if (sameEncoding(pf.encoding, 'PCMA')) return 'PCMA';
  return undefined;
}

/** True for RFC 4733 telephone-event at 8 kHz (the rate of the G.711 stream it accompanies). */
export function isTelephoneEvent(pf: PayloadFormat): boolean {
  return sameEncoding(pf.encoding, 'telephone-event') && pf.clockRate === 8000;
}
