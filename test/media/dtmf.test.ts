import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DtmfDigitError,
  type DtmfDigitEvent,
  DtmfReceiver,
  DtmfSender,
  dtmfDigit,
  dtmfEventCode,
} from '../../src/media/index.js';

interface Sent {
  tick: number;
  marker: boolean;
  timestamp: number;
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

function run(sender: DtmfSender, ticks: number, ts0 = 1000): (Sent | null)[] {
  const buf = new Uint8Array(16);
  const out: (Sent | null)[] = [];
  for (let t = 0; t < ticks; t++) {
    const p = sender.next(ts0 + t * 160, buf, 12);
    out.push(
      p
        ? {
            tick: t,
            marker: p.marker,
            timestamp: p.timestamp,
            event: buf[12] as number,
            end: ((buf[13] as number) & 0x80) !== 0,
            volume: (buf[13] as number) & 0x3f,
            duration: ((buf[14] as number) << 8) | (buf[15] as number),
          }
        : null,
    );
  }
  return out;
}

describe('RFC 4733 event codes', () => {
  it('maps 0-9 * # A-D and flash to events 0-16 and back', () => {
    const digits = '0123456789*#ABCD!';
    for (let i = 0; i < digits.length; i++) {
      assert.equal(dtmfEventCode(digits[i] as string), i);
      assert.equal(dtmfDigit(i), digits[i]);
    }
    assert.equal(dtmfEventCode('a'), 12);
    assert.equal(dtmfEventCode('x'), undefined);
    assert.equal(dtmfDigit(17), null);
  });
});

describe('DTMF sender', () => {
  it('sends marker-first updates with one timestamp, growing duration, three end packets, then a gap', () => {
    const s = new DtmfSender({ durationMs: 100, gapMs: 40, volume: 10 });
    s.enqueue('5#');
    const packets = run(s, 20);
    const first = packets.slice(0, 7);
    assert.deepEqual(
      first.map((p) => p && [p.marker, p.timestamp, p.event, p.end, p.duration]),
      [
        [true, 1000, 5, false, 160],
        [false, 1000, 5, false, 320],
        [false, 1000, 5, false, 480],
        [false, 1000, 5, false, 640],
        [false, 1000, 5, true, 800],
        [false, 1000, 5, true, 800],
        [false, 1000, 5, true, 800],
      ],
    );
    assert.ok(first.every((p) => p?.volume === 10));
    // 40 ms of audio (two ticks), then '#' starts at the timestamp of its own tick.
    assert.deepEqual(packets.slice(7, 9), [null, null]);
    assert.deepEqual([packets[9]?.marker, packets[9]?.event, packets[9]?.timestamp], [true, 11, 1000 + 9 * 160]);
    assert.equal(s.sent, 2);
    assert.equal(s.pending, 0);
  });

  it('refuses non-digits without queueing any', () => {
    const s = new DtmfSender();
    assert.throws(() => s.enqueue('12x'), DtmfDigitError);
    assert.equal(s.pending, 0);
  });
});

describe('DTMF receiver', () => {
  function packet(event: number, end: boolean, duration: number): Uint8Array {
    return Uint8Array.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
  }

  it('reports each digit once, at its end, with its duration', () => {
    const got: DtmfDigitEvent[] = [];
    const r = new DtmfReceiver((e) => got.push(e));
    for (const [i, d] of [160, 320, 480, 640, 800].entries()) r.onPacket(5000, packet(1, false, d), 0, 4, i * 20);
    assert.equal(got.length, 0);
    for (let k = 0; k < 3; k++) r.onPacket(5000, packet(1, true, 800), 0, 4, 100 + k * 20);
    assert.deepEqual(got, [{ digit: '1', event: 1, durationMs: 100, volume: 10, endLost: false }]);
  });

  it('ends an event whose end packets were lost: on the next event, or by timeout', () => {
    const got: DtmfDigitEvent[] = [];
    const r = new DtmfReceiver((e) => got.push(e), 300);
    r.onPacket(1000, packet(2, false, 480), 0, 4, 0);
    r.onPacket(3000, packet(3, false, 160), 0, 4, 200);
    assert.deepEqual(
      got.map((e) => [e.digit, e.endLost, e.durationMs]),
      [['2', true, 60]],
    );
    r.poll(400);
    assert.equal(got.length, 1);
    r.poll(600);
    assert.deepEqual(
      got.map((e) => e.digit),
      ['2', '3'],
    );
    // A late retransmission of an end already reported changes nothing.
    r.onPacket(1000, packet(2, true, 800), 0, 4, 700);
    assert.equal(got.length, 2);
  });
});
