import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, describe, it } from 'node:test';
import {
  CHANNEL_MEDIA_NEGOTIATED,
  CHANNEL_MEDIA_RTCP,
  CHANNEL_MEDIA_RTP,
  CHANNEL_MEDIA_STATE,
  createMediaSession,
  type DtmfDigitEvent,
  FrameTicker,
  type MediaSession,
  type MediaSessionOptions,
  newRtpHeader,
  parseRtpHeader,
  type ToneReading,
  ToneSource,
} from '../../src/media/index.js';
import { RealClock } from '../../src/util/index.js';
import { near, negotiate, settle, UdpRelay, waitFor } from './helpers.js';

const open: MediaSession[] = [];
after(async () => {
  await Promise.all(open.map((s) => s.stop()));
});

async function session(options: MediaSessionOptions = {}): Promise<MediaSession> {
  const s = await createMediaSession({ rtcpIntervalMs: 300, ...options });
  open.push(s);
  return s;
}

/** A and B with tones of 440 and 1000 Hz, negotiated and started. */
async function talkingPair(
  optionsA: MediaSessionOptions = {},
  optionsB: MediaSessionOptions = {},
): Promise<{ a: MediaSession; b: MediaSession }> {
  const a = await session(optionsA);
  const b = await session(optionsB);
  a.setSource(ToneSource.single(440, -10));
  b.setSource(ToneSource.single(1000, -14));
  negotiate(a, b);
  a.start();
  b.start();
  return { a, b };
}

const hears = (s: MediaSession, hz: number) => () => near(s.toneDetector?.reading.frequencyHz ?? null, hz, 10);
const silent = (s: MediaSession) => () => s.toneDetector?.reading.silent === true;

