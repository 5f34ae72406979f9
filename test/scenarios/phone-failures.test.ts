/**
 * Seed 001 (Cisco SIP IP phone call flows), failed phone-to-phone calls: Called User is Busy
 * (Figure B-17: B is on another call with call waiting off) and Called User Does Not Answer
 * (Figure B-18: A's ring timeout sends CANCEL).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Scenario } from './harness.js';
import { expectLadder } from './ladder.js';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('seed 001: failed calls', () => {
  it('Called User is Busy (Figure B-17)', async () => {
    s = await Scenario.start({ A: {}, B: { callWaiting: false }, C: { autoAnswer: 0 } });
    // B is busy on a call with C.
    const busy = await s.phone('B').dial(s.uri('C'));
    assert.ok(busy.ok);
    await s.callState('B', busy.call.call, 'established');
    const r = await s.phone('A').dial(s.uri('B'));
    assert.ok(r.ok);
    const ended = await s.event('A', 'ended', (e) => e.call === r.call.call);
    assert.equal(ended.status, 486);
    assert.equal(ended.text, 'Busy Here');
    await s.sent('A->B ACK');
    expectLadder(s.wire, ['A->B INVITE', 'B->A 486', 'A->B ACK']);
    // B's call with C goes on undisturbed.
    await s.hears({ A: [], B: [1700], C: [1000] });
  });

  it('Called User Does Not Answer (Figure B-18)', async () => {
    s = await Scenario.start({ A: { ringTimeoutMs: 1500 }, B: {} });
    const r = await s.phone('A').dial(s.uri('B'));
    assert.ok(r.ok);
    await s.event('B', 'incoming');
    const ended = await s.event('A', 'ended', (e) => e.call === r.call.call);
    assert.equal(ended.reason, 'ring-timeout');
    const bEnded = await s.event('B', 'ended');
    assert.equal(bEnded.reason, 'cancelled');
    await s.sent('A->B ACK');
    // The seed stops at the 200 to the CANCEL; the 487 and its ACK follow (RFC 3261 section 9.2).
    expectLadder(s.wire, ['A->B INVITE', 'B->A 180', 'A->B CANCEL', 'B->A 200 CANCEL'], {
      extras: ['B->A 487', 'A->B ACK'],
    });
    const rest = s.wire.between('A', 'B').map((m) => m.label);
    assert.deepEqual(rest.slice(-2), ['B->A 487 INVITE', 'A->B ACK']);
    await s.hears({ A: [], B: [] });
  });
});
