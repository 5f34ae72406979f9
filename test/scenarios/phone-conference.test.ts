/**
 * Seed 001 (Cisco SIP IP phone call flows): 3-Way Calling (Figure B-13). B holds A, calls C,
 * takes A off hold and mixes the two RTP channels: each party hears the two others.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Scenario } from './harness.js';
import { expectLadder } from './ladder.js';

const CISCO = { holdStyle: 'rfc2543' } as const;
let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('seed 001: 3-way calling', () => {
  it('3-Way Calling (Figure B-13)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO, C: { ...CISCO, autoAnswer: 300 } });
    const r = await s.phone('A').dial(s.uri('B'));
    assert.ok(r.ok);
    const inc = await s.event('B', 'incoming');
    await s.event('A', 'progress', (e) => e.status === 180);
    assert.ok((await s.phone('B').answer(inc.call)).ok);
    // "A two-way RTP channel is established between A and B."
    await s.hears({ A: [1000], B: [440], C: [] });
    // Steps 5-7: "The RTP channel between A and B is torn down. User A is put on hold."
    assert.ok((await s.phone('B').hold(inc.call)).ok);
    await s.hears({ A: [], B: [] });
    // Steps 8-11: "A two-way RTP channel is established between B and C."
    const toC = await s.phone('B').dial(s.uri('C'));
    assert.ok(toC.ok);
    await s.callState('B', toC.call.call, 'established');
    await s.hears({ A: [], B: [1700], C: [1000] });
    // Steps 12-14: B takes A off hold and "acts as a bridge mixing the RTP channel between User A
    // and User B with the channel between User B and User C".
    const conf = await s.phone('B').conference();
    assert.ok(conf.ok, JSON.stringify(conf));
    await s.hears({ A: [1000, 1700], B: [440, 1700], C: [440, 1000] });
    assert.deepEqual(
      s
        .phone('B')
        .list()
        .map((c) => [c.conference, c.sending]),
      [
        [true, 'mix'],
        [true, 'mix'],
      ],
    );
    expectLadder(s.wire, [
      'A->B INVITE',
      'B->A 180',
      'B->A 200',
      'A->B ACK',
      'B->A INVITE', // 5: hold
      'A->B 200',
      'B->A ACK',
      'B->A INVITE', // 12: off hold
      'A->B 200',
      'B->A ACK',
    ]);
    expectLadder(s.wire, ['B->C INVITE', 'C->B 180', 'C->B 200', 'B->C ACK']);
    const reinvites = s.wire.requests('B', 'A', 'INVITE');
    assert.match(reinvites[0]?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
    assert.match(reinvites[1]?.text ?? '', /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
    // One leg hangs up: the other two talk on (not part of the seed, what a user expects).
    assert.ok(s.phone('C').hangup().ok);
    await s.idle('C');
    await s.hears({ A: [1000], B: [440], C: [] });
  });
});
