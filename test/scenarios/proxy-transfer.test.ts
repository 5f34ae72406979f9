/**
 * Transfers through a Switchboard proxy (startServer in this process, real UDP on 127.0.0.1, the
 * proxy Record-Routes): the Snom attended transfer through "SIP Proxy (SER)" (seed 002) and the
 * Yealink blind transfer through the proxy server (seed 004, steps F7-F17; the seed's text stops
 * at F17, the rest is completed the obvious way: A's call to C through the proxy, the NOTIFY to B
 * through the proxy). Every phone registers with the server (digest: 401 then REGISTER with
 * credentials); calls go to AORs of the server's domain.
 *
 * Per pair of parties (A<->P, P<->B, P<->C), the seed's order is checked call by call: on
 * A<->P both the call being transferred and A's new call to C run at once, and so do B's two
 * calls on P<->B in seed 002; the orders across those calls that one step causes are asserted
 * separately (the INVITE to C after the 202, the NOTIFY after C's 200, ...). 100 Trying from
 * the proxy is an allowed extra (the seeds show it only on some of the INVITEs). The RTP
 * statements are checked by tone detection (A 440 Hz, B 1000 Hz, C 1700 Hz): media goes between
 * the phones, never through the proxy, which forwards every SDP untouched.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { RunningServer } from '../../src/roles/server/index.js';
import { type PartyOptions, Scenario } from './harness.js';
import {
  before,
  body,
  DOMAIN,
  escapeRe,
  expectCallLadder,
  expectDigestRegistration,
  header,
  nth,
  recordRouteOf,
  registered,
  requestUri,
  Servers,
  subscriber,
} from './proxy-harness.js';

let s: Scenario | undefined;
const servers = new Servers();
afterEach(async () => {
  await s?.stop();
  s = undefined;
  await servers.stop();
});

const PASSWORDS: Readonly<Record<string, string>> = { A: 'a-secret', B: 'b-secret', C: 'c-secret' };

/**
 * A server for the domain whose registrar wants digest (401) and whose proxy challenges nothing
 * (the seeds show no 407), and phones A, B, C registered with it.
 */
async function registeredPhones(
  options: Readonly<Record<'A' | 'B' | 'C', PartyOptions>>,
): Promise<{ sc: Scenario; proxy: RunningServer }> {
  const sc = await Scenario.start({});
  s = sc;
  const p = await servers.start(sc, 'P', { auth: { methods: [] } });
  for (const [name, extra] of Object.entries(options)) {
    await p.stores.users.add({ username: name.toLowerCase(), domain: DOMAIN }, PASSWORDS[name] as string);
    await sc.add(name, subscriber([p], { password: PASSWORDS[name], ...extra }));
  }
  for (const name of Object.keys(options)) await registered(sc, name);
  for (const name of Object.keys(options)) expectDigestRegistration(sc.wire, name, 'P', name.toLowerCase());
  return { sc, proxy: p };
}

/** A calls B's AOR, B answers after ringing; returns A's and B's ids for the call and its Call-ID. */
async function aCallsB(sc: Scenario): Promise<{ aToB: string; bToA: string; callId: string }> {
  const r = await sc.phone('A').dial(`sip:b@${DOMAIN}`);
  assert.ok(r.ok, JSON.stringify(r));
  const inc = await sc.event('B', 'incoming', (e) => e.remote.includes(`sip:a@${DOMAIN}`));
  await sc.event('A', 'progress', (e) => e.status === 180);
  assert.ok((await sc.phone('B').answer(inc.call)).ok);
  await sc.callState('A', r.call.call, 'established');
  return { aToB: r.call.call, bToA: inc.call, callId: r.call.sipCallId };
}

