/**
 * Options of createMediaSession() and their defaults: 127.0.0.1, ephemeral ports, PCMU then
 * PCMA, telephone-event 101 with events 0-16, ptime 20, RFC 3264 hold, Warning 304 for "no
 * common codec" (the Cisco phones of the seeds; 305 is RFC 3261's "Incompatible media format"),
 * RTCP every 5 s (RFC 3550 section 6.2 minimum), rtpStopped after 1 s without RTP.
 */
import type { AudioCodecName, HoldStyle, TelephoneEventConfig } from '../sdp/index.js';
import { type Clock, ConfigError, type Logger, nullLogger, RealClock } from '../util/index.js';
import type { AudioSource } from './audio-port.js';
import type { DtmfSenderOptions } from './dtmf.js';
import type { FrameTicker } from './frame-ticker.js';
import type { JitterBufferOptions } from './jitter-buffer.js';
import type { ToneDetectorOptions } from './tone-detector.js';

export interface MediaSessionOptions {
  /** Address to bind and to write in SDP (default 127.0.0.1; an IPv6 literal gives c=IN IP6). */
  localAddress?: string;
  /** RTP port range (RTCP = RTP + 1); default: ephemeral ports. */
  portRange?: { min: number; max: number };
  /** Codec preference (default ['PCMU', 'PCMA']). */
  codecs?: readonly AudioCodecName[];
  /** RFC 4733 telephone-event (default PT 101, events 0-16); null to offer none. */
  telephoneEvent?: TelephoneEventConfig | null;
  /** a=ptime; only 20 is supported for sending (G.711 in 160-sample frames). */
  ptime?: number;
  /** How our offers put the peer on hold (default 'rfc3264': a=sendonly/inactive; 'rfc2543': c=0.0.0.0). */
  holdStyle?: HoldStyle;
  /** SIP Warning code for an offer without a common codec (default 304, as the seeds' Cisco phones). */
  noCommonCodecWarning?: 304 | 305;
  /** Answer in the offerer's codec order (default true). */
  preferRemoteCodecOrder?: boolean;
  /** Follow the source address of received RTP (default false). */
  latch?: boolean;
  /** Minimum RTCP interval, ms (default 5000; tests use less). */
  rtcpIntervalMs?: number;
  /** rtpStopped after this long without RTP, ms (default 1000). */
  rtpTimeoutMs?: number;
  jitterBuffer?: JitterBufferOptions;
  dtmf?: DtmfSenderOptions;
  /** Tone detector on received audio (default on); false to disable. */
  toneDetector?: Omit<ToneDetectorOptions, 'onChange'> | false;
  /** Sent while we hold the peer (music on hold); default none = no RTP while holding. */
  holdSource?: AudioSource | null;
  /** SDES CNAME (default random, RFC 7022). */
  cname?: string;
  /** o= username (default "-"). */
  username?: string;
  /** s= (default "Switchboard"). */
  sessionName?: string;
  clock?: Clock;
  /** Share one ticker between all sessions and bridges of a phone (default: a private one). */
  ticker?: FrameTicker;
  logger?: Logger;
}

export interface ResolvedMediaSessionOptions {
  localAddress: string;
  portRange: { min: number; max: number } | undefined;
  codecs: readonly AudioCodecName[];
  telephoneEvent: TelephoneEventConfig | null;
  ptime: number;
  holdStyle: HoldStyle;
  noCommonCodecWarning: 304 | 305;
  preferRemoteCodecOrder: boolean;
  latch: boolean;
  rtcpIntervalMs: number;
  rtpTimeoutMs: number;
  jitterBuffer: JitterBufferOptions;
  dtmf: DtmfSenderOptions;
  toneDetector: Omit<ToneDetectorOptions, 'onChange'> | false;
  holdSource: AudioSource | null;
  cname: string | undefined;
  username: string;
  sessionName: string;
  clock: Clock;
  logger: Logger;
}

export function resolveMediaSessionOptions(o: MediaSessionOptions): ResolvedMediaSessionOptions {
  const codecs = o.codecs ?? ['PCMU', 'PCMA'];
  if (codecs.length === 0) throw new ConfigError('codecs', 'at least one codec is needed');
  const ptime = o.ptime ?? 20;
  if (ptime !== 20) throw new ConfigError('ptime', 'only 20 ms packetisation is supported');
  const te = o.telephoneEvent === undefined ? { payloadType: 101, events: '0-16' } : o.telephoneEvent;
  if (te && (te.payloadType < 96 || te.payloadType > 127)) {
    throw new ConfigError('telephoneEvent.payloadType', 'must be a dynamic payload type (96-127)');
  }
  return {
    localAddress: o.localAddress ?? '127.0.0.1',
    portRange: o.portRange,
    codecs,
    telephoneEvent: te,
    ptime,
    holdStyle: o.holdStyle ?? 'rfc3264',
    noCommonCodecWarning: o.noCommonCodecWarning ?? 304,
    preferRemoteCodecOrder: o.preferRemoteCodecOrder ?? true,
    latch: o.latch ?? false,
    rtcpIntervalMs: o.rtcpIntervalMs ?? 5000,
    rtpTimeoutMs: o.rtpTimeoutMs ?? 1000,
    jitterBuffer: o.jitterBuffer ?? {},
    dtmf: o.dtmf ?? {},
    toneDetector: o.toneDetector ?? {},
    holdSource: o.holdSource ?? null,
    cname: o.cname,
    username: o.username ?? '-',
    sessionName: o.sessionName ?? 'Switchboard',
    clock: o.clock ?? new RealClock(),
    logger: o.logger ?? nullLogger,
  };
}
