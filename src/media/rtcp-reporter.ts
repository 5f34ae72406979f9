/**
 * RTCP for one RTP session (RFC 3550 section 6): when to report, what to report, and what the
 * peer's reports tell us.
 * - Interval (section 6.2, 6.3.1, appendix A.7): for a two-party voice call the bandwidth term is
 *   far below the minimum, so the interval is the minimum Tmin (5 s by default; the first report
 *   after Tmin/2), randomised over [0.5, 1.5] and divided by e - 3/2 = 1.21828 to compensate for
 *   the timer reconsideration bias, exactly as the appendix computes it.
 * - Type (section 6.4): an SR when we have sent RTP since the report before last, else an RR;
 *   followed by SDES with our CNAME (section 6.1: "each compound RTCP packet MUST include" it),
 *   and a BYE when leaving.
 * - Reception report block about the remote source: A.3 loss figures, A.8 jitter, and LSR/DLSR
 *   from the last SR it sent (section 6.4.1), from which the peer computes the round trip.
 * - From the peer's blocks about our SSRC: its view of our loss and jitter, and the round-trip
 *   time A - LSR - DLSR (section 6.4.1, figure 2).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../util/index.js';
import type { RemoteReport } from './media-session.js';
import {
  ntpFromWallMs,
  ntpMiddle32,
  ntpMiddle32FromWallMs,
  parseRtcpCompound,
  type RtcpReportBlock,
  writeBye,
  writeReceiverReport,
  writeSdesCname,
  writeSenderReport,
} from './rtcp-packet.js';
import type { RtpReceiver } from './rtp-receiver.js';
import type { RtpSender } from './rtp-sender.js';

const COMPENSATION = Math.E - 1.5;

export interface RtcpHandled {
  /** The remote source said BYE. */
  bye: boolean;
  /** It carried a report block about our stream. */
  report: boolean;
}

export class RtcpReporter {
  readonly cname: string;
  private nextAt: number | null = null;
  private lastSr: { middle: number; atMs: number } | null = null;
  private sentAtPreviousReport = 0;
  private sentAtReportBeforeLast = 0;
  remoteReport: RemoteReport | null = null;
  /** Fraction lost (0..1) in the last report we sent. */
  lastFractionLost = 0;
  sent = 0;
  received = 0;
  invalid = 0;

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    cname?: string,
  ) {
    // RFC 7022: a random, per-session CNAME is the privacy-friendly choice.
    this.cname = cname ?? `${randomBytes(8).toString('hex')}@switchboard`;
  }

  /** True when a report is due now; starts the schedule on first call. */
  due(nowMs: number): boolean {
    if (this.nextAt === null) {
      this.nextAt = nowMs + this.interval(true);
      return false;
    }
    return nowMs >= this.nextAt;
  }

  private interval(initial: boolean): number {
    const tmin = initial ? this.minIntervalMs / 2 : this.minIntervalMs;
    return (tmin * (0.5 + Math.random())) / COMPENSATION;
  }

  /** Builds the compound packet to send now (and schedules the next one). */
  build(sender: RtpSender, receiver: RtpReceiver, rtpTimestampNow: number, bye: boolean): Buffer {
    const now = this.clock.now();
    this.nextAt = now + this.interval(false);
    const buf = Buffer.alloc(256);
    const blocks: RtcpReportBlock[] = [];
    if (receiver.remoteSsrc !== null && receiver.stats.received > 0) {
      const r = receiver.stats.takeReport();
      this.lastFractionLost = r.fractionLost / 256;
      const lsr = this.lastSr;
      blocks.push({
        ssrc: receiver.remoteSsrc,
        ...r,
        lastSr: lsr ? lsr.middle : 0,
        delaySinceLastSr: lsr ? Math.round(((now - lsr.atMs) / 1000) * 65536) >>> 0 : 0,
      });
    }
    let at: number;
    const sentRecently = sender.packetsSent !== this.sentAtReportBeforeLast;
    if (sentRecently) {
      const ntp = ntpFromWallMs(this.clock.wallTime());
      at = writeSenderReport(
        buf,
        0,
        sender.ssrc,
        {
          ntpSeconds: ntp.seconds,
          ntpFraction: ntp.fraction,
          rtpTimestamp: rtpTimestampNow,
          packetCount: sender.packetsSent >>> 0,
          octetCount: sender.octetsSent >>> 0,
        },
        blocks,
      );
    } else {
      at = writeReceiverReport(buf, 0, sender.ssrc, blocks);
    }
    this.sentAtReportBeforeLast = this.sentAtPreviousReport;
    this.sentAtPreviousReport = sender.packetsSent;
    at = writeSdesCname(buf, at, sender.ssrc, this.cname);
    if (bye) at = writeBye(buf, at, sender.ssrc, 'session ended');
    this.sent++;
    return buf.subarray(0, at);
  }

  /** Takes a compound packet from the peer. */
  handle(msg: Uint8Array, length: number, ourSsrc: number, remoteSsrc: number | null): RtcpHandled {
    const packets = parseRtcpCompound(msg, length);
    const result: RtcpHandled = { bye: false, report: false };
    if (!packets) {
      this.invalid++;
      return result;
    }
    this.received++;
    const now = this.clock.now();
    for (const p of packets) {
      if (p.type === 'sr' && (remoteSsrc === null || p.ssrc === remoteSsrc)) {
        this.lastSr = { middle: ntpMiddle32(p.sender.ntpSeconds, p.sender.ntpFraction), atMs: now };
      }
      if (p.type === 'sr' || p.type === 'rr') {
        for (const b of p.reports) {
          if (b.ssrc !== ourSsrc) continue;
          let rttMs: number | null = null;
          if (b.lastSr !== 0) {
            const a = ntpMiddle32FromWallMs(this.clock.wallTime());
            const rtt = (a - b.lastSr - b.delaySinceLastSr) | 0;
            rttMs = rtt >= 0 ? (rtt * 1000) / 65536 : 0;
          }
          this.remoteReport = {
            fractionLost: b.fractionLost / 256,
            cumulativeLost: b.cumulativeLost,
            extendedHighestSequence: b.extendedHighestSequence,
            jitterMs: b.jitter / 8,
            rttMs,
            receivedAtMs: now,
          };
          result.report = true;
        }
      }
      if (p.type === 'bye' && remoteSsrc !== null && p.ssrcs.includes(remoteSsrc)) result.bye = true;
    }
    return result;
  }
}