/** The checks every transfer through the proxy shares. */
function signallingThroughProxy(sc: Scenario): void {
  for (const [x, y] of [
    ['A', 'B'],
    ['A', 'C'],
    ['B', 'C'],
  ] as const)
    assert.equal(sc.wire.between(x, y).length, 0, `no SIP between ${x} and ${y}: everything goes through the proxy`);
  // No phone receives another's credentials (the registrar's 401 is answered on the REGISTERs only).
  for (const m of sc.wire.messages().filter((x) => x.from === 'P' && x.status === undefined))
    for (const name of ['Authorization', 'Proxy-Authorization'])
      assert.equal(header(m.text, name), undefined, `${m.label} (#${m.index}) carries no ${name}`);
  // The proxy never touches an SDP body: what it forwards is what it was sent (media stays direct).
  const all = sc.wire.messages();
  for (const m of all.filter((x) => x.from === 'P' && body(x.text).length > 0)) {
    // What it relays: the same message, from the party on the other side, the latest one before it.
    const source = all.findLast(
      (x) =>
        x.to === 'P' &&
        x.from !== m.to &&
        x.index < m.index &&
        x.message.callId === m.message.callId &&
        x.method === m.method &&
        x.status === m.status &&
        x.message.cseq.seq === m.message.cseq.seq,
    );
    assert.ok(source, `${m.label} (#${m.index}) forwards something`);
    assert.equal(body(m.text), body(source.text), `${m.label} (#${m.index}) carries the body it was given`);
  }
}