describe('MediaSession on loopback', () => {
  it('two sessions sending different tones each detect the other (frequency and level)', async () => {
    const changes: ToneReading[] = [];
    const { a, b } = await talkingPair();
    b.on('toneChange', (r) => changes.push(r));
    // Frequency and level over a whole window of received audio (not the buffering silence).
    await waitFor('A to hear 1000 Hz at -14 dBFS', () => hears(a, 1000)() && near(a.stats().levelDbfs, -14, 1));
    await waitFor('B to hear 440 Hz at -10 dBFS', () => hears(b, 440)() && near(b.stats().levelDbfs, -10, 1));
    await waitFor('a toneChange event for 440 Hz at B', () => changes.some((c) => near(c.frequencyHz, 440, 10)));
    // A report carries a round-trip time once the reporter has seen an SR of ours (LSR != 0).
    await waitFor(
      'RTCP reports with RTT both ways',
      () => a.stats().lastRtcp?.rttMs != null && b.stats().lastRtcp?.rttMs != null,
    );
    const s = a.stats();
    assert.equal(s.codec, 'PCMU');
    assert.equal(s.lastRtcp?.cumulativeLost, 0);
    assert.ok((s.lastRtcp?.rttMs ?? -1) >= 0 && (s.lastRtcp?.rttMs ?? 1e9) < 1000, `rtt ${s.lastRtcp?.rttMs}`);
    assert.ok(s.packetsSent > 0 && s.bytesSent === s.packetsSent * 172);
    assert.equal(s.lost, 0);
  });

  it('negotiates PCMA when the offer prefers it, and the audio survives A-law', async () => {
    const { a, b } = await talkingPair({ codecs: ['PCMA', 'PCMU'] });
    assert.equal(a.codec, 'PCMA');
    assert.equal(b.codec, 'PCMA');
    await waitFor('B to hear 440 Hz over PCMA', hears(b, 440));
  });

  for (const holdStyle of ['rfc3264', 'rfc2543'] as const) {
    it(`hold (${holdStyle === 'rfc3264' ? 'a=sendonly' : 'c=0.0.0.0'}) stops RTP both ways; resume restarts it`, async () => {
      const { a, b } = await talkingPair({ holdStyle });
      await waitFor('audio both ways', () => hears(a, 1000)() && hears(b, 440)());
      const { offer, answer } = negotiate(a, b, a.hold());
      assert.match(offer, holdStyle === 'rfc3264' ? /a=sendonly/ : /c=IN IP4 0\.0\.0\.0/);
      assert.match(answer, /a=recvonly/);
      assert.deepEqual([a.localHold, a.remoteHold, b.localHold, b.remoteHold], [true, false, false, true]);
      assert.deepEqual([a.sending, a.receiving, b.sending, b.receiving], [false, false, false, true]);
      // Nothing moves any more, in either direction.
      const aSent = await settle(() => a.stats().packetsSent);
      const bSent = await settle(() => b.stats().packetsSent);
      const aReceived = a.stats().packetsReceived;
      const bReceived = b.stats().packetsReceived;
      await waitFor('B to hear silence', silent(b));
      await waitFor('A to hear silence', silent(a));
      const later = await settle(() => a.stats().packetsSent + b.stats().packetsSent, 400);
      assert.equal(later, aSent + bSent);
      assert.equal(a.stats().packetsReceived, aReceived);
      assert.equal(b.stats().packetsReceived, bReceived);
      // Resume: both directions flow again.
      const resumed = negotiate(a, b, a.resume());
      assert.match(resumed.offer, /a=sendrecv/);
      assert.deepEqual([a.localHold, b.remoteHold, a.sending, b.sending], [false, false, true, true]);
      await waitFor(
        'packets again both ways',
        () => a.stats().packetsSent > aSent + 10 && b.stats().packetsSent > bSent + 10,
      );
      await waitFor('audio again both ways', () => hears(a, 1000)() && hears(b, 440)());
    });
  }

  it('a held peer hears the hold source (music on hold) when one is set', async () => {
    const { a, b } = await talkingPair();
    a.setHoldSource(ToneSource.single(600, -12));
    negotiate(a, b, a.hold());
    assert.equal(a.sending, true);
    assert.equal(a.receiving, false);
    await waitFor('B to hear the hold tone', hears(b, 600));
    await waitFor('A to hear nothing', silent(a));
  });

  it('inactive hold: nothing either way, RTCP still flows', async () => {
    const { a, b } = await talkingPair();
    negotiate(a, b, a.hold('inactive'));
    assert.deepEqual([a.sending, a.receiving, b.sending, b.receiving], [false, false, false, false]);
    const rtcpBefore = b.stats().rtcpReceived;
    await waitFor('RTCP during hold', () => b.stats().rtcpReceived > rtcpBefore + 1);
  });

  it('sends DTMF digits that arrive once each, in order, with their duration', async () => {
    const { a, b } = await talkingPair({ dtmf: { durationMs: 100, gapMs: 60 } });
    const got: DtmfDigitEvent[] = [];
    b.on('dtmf', (e) => got.push(e));
    await waitFor('audio', hears(b, 440));
    assert.equal(a.sendDtmf('19#*0D'), true);
    await waitFor('six digits', () => got.length >= 6 && a.stats().dtmfSent === 6);
    assert.equal(got.map((e) => e.digit).join(''), '19#*0D');
    for (const e of got) {
      assert.equal(e.durationMs, 100);
      assert.equal(e.endLost, false);
    }
    assert.equal(a.stats().dtmfSent, 6);
    // The audio resumes after the digits.
    await waitFor('audio after DTMF', hears(b, 440));
  });

  it('reports induced loss in RTCP (RFC 3550 A.3) and jitter (A.8) through a lossy, bunching relay', async () => {
    const a = await session();
    const b = await session();
    a.setSource(ToneSource.single(440, -10));
    b.setSource(ToneSource.single(1000, -10));
    // A -> relay -> B drops every 5th packet and releases the rest in pairs; B -> A is direct.
    const relay = await UdpRelay.open(
      { address: '127.0.0.1', port: b.rtpPort },
      { dropRtp: (n) => n % 5 === 4, pairUp: true },
    );
    after(() => relay.close());
    negotiate(a, b, a.createOffer(), (answer) => answer.replace(`m=audio ${b.rtpPort} `, `m=audio ${relay.port} `));
    a.start();
    b.start();
    await waitFor('20 dropped packets', () => relay.dropped >= 20, 10_000);
    // B's count (A.3) agrees with what the relay dropped (the newest drop may not be visible yet).
    const lost = b.stats().lost;
    assert.ok(lost >= relay.dropped - 2 && lost <= relay.dropped, `lost ${lost}, dropped ${relay.dropped}`);
    // A learns it from B's receiver reports: fraction lost about 10 %.
    const ratio = b.stats().lost / b.stats().expected;
    assert.ok(ratio > 0.17 && ratio < 0.23, `loss ratio ${ratio}`);
    await waitFor('an RR showing loss', () => (a.stats().lastRtcp?.cumulativeLost ?? 0) >= 8);
    const report = a.stats().lastRtcp;
    // Fraction lost over one report interval (a dozen packets or so): 20 %, give or take the
    // drop that falls on either side of an interval boundary.
    assert.ok(report && report.fractionLost > 0.05 && report.fractionLost < 0.35, `fraction ${report?.fractionLost}`);
    // Packets released in pairs: transit alternates by 20 ms, so the A.8 estimate is near 20 ms.
    const jitter = b.stats().jitterMs;
    assert.ok(jitter > 8 && jitter < 40, `jitter ${jitter} ms`);
    assert.ok(b.stats().jitterBuffer.framesConcealed > 0);
    await waitFor('B still hears A', hears(b, 440));
  });

  it('latches to the source address of received RTP when the SDP address is wrong', async () => {
    const a = await session();
    const b = await session({ latch: true });
    a.setSource(ToneSource.single(440, -10));
    b.setSource(ToneSource.single(1000, -10));
    // B is told A is at a port where nothing listens; A sends from its real port.
    const offer = a.createOffer().replace(`m=audio ${a.rtpPort} `, 'm=audio 9 ');
    negotiate(a, b, offer);
    a.start();
    b.start();
    await waitFor('A to hear B after B latched', hears(a, 1000));
  });

  it('answers an offer without a common codec with 488 and the configured Warning', async () => {
    const b = await session({ codecs: ['PCMA'], noCommonCodecWarning: 305 });
    const c = await session({ codecs: ['PCMA'] });
    for (const [answerer, code] of [
      [b, 305],
      [c, 304],
    ] as const) {
      const a = await session({ codecs: ['PCMU'] });
      const r = answerer.receiveOffer(a.createOffer());
      assert.equal(r.ok, false);
      if (r.ok) continue;
      assert.equal(r.status, 488);
      assert.equal(r.warning?.code, code);
      assert.equal(answerer.offerAnswerState, 'stable');
      assert.equal(answerer.negotiated, null);
    }
  });

  it('handles glare (491) and rollback at the session level', async () => {
    const a = await session();
    const b = await session();
    negotiate(a, b);
    const offerB = b.hold();
    a.hold();
    const r = a.receiveOffer(offerB);
    assert.equal(r.ok === false && r.status, 491);
    a.rollback();
    b.rollback();
    assert.equal(a.localHold, false);
    negotiate(b, a, b.hold());
    assert.equal(a.remoteHold, true);
  });

  it('stops idempotently with an RTCP BYE the peer sees', async () => {
    const { a, b } = await talkingPair();
    await waitFor('audio', hears(b, 440));
    const stopped: { bye: boolean }[] = [];
    b.on('rtpStopped', (e) => stopped.push(e));
    const p1 = a.stop();
    assert.equal(a.stop(), p1);
    await p1;
    assert.equal(a.state, 'stopped');
    await waitFor('rtpStopped at B', () => stopped.length > 0);
    assert.equal(stopped[0]?.bye, true);
  });

  it('shares one ticker between sessions', async () => {
    const ticker = new FrameTicker({ clock: new RealClock() });
    const { a, b } = await talkingPair({ ticker }, { ticker });
    assert.equal(ticker.size, 2);
    await waitFor('audio', () => hears(a, 1000)() && hears(b, 440)());
    await a.stop();
    await b.stop();
    assert.equal(ticker.running, false);
  });

  it('works over IPv6 loopback (c=IN IP6 ::1)', async (t) => {
    let a: MediaSession;
    try {
      a = await session({ localAddress: '::1' });
    } catch {
      t.skip('no IPv6 loopback');
      return;
    }
    const b = await session({ localAddress: '::1' });
    a.setSource(ToneSource.single(440, -10));
    b.setSource(ToneSource.single(1000, -10));
    const { offer } = negotiate(a, b);
    assert.match(offer, /c=IN IP6 ::1/);
    a.start();
    b.start();
    await waitFor('tones over IPv6', () => hears(a, 1000)() && hears(b, 440)());
  });
});

