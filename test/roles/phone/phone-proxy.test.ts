/**
 * The phone with servers: digest authentication to the registrar (401) and to the proxy (407)
 * through the auth layer's DigestClient, registration and unregistration, the primary proxy that
 * never answers (seed: seven INVITE tries, then the backup), and the dial plan's emergency route.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Phone } from '../../../src/roles/phone/index.js';
import { VirtualClock } from '../../../src/util/index.js';
import { Scenario, sleep, waitFor } from '../../scenarios/harness.js';
import { BlackHole, DigestGate } from './fake-servers.js';

let s: Scenario | undefined;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  await s?.stop();
  s = undefined;
  for (const c of cleanup.splice(0)) await c();
});

describe('phone: digest authentication', () => {
  it('registers through a 401 challenge and unregisters with Expires: 0', async () => {
    const gate = await DigestGate.start({ realm: 'example.test', users: { alice: 'secret' } });
    cleanup.push(() => gate.stop());
    s = await Scenario.start({ A: { user: 'alice', password: 'secret', registrar: gate.uri, registerExpires: 120 } });
    s.wire.name('R', '127.0.0.1', gate.port);
    const reg = await s.event('A', 'registration', (e) => e.state === 'registered');
    assert.equal(reg.expires, 120);
    assert.deepEqual(gate.verified, [{ method: 'REGISTER', username: 'alice' }]);
    const [first, second] = gate.requests;
    assert.equal(first?.has('authorization'), false);
    assert.equal(second?.cseq.seq, (first?.cseq.seq ?? 0) + 1, 'CSeq incremented on the retry (RFC 3261 22.2)');
    assert.equal(second?.callId, first?.callId);
    assert.match(second?.getRaw('authorization')[0] ?? '', /^Digest username="alice", realm="example.test"/);
    const un = await s.phone('A').unregister();
    assert.ok(un.ok, JSON.stringify(un));
    assert.equal(gate.requests.at(-1)?.get('expires'), 0);
    assert.equal(gate.requests.at(-1)?.callId, first?.callId, 'one Call-ID for the registration');
    await s.event('A', 'registration', (e) => e.state === 'unregistered');
  });

  it('a wrong password fails the registration after one retry instead of looping', async () => {
    const gate = await DigestGate.start({ realm: 'example.test', users: { alice: 'secret' } });
    cleanup.push(() => gate.stop());
    s = await Scenario.start({ A: { user: 'alice', password: 'wrong' } });
    await s.phone('A').reconfigure({ ...s.phone('A').config, registrar: gate.uri });
    const r = await s.phone('A').register();
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.status, 401);
    assert.equal(gate.requests.length, 2);
    assert.equal(gate.verified.length, 0);
  });

  it('answers the proxy 407 to an INVITE with Proxy-Authorization (seed: Authentication Error flow)', async () => {
    const gate = await DigestGate.start({ realm: 'proxy.test', users: { alice: 'secret' }, inviteStatus: 486 });
    cleanup.push(() => gate.stop());
    s = await Scenario.start({ A: { user: 'alice', password: 'secret', proxies: [gate.uri] } });
    s.wire.name('P', '127.0.0.1', gate.port);
    const r = await s.phone('A').dial('sip:bob@example.test');
    assert.ok(r.ok, JSON.stringify(r));
    const ended = await s.event('A', 'ended');
    assert.equal(ended.status, 486, 'the authorised INVITE went on');
    await s.sent('A->P ACK', 2);
    assert.deepEqual(
      s.wire.between('A', 'P').map((m) => m.label),
      ['A->P INVITE', 'P->A 407 INVITE', 'A->P ACK', 'A->P INVITE', 'P->A 486 INVITE', 'A->P ACK'],
    );
    assert.deepEqual(gate.verified, [{ method: 'INVITE', username: 'alice' }]);
    assert.match(gate.requests[1]?.getRaw('proxy-authorization')[0] ?? '', /realm="proxy.test"/);
  });
});

describe('phone: proxies', () => {
  it('tries the silent primary seven times (Timer A up to Timer B), then the backup', async () => {
    // Counting retransmissions is a matter of timers: a virtual clock makes it exact.
    const primary = await BlackHole.start();
    const backup = await BlackHole.start();
    cleanup.push(
      () => primary.stop(),
      () => backup.stop(),
    );
    const clock = new VirtualClock();
    const phone = await Phone.start(
      { user: 'alice', port: 0, proxies: [primary.uri, backup.uri], timers: { t1: 50 } },
      { clock },
    );
    cleanup.push(async () => {
      // stop() waits on the phone's (virtual) clock: keep it moving.
      let stopped = false;
      const stopping = phone.stop().then(() => {
        stopped = true;
      });
      while (!stopped) {
        clock.advance(100);
        await sleep(2);
      }
      await stopping;
    });
    const r = await phone.dial('sip:bob@example.test');
    assert.ok(r.ok);
    for (let elapsed = 0; backup.received.length === 0 && elapsed < 5000; elapsed += 10) {
      clock.advance(10);
      await sleep(2);
    }
    await waitFor('the INVITE at the backup', () => backup.received.length > 0);
    const invites = primary.received.filter((m) => m.method === 'INVITE');
    assert.equal(invites.length, 7, 'the seed: the INVITE to the primary and six retransmissions');
    assert.equal(new Set(invites.map((i) => i.branch)).size, 1, 'retransmissions of one transaction');
    const next = backup.received[0];
    assert.equal(next?.method, 'INVITE');
    assert.notEqual(next?.branch, invites[0]?.branch, 'a new transaction for the backup');
    assert.ok((next?.cseq ?? 0) > (invites[0]?.cseq ?? 0));
  });

  it('sets up the call through the backup when the primary is silent (a gateway acting as backup proxy)', async () => {
    const hole = await BlackHole.start();
    cleanup.push(() => hole.stop());
    s = await Scenario.start({ B: { autoAnswer: 0 } });
    // The backup is B itself, as the seed's "gateway acting as backup proxy".
    await s.add('A', {
      proxies: [hole.uri, `sip:${new URL(s.uri('B').replace('sip:', 'sip://')).host}`],
      timers: { t1: 50 },
    });
    const r = await s.phone('A').dial(s.uri('B'));
    assert.ok(r.ok);
    await s.callState('A', r.call.call, 'established', 15_000);
    const invites = hole.received.filter((m) => m.method === 'INVITE');
    assert.ok(invites.length > 1, 'the primary got the INVITE and retransmissions');
    assert.equal(new Set(invites.map((i) => i.branch)).size, 1);
    await s.hears({ A: [1000], B: [440] });
  });

  it('routes a number matching an emergency template to the emergency proxy', async () => {
    const hole = await BlackHole.start();
    cleanup.push(() => hole.stop());
    s = await Scenario.start({ B: { autoAnswer: 0 } });
    const b = new URL(s.uri('B').replace('sip:', 'sip://'));
    await s.add('A', {
      proxies: [hole.uri],
      emergencyProxy: `sip:${b.host}`,
      dialPlan:
        '<DIALTEMPLATE><TEMPLATE MATCH="911" Timeout="0" Route="emergency"/><TEMPLATE MATCH="*" Timeout="5"/></DIALTEMPLATE>',
    });
    const r = await s.phone('A').dial('911');
    assert.ok(r.ok);
    const dialing = await s.event('A', 'dialing');
    assert.equal(dialing.route, 'emergency');
    assert.equal(dialing.template, '911');
    await s.callState('A', r.call.call, 'established');
    assert.equal(hole.received.length, 0, 'nothing went to the default proxy');
    assert.match(
      s.wire.requests('A', 'B', 'INVITE')[0]?.message.startLine ?? '',
      /^INVITE sip:911@127\.0\.0\.1 SIP\/2\.0$/,
    );
    // Another number takes the default route.
    const other = s.phone('A').resolveTarget('5551234');
    assert.ok(other.ok);
    assert.equal(other.ok && other.route.route, 'default');
    assert.equal(other.ok && other.route.proxies[0]?.toString(), hole.uri);
  });
});