describe('seed 002: Snom attended transfer through the proxy (SER)', () => {
  it('A calls B, B holds A, consults C, holds C, REFERs A to C with Replaces; A talks to C', async () => {
    const { sc, proxy } = await registeredPhones({ A: {}, B: {}, C: { autoAnswer: 300 } });
    const w = sc.wire;
    const { bToA, callId: ab } = await aCallsB(sc);
    // "A and B talk"
    await sc.hears({ A: [1000], B: [440], C: [] });
    // "B places A on Hold"
    assert.ok((await sc.phone('B').hold(bToA)).ok);
    // "B initiates call to C", C rings and accepts; "B announces transfer to A" (B talks to C)
    const r = await sc.phone('B').dial(`sip:c@${DOMAIN}`);
    assert.ok(r.ok, JSON.stringify(r));
    const bToC = r.call.call;
    const bc = r.call.sipCallId;
    await sc.callState('B', bToC, 'established');
    await sc.hears({ A: [], B: [1700], C: [1000] });
    // "B presses transfer and C is automatically placed on hold", "...again and refers A to C"
    const t = await sc.phone('B').transferAttended(bToA, bToC);
    assert.ok(t.ok, JSON.stringify(t));
    await sc.event('B', 'transfer', (e) => e.phase === 'completed' && e.status === 200);
    await sc.idle('B');
    // "A talks to C"
    await sc.hears({ A: [1700], C: [440], B: [] });
    await sc.event('C', 'ended', (e) => e.sipCallId === bc && e.reason === 'replaced' && e.by === 'local');
    const ac = nth(w, 'A->P INVITE', 1).message.callId;
    assert.ok(ac !== ab && ac !== bc);

    // A <-> proxy: the call with B, then (REFER) the new call to C.
    await expectCallLadder(w, ab, [
      'A->P INVITE', // A initiates call to B
      'P->A 100',
      'P->A 180', // B is ringing
      'P->A 200 INVITE', // B accepts the call
      'A->P ACK',
      'P->A INVITE', // B places A on hold
      'A->P 200 INVITE', // A accepts hold
      'P->A ACK',
      'P->A REFER', // B refers A to C
      'A->P 202 REFER',
      'A->P NOTIFY', // A informs B to terminate call
      'P->A 200 NOTIFY',
      'P->A BYE', // B terminates A call
      'A->P 200 BYE', // A closes B call
    ]);
    await expectCallLadder(w, ac, ['A->P INVITE', 'P->A 200 INVITE', 'A->P ACK']); // A initiates call to C
    // proxy <-> B: the call from A, and B's consultation call to C.
    await expectCallLadder(w, ab, [
      'P->B INVITE',
      'B->P 180',
      'B->P 200 INVITE',
      'P->B ACK',
      'B->P INVITE', // hold
      'P->B 200 INVITE',
      'B->P ACK',
      'B->P REFER',
      'P->B 202 REFER',
      'P->B NOTIFY',
      'B->P 200 NOTIFY', // B receives NOTIFY
      'B->P BYE',
      'P->B 200 BYE',
    ]);
    await expectCallLadder(w, bc, [
      'B->P INVITE', // B initiates call to C
      'P->B 100',
      'P->B 180', // C is ringing
      'P->B 200 INVITE', // C accepts the call
      'B->P ACK',
      'B->P INVITE', // placing C on hold
      'P->B 100',
      'P->B 200 INVITE', // C accepts hold
      'B->P ACK',
      'P->B BYE', // C terminates B call
      'B->P 200 BYE', // B closes C call
    ]);
    // proxy <-> C: B's call, then A's call that replaces it.
    await expectCallLadder(w, bc, [
      'P->C INVITE',
      'C->P 180',
      'C->P 200 INVITE',
      'P->C ACK',
      'P->C INVITE', // hold
      'C->P 200 INVITE',
      'P->C ACK',
      'C->P BYE', // C terminates B call
      'P->C 200 BYE',
    ]);
    await expectCallLadder(w, ac, ['P->C INVITE', 'C->P 200 INVITE', 'P->C ACK']);

    // The order across the calls, where one step causes the other. The drawing also puts C's BYE
    // to B and A's NOTIFY before A's ACK to C: those are independent (the drawing's C hangs up
    // right after its 200, this C after the ACK, as seed B-8 steps 21-22 have it; the ACK of a
    // 2xx goes out as soon as the 2xx arrives), so they are not asserted.
    before(nth(w, 'B->P ACK', 0, ab), nth(w, 'B->P INVITE', 0, bc), 'B holds A before calling C');
    before(nth(w, 'B->P ACK', 1, bc), nth(w, 'B->P REFER', 0, ab), 'C is on hold before the REFER');
    before(nth(w, 'A->P 202 REFER', 0, ab), nth(w, 'A->P INVITE', 0, ac), 'A calls C once it accepted the REFER');
    before(nth(w, 'C->P 200 INVITE', 0, ac), nth(w, 'C->P BYE', 0, bc), 'C ends the call with B once it took A');
    before(nth(w, 'P->A 200 INVITE', 0, ac), nth(w, 'A->P NOTIFY', 0, ab), 'the NOTIFY reports the call to C');
    before(nth(w, 'B->P 200 NOTIFY', 0, ab), nth(w, 'B->P BYE', 0, ab), 'B ends the call with A after the NOTIFY');

    // Headers: the REFER names C with Replaces of the B-C dialog; A's INVITE carries it; the
    // in-dialog requests follow the proxy's Record-Route; the single NOTIFY is the final one.
    for (const label of ['B->P INVITE', 'B->P REFER', 'A->P NOTIFY', 'B->P BYE'])
      assert.match(header(nth(w, label, 0, ab).text, 'Route') ?? '', recordRouteOf(proxy), `${label} routed via P`);
    assert.match(header(nth(w, 'C->P BYE', 0, bc).text, 'Route') ?? '', recordRouteOf(proxy));
    assert.match(header(nth(w, 'P->C INVITE', 0, ac).text, 'Record-Route') ?? '', recordRouteOf(proxy));
    const consult = nth(w, 'B->P INVITE', 0, bc).message;
    const refer = nth(w, 'P->A REFER', 0, ab).text;
    const referTo = header(refer, 'Refer-To') ?? '';
    assert.match(referTo, new RegExp(`^<sip:c@${escapeRe(DOMAIN)}\\?Replaces=${escapeRe(encodeURIComponent(bc))}`));
    assert.match(referTo, /to-tag%3D[^%>]+%3Bfrom-tag%3D/);
    assert.match(header(refer, 'Referred-By') ?? '', new RegExp(`<sip:b@${escapeRe(DOMAIN)}>`));
    const toC = nth(w, 'P->C INVITE', 0, ac);
    assert.equal(requestUri(toC).startsWith('sip:c@127.0.0.1:'), true, 'the proxy found C where it registered');
    assert.match(
      header(toC.text, 'Replaces') ?? '',
      new RegExp(`^${escapeRe(bc)};to-tag=[^;]+;from-tag=${escapeRe(consult.fromTag ?? '')}$`),
    );
    assert.match(header(toC.text, 'Referred-By') ?? '', new RegExp(`<sip:b@${escapeRe(DOMAIN)}>`));
    assert.match(nth(w, 'B->P INVITE', 1, bc).text, /\r\na=sendonly\r\n/, 'B holds C (Snom: a=sendonly)');
    assert.match(nth(w, 'B->P INVITE', 0, ab).text, /\r\na=sendonly\r\n/, 'B holds A');
    const notify = nth(w, 'P->B NOTIFY', 0, ab).text;
    assert.match(header(notify, 'Event') ?? '', /^refer\b/);
    assert.match(header(notify, 'Subscription-State') ?? '', /^terminated/);
    assert.match(notify, /\r\n\r\nSIP\/2\.0 200 OK/);
    signallingThroughProxy(sc);
  });
});

