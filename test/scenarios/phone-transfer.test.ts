/**
 * Seed 001 (Cisco SIP IP phone call flows), phone-to-phone transfers: Call Transfer without
 * Consultation (Figure B-6), the same Using Failover to Bye/Also (B-7), Call Transfer with
 * Consultation (B-8, and its second version in seed 000, Figure B-10) and with Consultation Using
 * Failover to Bye/Also (B-9). Per pair of phones: the order of the step table (the seeds' 100
 * Trying are optional extras), the headers the seeds name (Refer-To, Referred-By, Replaces, Also,
 * Requested-By, Event: refer, the c=0.0.0.0 hold), and the RTP statements by tone detection.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { PartyOptions } from './harness.js';
import { Scenario } from './harness.js';
import { expectLadder } from './ladder.js';

/** The Cisco phones of the seeds: c=0.0.0.0 hold, only a final NOTIFY. C answers after ringing. */
const CISCO: PartyOptions = { holdStyle: 'rfc2543' };
const TARGET: PartyOptions = { ...CISCO, autoAnswer: 300 };
/** A phone "without REFER support": answers REFER with 501 Not Implemented. */
const LEGACY: PartyOptions = { ...CISCO, transferStyle: 'legacy' };

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** A calls B, B answers after ringing; returns B's id for the call. */
async function aCallsB(sc: Scenario): Promise<string> {
  const r = await sc.phone('A').dial(sc.uri('B'));
  assert.ok(r.ok, JSON.stringify(r));
  const inc = await sc.event('B', 'incoming', (e) => e.remote.includes('sip:a@'));
  await sc.event('A', 'progress', (e) => e.status === 180);
  assert.ok((await sc.phone('B').answer(inc.call)).ok);
  await sc.callState('A', r.call.call, 'established');
  return inc.call;
}

/** B calls C (C answers on its own after ringing); returns B's id for the call. */
async function bCallsC(sc: Scenario): Promise<string> {
  const r = await sc.phone('B').dial(sc.uri('C'));
  assert.ok(r.ok, JSON.stringify(r));
  await sc.callState('B', r.call.call, 'established');
  return r.call.call;
}

const AB_CALL = ['A->B INVITE', 'B->A 180', 'B->A 200', 'A->B ACK'];
const HOLD = (x: string, y: string) => [`${x}->${y} INVITE`, `${y}->${x} 200`, `${x}->${y} ACK`];
const AC_CALL = ['A->C INVITE', 'C->A 180', 'C->A 200', 'A->C ACK'];

function header(text: string | undefined, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i').exec(text ?? '');
  return m?.[1];
}

describe('seed 001: blind transfer', () => {
  it('Call Transfer without Consultation (Figure B-6)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO, C: TARGET });
    const bToA = await aCallsB(s);
    // "A two-way RTP channel is established between A and B."
    await s.hears({ A: [1000], B: [440], C: [] });
    const r = await s.phone('B').transfer(s.uri('C'), bToA);
    assert.ok(r.ok, JSON.stringify(r));
    await s.event('B', 'transfer', (e) => e.phase === 'completed' && e.status === 200);
    await s.idle('B');
    // "A two-way RTP channel is established between A and C."
    await s.hears({ A: [1700], C: [440], B: [] });
    expectLadder(s.wire, [
      ...AB_CALL, // 1-5
      ...HOLD('B', 'A'), // 6-8
      'B->A REFER', // 9
      'A->B 202', // 10
      'B->A BYE', // 11
      'A->B 200', // 12
      'A->B NOTIFY', // 18
      'B->A 200', // 19
    ]);
    expectLadder(s.wire, AC_CALL); // 13-17
    const all = s.wire.messages();
    const ackAC = all.find((m) => m.label === 'A->C ACK');
    const notify = all.find((m) => m.label === 'A->B NOTIFY');
    assert.ok(ackAC && notify && ackAC.index < notify.index, 'the NOTIFY follows the call to C (step 18)');
    const hold = s.wire.requests('B', 'A', 'INVITE')[0];
    assert.match(hold?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/, 'step 6: c=IN IP4 0.0.0.0');
    const refer = s.wire.requests('B', 'A', 'REFER')[0]?.text;
    assert.match(header(refer, 'Refer-To') ?? '', new RegExp(`<${escapeRe(s.uri('C'))}>`), 'Refer-To: C');
    assert.match(header(refer, 'Referred-By') ?? '', new RegExp(`<${escapeRe(s.uri('B'))}>`), 'Referred-By: B');
    const invite = s.wire.requests('A', 'C', 'INVITE')[0]?.text;
    assert.match(header(invite, 'Referred-By') ?? '', new RegExp(`<${escapeRe(s.uri('B'))}>`), 'INVITE Referred-By: B');
    const n = s.wire.requests('A', 'B', 'NOTIFY')[0]?.text ?? '';
    assert.match(header(n, 'Event') ?? '', /^refer\b/);
    assert.match(header(n, 'Content-Type') ?? '', /^message\/sipfrag/);
    assert.match(n, /\r\n\r\nSIP\/2\.0 200 OK/);
  });

  it('Call Transfer without Consultation Using Failover to Bye/Also (Figure B-7)', async () => {
    s = await Scenario.start({ A: LEGACY, B: CISCO, C: TARGET });
    const bToA = await aCallsB(s);
    await s.hears({ A: [1000], B: [440], C: [] });
    const r = await s.phone('B').transfer(s.uri('C'), bToA);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.ok && r.detail?.includes('BYE/Also'), true);
    await s.event('A', 'transfer', (e) => e.method === 'also' && e.phase === 'completed');
    await s.hears({ A: [1700], C: [440], B: [] });
    expectLadder(s.wire, [
      ...AB_CALL,
      ...HOLD('B', 'A'), // 6-8
      'B->A REFER', // 9
      'A->B 501', // 10
      'B->A BYE', // 11: Also: C
      'A->B 200', // 12
    ]);
    expectLadder(s.wire, AC_CALL); // 13-17
    const refer = s.wire.requests('B', 'A', 'REFER')[0]?.text;
    assert.match(header(refer, 'Refer-To') ?? '', new RegExp(`<${escapeRe(s.uri('C'))}>`));
    assert.match(header(refer, 'Referred-By') ?? '', new RegExp(`<${escapeRe(s.uri('B'))}>`));
    const bye = s.wire.requests('B', 'A', 'BYE')[0]?.text;
    assert.match(header(bye, 'Also') ?? '', new RegExp(`<${escapeRe(s.uri('C'))}>`), 'BYE Also: C');
    const invite = s.wire.requests('A', 'C', 'INVITE')[0]?.text;
    assert.match(header(invite, 'Requested-By') ?? '', new RegExp(`<${escapeRe(s.uri('B'))}>`), 'Requested-By: B');
  });
});