describe('media diagnostics channels', () => {
  it('publishes state, negotiation, and every RTP/RTCP packet with both addresses', async () => {
    const seen: Record<string, unknown[]> = { state: [], negotiated: [], rtp: [], rtcp: [] };
    const subs: [string, (m: unknown) => void][] = [
      [CHANNEL_MEDIA_STATE, (m) => seen.state?.push(m)],
      [CHANNEL_MEDIA_NEGOTIATED, (m) => seen.negotiated?.push(m)],
      [CHANNEL_MEDIA_RTP, (m) => seen.rtp?.push(m)],
      [CHANNEL_MEDIA_RTCP, (m) => seen.rtcp?.push(m)],
    ];
    for (const [name, fn] of subs) subscribe(name, fn);
    try {
      const { a, b } = await talkingPair();
      await waitFor('RTP and RTCP on the channels', () => (seen.rtp?.length ?? 0) > 20 && (seen.rtcp?.length ?? 0) > 2);
      const mine = (seen.rtp as { direction: string; local: { port: number }; bytes: Buffer }[]).filter(
        (e) => e.local.port === a.rtpPort,
      );
      assert.ok(mine.some((e) => e.direction === 'tx') && mine.some((e) => e.direction === 'rx'));
      const h = newRtpHeader();
      for (const e of mine) assert.ok(parseRtpHeader(e.bytes, e.bytes.length, h));
      assert.ok(
        (seen.state as { local: { port: number }; state: string }[]).some(
          (e) => e.local.port === b.rtpPort && e.state === 'started',
        ),
      );
      assert.ok((seen.negotiated as { codec: string }[]).some((e) => e.codec === 'PCMU'));
    } finally {
      for (const [name, fn] of subs) unsubscribe(name, fn);
    }
  });
});
