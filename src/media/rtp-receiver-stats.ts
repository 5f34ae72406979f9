/**
 * Per-source reception statistics, exactly as RFC 3550 appendix A computes them:
 * A.1 sequence number validation and extension (probation, MAX_DROPOUT, MAX_MISORDER, cycles),
 * A.3 expected and lost packets, cumulative and per report interval (fraction lost),
 * A.8 interarrival jitter J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16 in timestamp units.
 */

const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;

/** What an RTCP report block (RFC 3550 section 6.4.1) says about one source. */
export interface ReceptionReport {
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSequence: number;
  jitter: number;
}

export class RtpReceiverStats {
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation = MIN_SEQUENTIAL;
  /** Valid packets received (A.1 "received"). */
  received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit = 0;
  private haveTransit = false;
  /** Interarrival jitter in timestamp units, scaled by 16 as in A.8's integer form. */
  private jitterQ4 = 0;
  private started = false;

  /** Restarts for a new source (new SSRC, RFC 3550 section 8.2). */
  reset(): void {
    this.maxSeq = 0;
    this.cycles = 0;
    this.baseSeq = 0;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.probation = MIN_SEQUENTIAL;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.transit = 0;
    this.haveTransit = false;
    this.jitterQ4 = 0;
    this.started = false;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /**
   * A.1 update_seq: returns true when the packet is valid and should be used. A new source is on
   * probation until MIN_SEQUENTIAL packets arrive in sequence.
   */
  updateSeq(seq: number): boolean {
    if (!this.started) {
      this.started = true;
      this.initSeq(seq);
      this.maxSeq = seq - 1;
      this.probation = MIN_SEQUENTIAL;
    }
    const udelta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (this.probation > 0) {
      // Source is not valid until MIN_SEQUENTIAL packets with sequential numbers have been received.
      if (seq === (this.maxSeq + 1) % RTP_SEQ_MOD) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          // As in A.1, counting starts at the packet that ends probation.
          this.initSeq(seq);
          this.received++;
          return true;
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return false;
    }
    if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // The sequence number made a very large jump.
      if (seq === this.badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    }
    // else: duplicate or reordered packet; counted as received.
    this.received++;
    return true;
  }

  /** A.8: arrival and timestamp in the same units (samples at the payload clock rate). */
  updateJitter(rtpTimestamp: number, arrival: number): void {
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.haveTransit) {
      let d = (transit - this.transit) | 0;
      if (d < 0) d = -d;
      // Integer form of A.8: jitter += |d| - ((jitter + 8) >> 4), kept scaled by 16.
      this.jitterQ4 += d - ((this.jitterQ4 + 8) >> 4);
    }
    this.transit = transit;
    this.haveTransit = true;
  }

  get extendedHighestSequence(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.started && this.probation === 0 ? this.extendedHighestSequence - this.baseSeq + 1 : 0;
  }

  /** Cumulative packets lost (A.3); negative when duplicates outnumber losses. */
  get cumulativeLost(): number {
    return this.expected - this.received;
  }

  /** Interarrival jitter in timestamp units (A.8 "s->jitter >> 4"). */
  get jitter(): number {
    return this.jitterQ4 >> 4;
  }

  /**
   * A.3: the report for one RTCP interval. Advances the interval (expected_prior, received_prior),
   * so call it once per report sent.
   */
  takeReport(): ReceptionReport {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    // The cumulative count is a 24-bit signed field (section 6.4.1): clamp.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, this.cumulativeLost));
    return {
      fractionLost: Math.min(255, fraction),
      cumulativeLost: lost,
      extendedHighestSequence: this.extendedHighestSequence >>> 0,
      jitter: this.jitter >>> 0,
    };
  }
}