/** What the attended transfers share: A talks to B, B holds A, consults C, and transfers. */
async function consultThenTransfer(sc: Scenario): Promise<{ bToA: string; bToC: string }> {
  const bToA = await aCallsB(sc);
  await sc.hears({ A: [1000], B: [440], C: [] });
  // Steps 6-8: B holds A; 9-13: B calls C. "A two-way RTP channel is established between B and C."
  assert.ok((await sc.phone('B').hold(bToA)).ok);
  const bToC = await bCallsC(sc);
  await sc.hears({ A: [], B: [1700], C: [1000] });
  // Steps 14-16 (B holds its consultation call) and 17: REFER with Replaces.
  const r = await sc.phone('B').transferAttended(bToA, bToC);
  assert.ok(r.ok, JSON.stringify(r));
  return { bToA, bToC };
}

/** Checks the REFER (Refer-To: C?Replaces=<B-C dialog>, Referred-By: B) and the INVITE A->C it causes. */
function checkReplaces(sc: Scenario): void {
  const consult = sc.wire.requests('B', 'C', 'INVITE')[0]?.message;
  assert.ok(consult);
  const refer = sc.wire.requests('B', 'A', 'REFER')[0]?.text;
  const referTo = header(refer, 'Refer-To') ?? '';
  assert.match(
    referTo,
    new RegExp(`^<${escapeRe(sc.uri('C'))}\\?Replaces=${escapeRe(encodeURIComponent(consult.callId))}`),
  );
  assert.match(referTo, /to-tag%3D[^%>]+%3Bfrom-tag%3D/);
  assert.match(header(refer, 'Referred-By') ?? '', new RegExp(`<${escapeRe(sc.uri('B'))}>`));
  const invite = sc.wire.requests('A', 'C', 'INVITE')[0]?.text;
  assert.match(header(invite, 'Referred-By') ?? '', new RegExp(`<${escapeRe(sc.uri('B'))}>`), 'INVITE Referred-By: B');
  const replaces = header(invite, 'Replaces') ?? '';
  assert.match(
    replaces,
    new RegExp(`^${escapeRe(consult.callId)};to-tag=[^;]+;from-tag=${escapeRe(consult.fromTag ?? '')}$`),
  );
}

