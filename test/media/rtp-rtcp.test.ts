import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  newRtpHeader,
  ntpFromWallMs,
  ntpMiddle32,
  parseRtcpCompound,
  parseRtpHeader,
  RtpReceiverStats,
  writeBye,
  writeReceiverReport,
  writeRtpHeader,
  writeSdesCname,
  writeSenderReport,
} from '../../src/media/index.js';

describe('RTP header (RFC 3550 section 5.1)', () => {
  it('writes and parses the fixed header', () => {
    const buf = new Uint8Array(172);
    writeRtpHeader(buf, true, 8, 0xfffe, 0xdeadbeef, 0x01020304);
    assert.deepEqual([...buf.subarray(0, 12)], [0x80, 0x88, 0xff, 0xfe, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    const h = newRtpHeader();
    assert.ok(parseRtpHeader(buf, buf.length, h));
    assert.deepEqual(h, {
      marker: true,
      payloadType: 8,
      sequence: 0xfffe,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      payloadOffset: 12,
      payloadLength: 160,
    });
  });

  it('skips CSRCs and a header extension and strips padding', () => {
    // V=2 P=1 X=1 CC=2; extension of 1 word; 3 padding bytes.
    const buf = new Uint8Array(12 + 8 + 4 + 4 + 10 + 3);
    buf[0] = 0x80 | 0x20 | 0x10 | 2;
    buf[1] = 0;
    buf[12 + 8 + 2] = 0;
    buf[12 + 8 + 3] = 1;
    buf[buf.length - 1] = 3;
    const h = newRtpHeader();
    assert.ok(parseRtpHeader(buf, buf.length, h));
    assert.equal(h.payloadOffset, 12 + 8 + 8);
    assert.equal(h.payloadLength, 10);
  });

  it('rejects what appendix A.1 says is not RTP', () => {
    const h = newRtpHeader();
    assert.equal(parseRtpHeader(new Uint8Array(11), 11, h), false); // too short
    const v1 = new Uint8Array(20);
    v1[0] = 0x40;
    assert.equal(parseRtpHeader(v1, 20, h), false); // version 1
    const rtcp = new Uint8Array(20);
    rtcp[0] = 0x80;
    rtcp[1] = 200; // SR: marker + PT 72
    assert.equal(parseRtpHeader(rtcp, 20, h), false);
    const pad = new Uint8Array(20);
    pad[0] = 0xa0;
    pad[19] = 30; // padding longer than the packet
    assert.equal(parseRtpHeader(pad, 20, h), false);
  });
});

describe('RTCP compound packets (RFC 3550 section 6)', () => {
  it('round-trips SR + SDES + BYE with a report block', () => {
    const buf = new Uint8Array(512);
    const block = {
      ssrc: 0xaabbccdd,
      fractionLost: 25,
      cumulativeLost: -3,
      extendedHighestSequence: 0x0001fff0,
      jitter: 77,
      lastSr: 0x12345678,
      delaySinceLastSr: 65536,
    };
    const sender = {
      ntpSeconds: 3900000000,
      ntpFraction: 0x80000000,
      rtpTimestamp: 1234,
      packetCount: 50,
      octetCount: 8000,
    };
    let at = writeSenderReport(buf, 0, 0x11111111, sender, [block]);
    assert.equal(at, 28 + 24);
    at = writeSdesCname(buf, at, 0x11111111, 'alice@example.com');
    at = writeBye(buf, at, 0x11111111, 'bye now');
    assert.equal(at % 4, 0);
    const parsed = parseRtcpCompound(buf, at);
    assert.deepEqual(parsed, [
      { type: 'sr', ssrc: 0x11111111, sender, reports: [block] },
      { type: 'sdes', chunks: [{ ssrc: 0x11111111, cname: 'alice@example.com' }] },
      { type: 'bye', ssrcs: [0x11111111], reason: 'bye now' },
    ]);
  });

  it('round-trips an empty RR and pads SDES to 32 bits for every CNAME length', () => {
    for (let len = 1; len < 12; len++) {
      const buf = new Uint8Array(128);
      const cname = 'x'.repeat(len);
      let at = writeReceiverReport(buf, 0, 7, []);
      at = writeSdesCname(buf, at, 7, cname);
      assert.equal(at % 4, 0);
      assert.deepEqual(parseRtcpCompound(buf, at), [
        { type: 'rr', ssrc: 7, reports: [] },
        { type: 'sdes', chunks: [{ ssrc: 7, cname }] },
      ]);
    }
  });

  it('fails the appendix A.2 checks: first packet not SR/RR, bad version, lengths not adding up', () => {
    const buf = new Uint8Array(64);
    const at = writeSdesCname(buf, 0, 1, 'a');
    assert.equal(parseRtcpCompound(buf, at), null);
    const rr = new Uint8Array(64);
    const n = writeReceiverReport(rr, 0, 1, []);
    assert.notEqual(parseRtcpCompound(rr, n), null);
    assert.equal(parseRtcpCompound(rr, n + 2), null);
    rr[0] = 0x40;
    assert.equal(parseRtcpCompound(rr, n), null);
  });

  it('converts wall time to NTP and takes the middle 32 bits', () => {
    const t = ntpFromWallMs(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    assert.equal(t.seconds, Date.UTC(2026, 0, 1) / 1000 + 2208988800);
    assert.equal(t.fraction, 0x80000000);
    assert.equal(ntpMiddle32(0x12345678, 0x9abcdef0), 0x56789abc);
  });
});

describe('reception statistics (RFC 3550 appendix A)', () => {
  function feed(stats: RtpReceiverStats, seqs: number[]): boolean[] {
    return seqs.map((s) => stats.updateSeq(s & 0xffff));
  }

  it('puts a new source on probation for MIN_SEQUENTIAL packets, then counts from there', () => {
    const s = new RtpReceiverStats();
    assert.deepEqual(feed(s, [100, 101, 102, 103]), [false, true, true, true]);
    assert.equal(s.received, 3);
    assert.equal(s.expected, 3);
    assert.equal(s.cumulativeLost, 0);
  });

  it('counts losses, and fraction lost per interval (A.3)', () => {
    const s = new RtpReceiverStats();
    const seqs: number[] = [];
    for (let i = 0; i < 101; i++) if (i % 10 !== 5) seqs.push(1000 + i);
    feed(s, seqs);
    // Probation consumed seq 1000; expected counts from 1001 to 1100 = 100; 10 were lost.
    assert.equal(s.expected, 100);
    assert.equal(s.cumulativeLost, 10);
    const r = s.takeReport();
    assert.equal(r.fractionLost, Math.floor((10 * 256) / 100));
    assert.equal(r.cumulativeLost, 10);
    feed(s, [1101, 1102, 1103, 1104]);
    assert.equal(s.takeReport().fractionLost, 0);
  });

  it('extends the sequence number across a wrap (cycles)', () => {
    const s = new RtpReceiverStats();
    const seqs = Array.from({ length: 20 }, (_, i) => 65530 + i);
    feed(s, seqs);
    assert.equal(s.extendedHighestSequence, 65536 + ((65530 + 19) & 0xffff));
    assert.equal(s.cumulativeLost, 0);
  });

  it('counts duplicates and reordering as received, not as loss', () => {
    const s = new RtpReceiverStats();
    feed(s, [10, 11, 12, 14, 13, 14, 15]);
    assert.equal(s.expected, 5); // 11..15
    assert.equal(s.received, 6);
    assert.equal(s.cumulativeLost, -1);
  });

  it('resynchronises after two sequential packets far away (a restarted sender)', () => {
    const s = new RtpReceiverStats();
    feed(s, [10, 11, 12]);
    assert.deepEqual(feed(s, [40000, 40001, 40002]), [false, true, true]);
    assert.equal(s.extendedHighestSequence, 40002);
  });

  it('computes the A.8 jitter: zero for a perfect stream, |D| for alternating transit', () => {
    const s = new RtpReceiverStats();
    for (let i = 0; i < 200; i++) s.updateJitter(i * 160, 5000 + i * 160);
    assert.equal(s.jitter, 0);
    const t = new RtpReceiverStats();
    // Transit alternates by 160 units (20 ms): J converges to 160.
    for (let i = 0; i < 400; i++) t.updateJitter(i * 160, 5000 + i * 160 + (i % 2) * 160);
    assert.ok(Math.abs(t.jitter - 160) <= 2, `jitter ${t.jitter}`);
  });
});