describe('seed 004: Yealink blind transfer through the proxy', () => {
  it('B REFERs A to C and hangs up (F7-F17), A calls C through the proxy, B gets the NOTIFY', async () => {
    // The Yealink transfers at once: no hold before the REFER (F8 ACK, then F9 REFER).
    const { sc, proxy } = await registeredPhones({ A: {}, B: { holdBeforeTransfer: false }, C: { autoAnswer: 300 } });
    const w = sc.wire;
    const { bToA, callId: ab } = await aCallsB(sc);
    await sc.hears({ A: [1000], B: [440], C: [] });
    const t = await sc.phone('B').transfer(`sip:c@${DOMAIN}`, bToA);
    assert.ok(t.ok, JSON.stringify(t));
    await sc.event('B', 'transfer', (e) => e.phase === 'completed' && e.status === 200);
    await sc.idle('B');
    await sc.hears({ A: [1700], C: [440], B: [] });
    const ac = nth(w, 'A->P INVITE', 1).message.callId;
    assert.notEqual(ac, ab);

    await expectCallLadder(w, ab, [
      'A->P INVITE', // F1
      'P->A 100',
      'P->A 180',
      'P->A 200 INVITE',
      'A->P ACK', // F7
      'P->A REFER', // F11
      'A->P 202 REFER', // F12
      'P->A BYE', // F14
      'A->P 200 BYE', // F15
      'A->P NOTIFY', // A reports the call to C
      'P->A 200 NOTIFY',
    ]);
    await expectCallLadder(w, ab, [
      'P->B INVITE',
      'B->P 180',
      'B->P 200 INVITE',
      'P->B ACK', // F8
      'B->P REFER', // F9
      'P->B 202 REFER', // F10
      'B->P BYE', // F13
      'P->B 200 BYE', // F16
      'P->B NOTIFY',
      'B->P 200 NOTIFY',
    ]);
    await expectCallLadder(w, ac, [
      'A->P INVITE', // F17
      'P->A 100',
      'P->A 180',
      'P->A 200 INVITE',
      'A->P ACK',
    ]);
    await expectCallLadder(w, ac, ['P->C INVITE', 'C->P 180', 'C->P 200 INVITE', 'P->C ACK']);

    // Across the calls: F17 follows F12 (A calls C once it accepted the REFER); that it also
    // follows F13-F16 is a matter of timing (B's BYE and A's INVITE cross), so it is not asserted.
    before(nth(w, 'A->P 202 REFER', 0, ab), nth(w, 'A->P INVITE', 0, ac), 'A calls C once it accepted the REFER');
    before(nth(w, 'P->A 200 INVITE', 0, ac), nth(w, 'A->P NOTIFY', 0, ab), 'the NOTIFY reports the call to C');
    before(nth(w, 'P->B 202 REFER', 0, ab), nth(w, 'B->P BYE', 0, ab), 'B hangs up after the 202 (F10, F13)');

    for (const label of ['B->P REFER', 'B->P BYE'])
      assert.match(header(nth(w, label, 0, ab).text, 'Route') ?? '', recordRouteOf(proxy), `${label} routed via P`);
    assert.match(header(nth(w, 'A->P NOTIFY', 0, ab).text, 'Route') ?? '', recordRouteOf(proxy));
    const refer = nth(w, 'P->A REFER', 0, ab).text;
    assert.match(header(refer, 'Refer-To') ?? '', new RegExp(`^<sip:c@${escapeRe(DOMAIN)}>$`));
    assert.match(header(refer, 'Referred-By') ?? '', new RegExp(`<sip:b@${escapeRe(DOMAIN)}>`));
    const invite = nth(w, 'A->P INVITE', 0, ac);
    assert.equal(requestUri(invite), `sip:c@${DOMAIN}`, 'A calls the Refer-To AOR');
    assert.match(header(invite.text, 'Referred-By') ?? '', new RegExp(`<sip:b@${escapeRe(DOMAIN)}>`));
    assert.equal(header(invite.text, 'Replaces'), undefined);
    const notify = nth(w, 'P->B NOTIFY', 0, ab).text;
    assert.match(header(notify, 'Event') ?? '', /^refer\b/);
    assert.match(header(notify, 'Content-Type') ?? '', /^message\/sipfrag/);
    assert.match(notify, /\r\n\r\nSIP\/2\.0 200 OK/);
    signallingThroughProxy(sc);
  });
});
