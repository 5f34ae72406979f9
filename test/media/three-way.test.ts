import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createMediaSession,
  FrameTicker,
  type MediaSession,
  PhoneAudio,
  ToneDetector,
  ToneSource,
} from '../../src/media/index.js';
import { RealClock } from '../../src/util/index.js';
import { near, negotiate, waitFor } from './helpers.js';

const open: MediaSession[] = [];
after(async () => {
  await Promise.all(open.map((s) => s.stop()));
});

describe('3-way calling: phone B mixes the two RTP channels', () => {
  it('A hears C and C hears A through B; B hears both; release returns to one-to-one', async () => {
    // Phones A and C each have one call; phone B has two calls on one ticker and a local device.
    const a = await createMediaSession({ rtcpIntervalMs: 500 });
    const c = await createMediaSession({ rtcpIntervalMs: 500 });
    const ticker = new FrameTicker({ clock: new RealClock() });
    const bToA = await createMediaSession({ ticker, rtcpIntervalMs: 500 });
    const bToC = await createMediaSession({ ticker, rtcpIntervalMs: 500 });
    open.push(a, c, bToA, bToC);
    a.setSource(ToneSource.single(400, -12));
    c.setSource(ToneSource.single(1300, -12));
    const speaker = new ToneDetector();
    const phoneB = new PhoneAudio({ ticker, microphone: ToneSource.single(2200, -24), speaker });
    after(() => phoneB.close());
    negotiate(a, bToA);
    negotiate(bToC, c);
    for (const s of [a, c, bToA, bToC]) s.start();

    const level = (s: MediaSession, hz: number): number => s.toneDetector?.levelAt(hz) ?? Number.NEGATIVE_INFINITY;
    const present = (s: MediaSession, hz: number) => () => level(s, hz) > -20;
    const absent = (s: MediaSession, hz: number) => () => level(s, hz) < -45;

    // 1. B talks to A only: A hears B's microphone; C hears silence from B.
    phoneB.talkTo(bToA);
    await waitFor('A to hear B (2200 Hz)', () => level(a, 2200) > -30);
    await waitFor('A to hear no C', absent(a, 1300));
    // C's call is up (packets flow) but B sends it silence.
    const cPackets = c.stats().packetsReceived;
    await waitFor(
      'C to receive silence from B',
      () => c.stats().packetsReceived > cPackets + 15 && c.toneDetector?.reading.silent === true,
    );
    await waitFor("B's speaker to hear A only", () => near(speaker.reading.frequencyHz, 400, 10));

    // 2. Conference: everyone hears everyone else, nobody hears themselves.
    phoneB.conference([bToA, bToC]);
    assert.equal(phoneB.mode.kind, 'conference');
    await waitFor('A to hear C (1300 Hz) through B', present(a, 1300));
    await waitFor('C to hear A (400 Hz) through B', present(c, 400));
    await waitFor('A and C to hear B too', () => level(a, 2200) > -30 && level(c, 2200) > -30);
    assert.ok(absent(a, 400)(), 'A must not hear itself');
    assert.ok(absent(c, 1300)(), 'C must not hear itself');
    await waitFor("B's speaker to hear A and C", () => {
      const peaks = speaker.peaks(2).map((p) => Math.round(p.frequencyHz / 10) * 10);
      return peaks.includes(400) && peaks.includes(1300);
    });
    assert.ok(speaker.levelAt(2200) < -45, 'B must not hear its own microphone');
    // The mix keeps the sources' levels (summed, not attenuated): C's -12 dBFS arrives at A at
    // -12 dBFS after two G.711 hops, once the analysis window holds only conference audio.
    await waitFor('C at -12 dBFS at A', () => near(level(a, 1300), -12, 1));

    // 3. Release: B goes back to one-to-one with C; A no longer hears C.
    phoneB.talkTo(bToC);
    assert.equal(phoneB.mode.kind, 'one-to-one');
    await waitFor('A to stop hearing C', absent(a, 1300));
    await waitFor('C to stop hearing A', absent(c, 400));
    await waitFor('C to hear B', () => level(c, 2200) > -30);
    await waitFor("B's speaker to hear C only", () => near(speaker.reading.frequencyHz, 1300, 10));

    // 4. Detaching a call gives it back its own source.
    phoneB.detach(bToA);
    bToA.setSource(ToneSource.single(3000, -12));
    await waitFor('A to hear B-to-A own source', () => near(a.toneDetector?.reading.frequencyHz ?? null, 3000, 10));
  });
});