describe('seed 001 and 000: attended transfer', () => {
  it('Call Transfer with Consultation (Figure B-8)', async () => {
    s = await Scenario.start({ A: CISCO, B: CISCO, C: TARGET });
    await consultThenTransfer(s);
    await s.event('B', 'transfer', (e) => e.phase === 'completed' && e.status === 200);
    await s.idle('B');
    // "A two-way RTP channel is established between A and C."
    await s.hears({ A: [1700], C: [440], B: [] });
    expectLadder(s.wire, [
      ...AB_CALL, // 1-5
      ...HOLD('B', 'A'), // 6-8
      'B->A REFER', // 17
      'A->B 202', // 18
      'A->B NOTIFY', // 24
      'B->A 200', // 25
      'B->A BYE', // 26
      'A->B 200', // 27
    ]);
    expectLadder(s.wire, [
      'B->C INVITE', // 9
      'C->B 180', // 11
      'C->B 200', // 12
      'B->C ACK', // 13
      ...HOLD('B', 'C'), // 14-16
      'C->B BYE', // 22
      'B->C 200', // 23
    ]);
    expectLadder(s.wire, ['A->C INVITE', 'C->A 200', 'A->C ACK']); // 19-21
    checkReplaces(s);
    const all = s.wire.messages();
    const at = (label: string) => all.find((m) => m.label === label)?.index ?? -1;
    assert.ok(at('A->C ACK') < at('C->B BYE'), 'C hangs up B after the ACK of the new call (steps 21-22)');
    assert.ok(at('A->B NOTIFY') < at('B->A BYE'), 'B hangs up A after the NOTIFY (steps 24-26)');
    for (const hold of [s.wire.requests('B', 'A', 'INVITE')[0], s.wire.requests('B', 'C', 'INVITE')[1]])
      assert.match(hold?.text ?? '', /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
  });

  it('Call Transfer with Consultation, second version (seed 000, Figure B-10: NOTIFY 100 Trying first)', async () => {
    // Seed 000 shows steps 20-28; its numbering is one step later than B-8's because the
    // transferee reports "100 Trying" first (RFC 3515 section 2.4.4), as Snom/Yealink/baresip do.
    s = await Scenario.start({ A: { ...CISCO, notifyTrying: true }, B: CISCO, C: TARGET });
    await consultThenTransfer(s);
    await s.event('B', 'transfer', (e) => e.phase === 'completed' && e.status === 200);
    await s.idle('B');
    await s.hears({ A: [1700], C: [440], B: [] });
    expectLadder(s.wire, [
      ...AB_CALL,
      ...HOLD('B', 'A'),
      'B->A REFER',
      'A->B 202',
      'A->B NOTIFY', // 100 Trying
      'B->A 200',
      'A->B NOTIFY', // 25
      'B->A 200', // 26
      'B->A BYE', // 27
      'A->B 200', // 28
    ]);
    expectLadder(s.wire, [
      'B->C INVITE',
      'C->B 180',
      'C->B 200',
      'B->C ACK',
      ...HOLD('B', 'C'),
      'C->B BYE', // 23
      'B->C 200', // 24
    ]);
    expectLadder(s.wire, ['A->C INVITE', 'C->A 200', 'A->C ACK']); // 20-22
    checkReplaces(s);
    const notifies = s.wire.requests('A', 'B', 'NOTIFY').map((m) => m.text);
    assert.match(notifies[0] ?? '', /\r\n\r\nSIP\/2\.0 100 Trying/);
    assert.match(header(notifies[0], 'Subscription-State') ?? '', /^active/);
    assert.match(notifies[1] ?? '', /\r\n\r\nSIP\/2\.0 200 OK/);
    assert.match(header(notifies[1], 'Subscription-State') ?? '', /^terminated/);
  });

  it('Call Transfer with Consultation Using Failover to Bye/Also (Figure B-9)', async () => {
    s = await Scenario.start({ A: LEGACY, B: CISCO, C: TARGET });
    await consultThenTransfer(s);
    await s.event('A', 'transfer', (e) => e.method === 'also' && e.phase === 'completed');
    await s.idle('B');
    await s.hears({ A: [1700], C: [440], B: [] });
    expectLadder(s.wire, [
      ...AB_CALL,
      ...HOLD('B', 'A'), // 6-8
      'B->A REFER', // 17
      'A->B 501', // 18
      'B->A BYE', // 19: Also: C
      'A->B 200', // 20
    ]);
    expectLadder(s.wire, [
      'B->C INVITE', // 9
      'C->B 180',
      'C->B 200',
      'B->C ACK', // 13
      ...HOLD('B', 'C'), // 14-16
      'B->C BYE', // 21
      'C->B 200', // 22
    ]);
    expectLadder(s.wire, AC_CALL); // 23-27
    const refer = s.wire.requests('B', 'A', 'REFER')[0]?.text;
    assert.match(header(refer, 'Refer-To') ?? '', /\?Replaces=/);
    const bye = s.wire.requests('B', 'A', 'BYE')[0]?.text;
    assert.match(header(bye, 'Also') ?? '', new RegExp(`^<${escapeRe(s.uri('C'))}>$`), 'BYE Also: C (no Replaces)');
    const invite = s.wire.requests('A', 'C', 'INVITE')[0]?.text;
    assert.match(header(invite, 'Requested-By') ?? '', new RegExp(`<${escapeRe(s.uri('B'))}>`), 'Requested-By: B');
    assert.equal(header(invite, 'Replaces'), undefined);
  });
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
