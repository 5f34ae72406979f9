/**
 * Seed 001 (Cisco SIP IP phone call flows), phone-to-phone hold flows: Simple Call Hold (Figure
 * B-3), Call Hold with Consultation (B-4) and Call Waiting (B-5). Each step table is checked per
 * pair of phones, the hold SDP (c=IN IP4 0.0.0.0, the Cisco phones' RFC 2543 hold) in the
 * re-INVITEs, and every RTP statement of the seed by what each phone hears.
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

/** A calls B, B answers (after ringing); both talk. */
async function callAndAnswer(sc: Scenario, from: string, to: string): Promise<{ out: string; inc: string }> {
  const r = await sc.phone(from).dial(sc.uri(to));
  assert.ok(r.ok, JSON.stringify(r));
  const inc = await sc.event(to, 'incoming', (e) => e.remote.includes(`sip:${from.toLowerCase()}@`));
  await sc.event(from, 'progress', (e) => e.call === r.call.call && e.status === 180);
  const a = await sc.phone(to).answer(inc.call);
  assert.ok(a.ok, JSON.stringify(a));
  await sc.callState(from, r.call.call, 'established');
  return { out: r.call.call, inc: inc.call };
}

describe('seed 001: phone-to-phone hold', () => {
  it('Simple Call Hold (Figure B-3)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO });
    const { inc } = await callAndAnswer(s, 'A', 'B');
    // "A two-way RTP channel is established between Cisco SIP IP phone A and Cisco SIP IP phone B."
    await s.hears({ A: [1000], B: [440] });
    // Steps 5-7: B holds A with c=0.0.0.0. "The RTP channel ... is torn down."
    assert.ok((await s.phone('B').hold(inc)).ok);
    await s.hears({ A: [], B: [] });
    // Steps 8-10: B takes A off hold. "A two-way RTP channel is reestablished".
    assert.ok((await s.phone('B').resume(inc)).ok);
    await s.hears({ A: [1000], B: [440] });
    expectLadder(s.wire, [
      'A->B INVITE',
      'B->A 180',
      'B->A 200',
      'A->B ACK',
      'B->A INVITE',
      'A->B 200',
      'B->A ACK',
      'B->A INVITE',
      'A->B 200',
      'B->A ACK',
    ]);
    const reinvites = s.wire.requests('B', 'A', 'INVITE');
    assert.match(reinvites[0]?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/, 'step 5: SDP c=IN IP4 0.0.0.0');
    assert.match(reinvites[1]?.text ?? '', /\r\nc=IN IP4 127\.0\.0\.1\r\n/, "step 8: B's address back in c=");
    assert.equal(reinvites[0]?.message.callId, reinvites[1]?.message.callId, 'the same Call-ID');
  });

  it('Call Hold with Consultation (Figure B-4)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO, C: CISCO });
    const { inc: bToA } = await callAndAnswer(s, 'A', 'B');
    await s.hears({ A: [1000], B: [440], C: [] });
    // Steps 5-7: B holds A. "The RTP channel between A and B is torn down."
    assert.ok((await s.phone('B').hold(bToA)).ok);
    await s.hears({ A: [], B: [] });
    // Steps 8-11: B calls C. "A two-way RTP channel is established between B and C."
    const { out: bToC } = await callAndAnswer(s, 'B', 'C');
    await s.hears({ A: [], B: [1700], C: [1000] });
    // Steps 12-13: B hangs up C. "The RTP channel between B and C is torn down."
    assert.ok(s.phone('B').hangup(bToC).ok);
    await s.idle('C');
    await s.hears({ A: [], B: [], C: [] });
    // Steps 14-16: B takes A off hold. "A two-way RTP channel is reestablished between A and B."
    assert.ok((await s.phone('B').resume(bToA)).ok);
    await s.hears({ A: [1000], B: [440], C: [] });
    expectLadder(s.wire, [
      'A->B INVITE',
      'B->A 180',
      'B->A 200',
      'A->B ACK',
      'B->A INVITE',
      'A->B 200',
      'B->A ACK',
      'B->A INVITE',
      'A->B 200',
      'B->A ACK',
    ]);
    expectLadder(s.wire, ['B->C INVITE', 'C->B 180', 'C->B 200', 'B->C ACK', 'B->C BYE', 'C->B 200']);
    const reinvites = s.wire.requests('B', 'A', 'INVITE');
    assert.match(reinvites[0]?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/, 'step 5: c=IN IP4 0.0.0.0');
    assert.match(reinvites[1]?.text ?? '', /\r\nc=IN IP4 127\.0\.0\.1\r\n/, 'step 14: real address');
  });

  it('Call Waiting (Figure B-5)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO, C: CISCO });
    const { inc: bToA } = await callAndAnswer(s, 'A', 'B');
    await s.hears({ A: [1000], B: [440] });
    // Steps 5-6: C calls B, B rings (call waiting).
    const r = await s.phone('C').dial(s.uri('B'));
    assert.ok(r.ok);
    const waiting = await s.event('B', 'incoming', (e) => e.remote.includes('sip:c@'));
    assert.equal(waiting.waiting, true);
    await s.event('C', 'progress', (e) => e.status === 180);
    // Steps 7-11: B answers C, which puts A on hold first.
    assert.ok((await s.phone('B').answer(waiting.call)).ok);
    await s.callState('C', r.call.call, 'established');
    // "The RTP channel between A and B is torn down." / "... established between B and C."
    await s.hears({ A: [], B: [1700], C: [1000] });
    // Steps 12-17: B goes back to A: C is held, A taken off hold.
    assert.ok((await s.phone('B').swap()).ok);
    await s.hears({ A: [1000], B: [440], C: [] });
    // Steps 18-19: B hangs up A. "The RTP channel between A and B is torn down."
    assert.ok(s.phone('B').hangup(bToA).ok);
    await s.idle('A');
    await s.hears({ A: [], B: [], C: [] });
    // Steps 20-22: B takes C off hold. "... reestablished between B and C."
    assert.ok((await s.phone('B').resume(waiting.call)).ok);
    await s.hears({ A: [], B: [1700], C: [1000] });
    expectLadder(s.wire, [
      'A->B INVITE',
      'B->A 180',
      'B->A 200',
      'A->B ACK',
      'B->A INVITE', // 7: hold
      'A->B 200',
      'B->A ACK',
      'B->A INVITE', // 15: off hold
      'A->B 200',
      'B->A ACK',
      'B->A BYE', // 18
      'A->B 200',
    ]);
    expectLadder(s.wire, [
      'C->B INVITE', // 5
      'B->C 180',
      'B->C 200', // 10
      'C->B ACK',
      'B->C INVITE', // 12: hold
      'C->B 200',
      'B->C ACK',
      'B->C INVITE', // 20: off hold
      'C->B 200',
      'B->C ACK',
    ]);
    // Across pairs, the seed's order: A is held (7-9) before C gets its 200 OK (10).
    const all = s.wire.messages();
    const holdAck = all.find(
      (m) => m.label === 'B->A ACK' && m.index > (s?.wire.requests('B', 'A', 'INVITE')[0]?.index ?? 0),
    );
    const okToC = all.find((m) => m.label === 'B->C 200 INVITE');
    assert.ok(holdAck && okToC && holdAck.index < okToC.index, 'A is on hold before B answers C');
    for (const invite of [s.wire.requests('B', 'A', 'INVITE')[0], s.wire.requests('B', 'C', 'INVITE')[0]])
      assert.match(invite?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
  });
});
