/**
 * Seed 001 (Cisco SIP IP phone call flows), phone-to-phone calls through a Switchboard proxy
 * (startServer in this process, real UDP on 127.0.0.1): Authentication Error (Figure B-19: 407,
 * ACK, INVITE resent with credentials), via Backup Proxy (B-21: the primary is silent, seven
 * INVITE tries, then the backup completes the call) and via Emergency Proxy (B-23: the dial
 * plan's Route="emergency" template sends the call to the emergency proxy, not the primary).
 * The gateways of B-20 and B-22 are a later issue: the backup and the emergency proxy here are
 * Switchboard proxies. Each phone registers with the server; each test checks the seed's step
 * table per pair of parties (A<->proxy, proxy<->B; 100 Trying is an allowed extra), the headers
 * the seed implies, and the RTP statements by tone detection (A 440 Hz, B 1000 Hz), media going
 * between the phones while the SIP goes through the proxy.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RealClock } from '../../src/util/index.js';
import { Scenario } from './harness.js';
import {
  addPhone,
  before,
  body,
  DOMAIN,
  expectCallLadder,
  expectDigestRegistration,
  header,
  nth,
  PacedClock,
  recordRouteOf,
  registered,
  requestUri,
  Servers,
  SilentProxy,
  subscriber,
} from './proxy-harness.js';

const clock = new RealClock();
let s: Scenario | undefined;
const servers = new Servers();
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await s?.stop();
  s = undefined;
  await servers.stop();
  for (const c of cleanup.splice(0)) await c();
});

/** The call once set up, through the proxy to B, ended by A: B-21 steps 8-21, B-23 steps 1-14. */
const THROUGH = (p: string) => ({
  aSide: [
    `A->${p} INVITE`,
    `${p}->A 100`,
    `${p}->A 180`,
    `${p}->A 200 INVITE`,
    `A->${p} ACK`,
    `A->${p} BYE`,
    `${p}->A 200 BYE`,
  ],
  bSide: [`${p}->B INVITE`, `B->${p} 180`, `B->${p} 200 INVITE`, `${p}->B ACK`, `${p}->B BYE`, `B->${p} 200 BYE`],
});

/** A hangs up the established call and both phones go idle. */
async function aHangsUp(sc: Scenario, id: string): Promise<void> {
  assert.ok((await sc.phone('A').hangup(id)).ok);
  await sc.idle('A');
  await sc.idle('B');
}

