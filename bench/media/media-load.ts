/**
 * Media load runs: N one-way G.711 streams (N sessions in pairs, each encoding, sending,
 * receiving, decoding and tone-detecting at 50 packets per second), or M 3-way bridges (phones A
 * and C, and phone B mixing its two calls with its local device: 4 streams and one N-1 mix per
 * bridge), all on one FrameTicker in this process.
 *
 * A run is "late" (fails) when any of these holds over the measured interval:
 *   - more than 5 % of ticks ran more than 10 ms after their scheduled time;
 *   - packet loss (RFC 3550 A.3, all streams) above 0.1 %;
 *   - a detector does not hear what it should (wrong frequency at the end of the run).
 */
import {
  createMediaSession,
  FrameTicker,
  type MediaSession,
  PhoneAudio,
  ToneDetector,
  WavPlayer,
} from '../../src/media/index.js';
import { RealClock } from '../../src/util/index.js';

export interface LoadResult {
  units: number;
  streams: number;
  ticks: number;
  lateFraction: number;
  maxLatenessMs: number;
  lossFraction: number;
  detectFailures: number;
  cpuUtilisation: number;
  ok: boolean;
}

const clock = new RealClock();
const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));

/** A 1-second looping tone buffer: integer frequencies repeat exactly every 8000 samples. */
function loopingTone(hz: number, dbfs = -12): WavPlayer {
  const samples = new Int16Array(8000);
  const amp = 32767 * 10 ** (dbfs / 20);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000));
  return new WavPlayer({ format: 'pcm16', sampleRate: 8000, channels: 1, samples }, { loop: true });
}

/** Distinct tone frequencies 300..3300 Hz, 20 Hz apart (well above the detector's resolution). */
function toneFor(i: number): number {
  return 300 + ((i * 20) % 3000);
}

function negotiate(offerer: MediaSession, answerer: MediaSession): void {
  const r = answerer.receiveOffer(offerer.createOffer());
  if (!r.ok) throw new Error(`offer refused: ${r.reason}`);
  const a = offerer.receiveAnswer(r.answer);
  if (!a.ok) throw new Error(`answer refused: ${a.detail}`);
}

async function measure(
  ticker: FrameTicker,
  sessions: MediaSession[],
  seconds: number,
  check: () => number,
  units: number,
  streams: number,
): Promise<LoadResult> {
  await sleep(1000); // warm-up: jitter buffers fill, detectors settle, JIT compiles
  ticker.resetStats();
  const before = sessions.map((s) => s.stats());
  const cpu0 = process.cpuUsage();
  const t0 = clock.now();
  await sleep(seconds * 1000);
  const elapsed = (clock.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = sessions.map((s) => s.stats());
  const t = ticker.stats();
  let lost = 0;
  let expected = 0;
  after.forEach((a, i) => {
    const b = before[i];
    if (!b) return;
    lost += Math.max(0, a.lost - b.lost);
    expected += a.expected - b.expected;
  });
  const detectFailures = check();
  const lateFraction = t.ticks === 0 ? 1 : t.lateTicks / t.ticks;
  const lossFraction = expected === 0 ? 1 : lost / expected;
  return {
    units,
    streams,
    ticks: t.ticks,
    lateFraction,
    maxLatenessMs: t.maxLatenessMs,
    lossFraction,
    detectFailures,
    cpuUtilisation: (cpu.user + cpu.system) / 1e6 / elapsed,
    ok: lateFraction <= 0.05 && lossFraction <= 0.001 && detectFailures === 0,
  };
}

/** N one-way streams: N sessions in pairs, all talking. */
export async function runStreams(n: number, seconds: number): Promise<LoadResult> {
  const ticker = new FrameTicker({ clock });
  const sessions: MediaSession[] = [];
  try {
    for (let i = 0; i < n; i++) sessions.push(await createMediaSession({ ticker, clock, rtcpIntervalMs: 5000 }));
    for (let i = 0; i + 1 < n; i += 2) {
      const a = sessions[i] as MediaSession;
      const b = sessions[i + 1] as MediaSession;
      a.setSource(loopingTone(toneFor(i)));
      b.setSource(loopingTone(toneFor(i + 1)));
      negotiate(a, b);
    }
    for (const s of sessions) s.start();
    const check = (): number => {
      let failures = 0;
      sessions.forEach((s, i) => {
        const peer = i % 2 === 0 ? i + 1 : i - 1;
        const hz = s.toneDetector?.reading.frequencyHz ?? null;
        if (hz === null || Math.abs(hz - toneFor(peer)) > 10) failures++;
      });
      return failures;
    };
    return await measure(ticker, sessions, seconds, check, n, n);
  } finally {
    await Promise.all(sessions.map((s) => s.stop()));
  }
}

/** M 3-way bridges: A <-> B <-> C with B mixing (4 streams and one N-1 mix each). */
export async function runBridges(m: number, seconds: number): Promise<LoadResult> {
  const ticker = new FrameTicker({ clock });
  const sessions: MediaSession[] = [];
  const phones: PhoneAudio[] = [];
  const checks: (() => boolean)[] = [];
  try {
    for (let k = 0; k < m; k++) {
      const fa = toneFor(3 * k);
      const fc = toneFor(3 * k + 1);
      const fb = toneFor(3 * k + 2);
      const a = await createMediaSession({ ticker, clock });
      const c = await createMediaSession({ ticker, clock });
      const bToA = await createMediaSession({ ticker, clock, toneDetector: false });
      const bToC = await createMediaSession({ ticker, clock, toneDetector: false });
      sessions.push(a, c, bToA, bToC);
      a.setSource(loopingTone(fa));
      c.setSource(loopingTone(fc));
      const speaker = new ToneDetector();
      const phone = new PhoneAudio({ ticker, microphone: loopingTone(fb, -24), speaker });
      phones.push(phone);
      negotiate(a, bToA);
      negotiate(bToC, c);
      phone.conference([bToA, bToC]);
      checks.push(
        () =>
          (a.toneDetector?.levelAt(fc) ?? -100) > -20 &&
          (c.toneDetector?.levelAt(fa) ?? -100) > -20 &&
          speaker.levelAt(fa) > -20 &&
          speaker.levelAt(fc) > -20,
      );
    }
    for (const s of sessions) s.start();
    const check = (): number => checks.filter((c) => !c()).length;
    return await measure(ticker, sessions, seconds, check, m, 4 * m);
  } finally {
    for (const p of phones) p.close();
    await Promise.all(sessions.map((s) => s.stop()));
  }
}