describe('seed 001 through a proxy: authentication', () => {
  it('Authentication Error (Figure B-19): 407, ACK, INVITE with credentials, and the call goes on to B', async () => {
    s = await Scenario.start({});
    // The proxy challenges INVITEs of its users (407); its registrar challenges REGISTERs (401).
    const p = await servers.start(s, 'P', { auth: {} });
    await p.stores.users.add({ username: 'a', domain: DOMAIN }, 'a-secret');
    await p.stores.users.add({ username: 'b', domain: DOMAIN }, 'b-secret');
    await s.add('A', subscriber([p], { password: 'a-secret' }));
    await s.add('B', subscriber([p], { password: 'b-secret' }));
    await registered(s, 'A');
    await registered(s, 'B');
    expectDigestRegistration(s.wire, 'A', 'P', 'a');
    expectDigestRegistration(s.wire, 'B', 'P', 'b');

    const r = await s.phone('A').dial(`sip:b@${DOMAIN}`);
    assert.ok(r.ok, JSON.stringify(r));
    const inc = await s.event('B', 'incoming');
    await s.event('A', 'progress', (e) => e.status === 180);
    assert.ok((await s.phone('B').answer(inc.call)).ok);
    await s.callState('A', r.call.call, 'established');
    await s.hears({ A: [1000], B: [440] });
    await aHangsUp(s, r.call.call);

    const callId = nth(s.wire, 'A->P INVITE').message.callId;
    await expectCallLadder(s.wire, callId, [
      'A->P INVITE', // 1
      'P->A 407 INVITE', // 2
      'A->P ACK', // 3
      'A->P INVITE', // 4: with credentials
      'P->A 100',
      'P->A 180',
      'P->A 200 INVITE',
      'A->P ACK',
      'A->P BYE',
      'P->A 200 BYE',
    ]);
    await expectCallLadder(s.wire, callId, THROUGH('P').bSide);

    const first = nth(s.wire, 'A->P INVITE', 0).message;
    const challenge = nth(s.wire, 'P->A 407 INVITE');
    const ack = nth(s.wire, 'A->P ACK', 0).message;
    const second = nth(s.wire, 'A->P INVITE', 1).message;
    // Step 1 carries no credentials at all (not even the registrar's, whose realm is the same).
    assert.equal(header(nth(s.wire, 'A->P INVITE', 0).text, 'Proxy-Authorization'), undefined);
    assert.equal(header(nth(s.wire, 'A->P INVITE', 0).text, 'Authorization'), undefined);
    assert.match(header(challenge.text, 'Proxy-Authenticate') ?? '', /^Digest realm="example\.com", .*nonce="/);
    // Step 3 acknowledges the 407 inside the INVITE's transaction (RFC 3261 17.1.1.3).
    assert.equal(ack.topVia.branch, first.topVia.branch, 'the ACK of the 407 has the INVITE branch');
    assert.equal(ack.cseq.seq, first.cseq.seq);
    // Step 4: same call, next CSeq, new transaction, credentials for the 407's realm.
    assert.equal(second.callId, first.callId);
    assert.equal(second.cseq.seq, first.cseq.seq + 1);
    assert.notEqual(second.topVia.branch, first.topVia.branch);
    assert.match(
      header(nth(s.wire, 'A->P INVITE', 1).text, 'Proxy-Authorization') ?? '',
      /^Digest username="a", realm="example\.com", .*uri="sip:b@example\.com"/,
    );
    // The proxy consumed the credentials (RFC 3261 22.3) and forwarded the request with our Record-Route.
    const toB = nth(s.wire, 'P->B INVITE').text;
    assert.equal(header(toB, 'Proxy-Authorization'), undefined);
    assert.equal(header(toB, 'Authorization'), undefined);
    assert.match(header(toB, 'Record-Route') ?? '', recordRouteOf(p));
    // The 407 is stateless: sent once, never retransmitted (RFC 3261 26.3.2.4).
    assert.equal(s.wire.messages({ retransmissions: true }).filter((m) => m.label === 'P->A 407 INVITE').length, 1);
    // RTP goes between the phones: the proxy forwards the offer untouched.
    assert.equal(body(toB), body(nth(s.wire, 'A->P INVITE', 1).text));
    assert.equal(s.wire.between('A', 'B').length, 0, 'no SIP between the phones');
  });
});

describe('seed 001 through a proxy: backup and emergency proxies', () => {
  it('Call via Backup Proxy (Figure B-21): seven INVITE tries to the silent primary, then the backup', async () => {
    const T1 = 100;
    s = await Scenario.start({});
    // A's timers run on a clock that follows real time without letting lateness add up (PacedClock).
    const paced = new PacedClock();
    cleanup.push(async () => paced.stop()); // after the phones stopped: stop() waits on this clock
    const primary = await SilentProxy.start();
    cleanup.push(() => primary.stop());
    s.wire.name('P1', '127.0.0.1', primary.port);
    // The backup notes when each INVITE reaches it (request_route that only watches).
    const invitesAtBackup: number[] = [];
    const backup = await servers.start(s, 'P2', {
      hooks: [
        {
          onRequest: (ctx) => {
            if (ctx.request.method === 'INVITE') invitesAtBackup.push(paced.fromReal(clock.now()));
            return undefined;
          },
        },
      ],
    });
    // B's own proxy is the backup (where it registers); A has the primary and, behind it, the backup.
    await s.add('B', subscriber([backup], { autoAnswer: 300 }));
    await addPhone(s, 'A', subscriber([primary.uri, backup], { timers: { t1: T1, t2: 4000, t4: 5000 } }), {
      clock: paced,
    });
    await registered(s, 'B');

    const dialledAt = paced.now(); // on A's time line: arrivals are brought onto it with fromReal()
    const r = await s.phone('A').dial(`sip:b@${DOMAIN}`);
    assert.ok(r.ok, JSON.stringify(r));
    await s.callState('A', r.call.call, 'established', 30_000);
    const callId = nth(s.wire, 'A->P2 INVITE').message.callId;
    await s.hears({ A: [1000], B: [440] });
    await aHangsUp(s, r.call.call);
    // A's REGISTER went the same way: the primary until its Timer F, then the backup.
    await registered(s, 'A', 30_000);
    assert.ok(
      primary.received.some((d) => d.method === 'REGISTER'),
      'A tried to register through the primary',
    );
    nth(s.wire, 'P2->A 200 REGISTER');

    // Steps 1-7: one INVITE and six retransmissions of it (Timer A doubling from T1, RFC 3261
    // 17.1.1.2) until Timer B (64*T1); nothing came back from the primary.
    const tries = primary.received.filter((d) => d.method === 'INVITE' && d.callId === callId);
    const times = tries.map((d) => Math.round(paced.fromReal(d.at) - dialledAt));
    assert.equal(tries.length, 7, `seven tries (at ${times.join(', ')} ms after dialling)`);
    assert.equal(new Set(tries.map((d) => d.branch)).size, 1, 'one transaction');
    // Try k leaves no earlier than T1 * (2^(k-1) - 1) after the first (0, 0.5, 1.5, ... 31.5 s
    // with the seed's T1 of 500 ms); arrival times only give lower bounds on a loaded machine.
    tries.forEach((d, k) => {
      const due = T1 * (2 ** k - 1);
      const at = paced.fromReal(d.at) - dialledAt;
      assert.ok(at >= due - 1, `try ${k + 1} at ${times[k]} ms, not before ${due} ms (Timer A)`);
    });
    await expectCallLadder(s.wire, callId, ['A->P1 INVITE']);
    assert.equal(
      s.wire.messages({ retransmissions: true }).filter((m) => m.label === 'A->P1 INVITE').length,
      7,
      'the wire shows the same seven tries',
    );
    // Step 8: a new transaction to the backup, after Timer B of the seventh try.
    const toBackup = nth(s.wire, 'A->P2 INVITE');
    const seventh = s.wire.messages({ retransmissions: true }).filter((m) => m.label === 'A->P1 INVITE')[6];
    assert.ok(seventh);
    before(seventh, toBackup, 'the backup after the seventh try');
    const atBackup = Math.round((invitesAtBackup[0] ?? 0) - dialledAt);
    assert.ok(atBackup >= 64 * T1 - 1, `the backup's INVITE at ${atBackup} ms, not before Timer B (${64 * T1} ms)`);
    assert.notEqual(toBackup.message.topVia.branch, tries[0]?.branch);
    assert.equal(toBackup.message.callId, callId, 'the same call');
    // Steps 8-21 through the backup proxy; its Record-Route keeps the BYE on it (18-21).
    const { aSide, bSide } = THROUGH('P2');
    await expectCallLadder(s.wire, callId, aSide);
    await expectCallLadder(s.wire, callId, bSide);
    assert.match(header(nth(s.wire, 'A->P2 BYE').text, 'Route') ?? '', recordRouteOf(backup));
    assert.equal(body(nth(s.wire, 'P2->B INVITE').text), body(toBackup.text), 'the offer reaches B untouched');
    assert.equal(s.wire.between('A', 'B').length, 0, 'no SIP between the phones');
    assert.equal(
      primary.received.filter((d) => d.callId === callId).length,
      7,
      'nothing of the call but the seven tries reached the primary',
    );
  });

  it('Call via Emergency Proxy (Figure B-23): the emergency template routes to the emergency proxy', async () => {
    s = await Scenario.start({});
    const p = await servers.start(s, 'P');
    // The emergency proxy is another proxy of the same domain, reading the same location service.
    const e = await servers.start(s, 'E', { role: 'proxy', store: p.stores });
    const dialPlan = [
      '<DIALTEMPLATE>',
      '  <TEMPLATE MATCH="29xx" Timeout="0" Route="emergency"/>',
      '  <TEMPLATE MATCH="2xxx" Timeout="0"/>',
      '</DIALTEMPLATE>',
    ].join('\n');
    await s.add('A', subscriber([p], { user: '2001', emergencyProxy: e.uri.toString(), dialPlan }));
    // "User B is the extension of the dial template with Route attribute as emergency."
    await s.add('B', subscriber([p], { user: '2911', autoAnswer: 300 }));
    await registered(s, 'A');
    await registered(s, 'B');

    const r = await s.phone('A').dial('2911');
    assert.ok(r.ok, JSON.stringify(r));
    const dialing = await s.event('A', 'dialing');
    assert.equal(dialing.route, 'emergency');
    assert.equal(dialing.template, '29xx');
    await s.callState('A', r.call.call, 'established');
    await s.hears({ A: [1000], B: [440] });
    await aHangsUp(s, r.call.call);

    const invite = nth(s.wire, 'A->E INVITE');
    const callId = invite.message.callId;
    assert.equal(requestUri(invite), `sip:2911@${DOMAIN}`);
    const { aSide, bSide } = THROUGH('E');
    await expectCallLadder(s.wire, callId, aSide); // 1-2, 6, 8-9, 11, 14
    await expectCallLadder(s.wire, callId, bSide); // 3-5, 7, 10, 12-13
    assert.match(header(nth(s.wire, 'E->B INVITE').text, 'Record-Route') ?? '', recordRouteOf(e));
    assert.match(header(nth(s.wire, 'A->E BYE').text, 'Route') ?? '', recordRouteOf(e));
    assert.equal(
      s.wire.messages().filter((m) => m.message.callId === callId && (m.from === 'P' || m.to === 'P')).length,
      0,
      'nothing of the call went through the primary proxy',
    );
    assert.equal(body(nth(s.wire, 'E->B INVITE').text), body(invite.text), 'the offer reaches B untouched');
    assert.equal(s.wire.between('A', 'B').length, 0, 'no SIP between the phones');
  });
});
