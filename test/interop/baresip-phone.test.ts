/**
 * The Switchboard phone with baresip 1.0.0 (Debian baresip-core, driven over ctrl_tcp), peer to
 * peer on 127.0.0.1 (issue 5): calls both ways, hold and resume both ways, blind transfer with
 * baresip as transferee and as transferor.
 *
 * Audio is real: Switchboard phone A sends 440 Hz, baresip 1000 Hz (its aufile microphone),
 * phone C 1700 Hz. Our side checks what each Switchboard phone hears with its speaker's tone
 * detector over several windows; baresip's side is checked on its sndfile recording of what it
 * received (`-dec.wav`), before the first re-INVITE (the file stops growing there, see
 * ../shared/peers/README.md) or on a new call's recording. Hold is checked on the wire (the
 * a=sendonly offer and baresip's a=recvonly answer, or the other way round), by the events on
 * both sides (our held / remote-hold, baresip's CALL_REMOTE_SDP offer) and by the silence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interop, recordingHears } from '../helpers/peers/interop.js';
import { until } from '../helpers/peers/peer-process.js';
import { sdpDirection } from '../helpers/peers/sip-trace.js';

const BARESIP_HZ = 1000;

describe('interop: Switchboard phone and baresip 1.0.0', () => {
  it('Switchboard calls baresip: audio both ways, Switchboard holds and resumes', async () => {
    await Interop.run(async (x) => {
      const bob = await x.baresip({ name: 'bob', toneHz: BARESIP_HZ });
      const s = await x.phones({ A: {} });
      const dial = await s.phone('A').dial(bob.uri);
      assert.ok(dial.ok, JSON.stringify(dial));
      const id = dial.call.call;
      const incoming = await bob.waitEvent('CALL_INCOMING');
      assert.match(incoming.peeruri ?? '', /^sip:a@127\.0\.0\.1:\d+/);
      await bob.cmd('accept');
      await bob.waitEvent('CALL_ESTABLISHED');
      await s.callState('A', id, 'established');
      await s.hears({ A: [BARESIP_HZ] });
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [440], 1.5);

      assert.ok((await s.phone('A').hold(id)).ok, 'hold');
      await s.event('A', 'held');
      const holdOffer = x.trace.requests('INVITE', 'A', 'bob')[1];
      const holdAnswer = x.trace.responses('INVITE', 200, 'bob')[1];
      assert.equal(sdpDirection(holdOffer?.body ?? ''), 'sendonly', 'our hold offer');
      assert.equal(sdpDirection(holdAnswer?.body ?? ''), 'recvonly', "baresip's answer to the hold");
      await bob.waitEvent('CALL_REMOTE_SDP', (e) => e.param === 'offer');
      assert.equal(s.phone('A').get(id)?.state, 'held');
      await s.hears({ A: [] });

      assert.ok((await s.phone('A').resume(id)).ok, 'resume');
      await s.event('A', 'resumed');
      assert.equal(sdpDirection(x.trace.requests('INVITE', 'A', 'bob')[2]?.body ?? ''), 'sendrecv');
      assert.equal(sdpDirection(x.trace.responses('INVITE', 200, 'bob')[2]?.body ?? ''), 'sendrecv');
      await s.hears({ A: [BARESIP_HZ] });

      assert.ok(s.phone('A').hangup(id).ok);
      const closed = await bob.waitEvent('CALL_CLOSED');
      assert.match(closed.peeruri ?? '', /^sip:a@/);
      await s.idle('A');
      await until('baresip to answer our BYE', () => x.trace.responses('BYE', 200, 'bob').length === 1);
    });
  });

  it('baresip calls Switchboard: audio both ways, baresip holds and resumes', async () => {
    await Interop.run(async (x) => {
      const bob = await x.baresip({ name: 'bob', toneHz: BARESIP_HZ });
      const s = await x.phones({ A: {} });
      await bob.cmd('dial', s.uri('A'));
      const inc = await s.event('A', 'incoming');
      assert.match(inc.remote, /sip:bob@127\.0\.0\.1:\d+/);
      assert.ok((await s.phone('A').answer(inc.call)).ok);
      const est = await bob.waitEvent('CALL_ESTABLISHED');
      assert.equal(est.direction, 'outgoing');
      await s.callState('A', inc.call, 'established');
      await s.hears({ A: [BARESIP_HZ] });
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [440], 1.5);

      await bob.cmd('hold');
      await s.event('A', 'remote-hold');
      assert.equal(s.phone('A').get(inc.call)?.remoteHeld, true);
      assert.equal(sdpDirection(x.trace.requests('INVITE', 'bob', 'A')[1]?.body ?? ''), 'sendonly');
      assert.equal(sdpDirection(x.trace.responses('INVITE', 200, 'A')[1]?.body ?? ''), 'recvonly', 'our answer');
      await s.hears({ A: [] });

      await bob.cmd('resume');
      await s.event('A', 'remote-resume');
      assert.equal(s.phone('A').get(inc.call)?.remoteHeld, false);
      assert.equal(sdpDirection(x.trace.responses('INVITE', 200, 'A')[2]?.body ?? ''), 'sendrecv');
      await s.hears({ A: [BARESIP_HZ] });

      await bob.cmd('hangup');
      const ended = await s.event('A', 'ended');
      assert.deepEqual([ended.reason, ended.by], ['bye', 'remote']);
      await bob.waitEvent('CALL_CLOSED');
    });
  });

  it('blind transfer with baresip as transferee: Switchboard A transfers baresip to Switchboard C', async () => {
    await Interop.run(async (x) => {
      const bob = await x.baresip({ name: 'bob', toneHz: BARESIP_HZ });
      // BYE after the final NOTIFY, as baresip and linphonec do themselves (see the next test).
      const s = await x.phones({ A: { byeAfterNotify: true }, C: { autoAnswer: 0 } });
      const dial = await s.phone('A').dial(bob.uri);
      assert.ok(dial.ok);
      await bob.waitEvent('CALL_INCOMING');
      await bob.cmd('accept');
      await s.callState('A', dial.call.call, 'established');
      await s.hears({ A: [BARESIP_HZ] });
      // Also keeps the new call's recording apart: sndfile names files by the second they start.
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [440], 1.5);

      const r = await s.phone('A').transfer(s.uri('C'), dial.call.call);
      assert.ok(r.ok, JSON.stringify(r));
      const refer = await bob.waitEvent('TRANSFER');
      assert.ok((refer.param ?? '').includes(s.uri('C')), `baresip told to call ${refer.param}`);
      // baresip calls C (with the REFER's target), C answers; A's call is over.
      const atC = await s.event('C', 'incoming');
      assert.match(atC.remote, /sip:bob@127\.0\.0\.1:\d+/);
      await s.callState('C', atC.call, 'established');
      await bob.waitEvent('CALL_ESTABLISHED', (e) => (e.peeruri ?? '').startsWith(s.uri('C')));
      const done = await s.event('A', 'transfer', (e) => e.phase === 'completed' || e.phase === 'failed');
      assert.deepEqual([done.phase, done.status], ['completed', 200]);
      const frags = x.trace.requests('NOTIFY', 'bob', 'A').map((n) => n.body.split(/\r?\n/)[0]);
      assert.deepEqual(frags, ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'], 'the NOTIFYs (message/sipfrag) from baresip');
      const ended = await s.event('A', 'ended', (e) => e.call === dial.call.call);
      assert.equal(ended.by, 'local', 'the transferor hangs up');
      const labels = x.trace.unique().map((m) => m.label);
      assert.ok(labels.lastIndexOf('bob->A NOTIFY') < labels.indexOf('A->bob BYE'), 'BYE after the final NOTIFY');
      await s.idle('A');
      await s.hears({ A: [], C: [BARESIP_HZ] });
      // What baresip hears on its new call: C's 1700 Hz (the second -dec recording).
      await recordingHears('baresip -dec.wav of the call to C', () => bob.recordings().dec[1], [1700], 1.5);
      const calls = (await bob.cmd('listcalls')).data;
      assert.match(calls, /Active calls \(1\)/, calls);
      assert.match(calls, new RegExp(`ESTABLISHED\\s+${s.uri('C')}`), calls);
    });
  });

  it('blind transfer with baresip as transferee, BYE right after the 202 (Cisco order): baresip reports 500', async () => {
    await Interop.run(async (x) => {
      const bob = await x.baresip({ name: 'bob', toneHz: BARESIP_HZ });
      const s = await x.phones({ A: {}, C: { autoAnswer: 0 } });
      const dial = await s.phone('A').dial(bob.uri);
      assert.ok(dial.ok);
      await bob.waitEvent('CALL_INCOMING');
      await bob.cmd('accept');
      await s.callState('A', dial.call.call, 'established');
      assert.ok((await s.phone('A').transfer(s.uri('C'), dial.call.call)).ok);
      // baresip 1.0.0 ties the REFER subscription to the call our BYE ends: its final NOTIFY
      // says "500 Connection reset by peer" (the call's close reason) before the new call is up,
      // and it calls C all the same. The phone reports what the NOTIFY says.
      const done = await s.event('A', 'transfer', (e) => e.phase === 'completed' || e.phase === 'failed');
      assert.deepEqual([done.phase, done.status], ['failed', 500]);
      const last = x.trace.requests('NOTIFY', 'bob', 'A').at(-1);
      assert.match(last?.body ?? '', /^SIP\/2\.0 500 Connection reset by peer/);
      assert.match(last?.text ?? '', /\r\nSubscription-State: terminated/i);
      const atC = await s.event('C', 'incoming');
      await s.callState('C', atC.call, 'established');
      await s.hears({ C: [BARESIP_HZ] });
    });
  });

  it('blind transfer with baresip as transferor: baresip transfers Switchboard A to Switchboard C', async () => {
    await Interop.run(async (x) => {
      const bob = await x.baresip({ name: 'bob', toneHz: BARESIP_HZ });
      const s = await x.phones({ A: {}, C: { autoAnswer: 0 } });
      await bob.cmd('dial', s.uri('A'));
      const inc = await s.event('A', 'incoming');
      assert.ok((await s.phone('A').answer(inc.call)).ok);
      await bob.waitEvent('CALL_ESTABLISHED');
      await s.hears({ A: [BARESIP_HZ] });
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [440], 1);

      await bob.cmd('transfer', s.uri('C'));
      const accepted = await s.event('A', 'transfer', (e) => e.role === 'transferee' && e.phase === 'accepted');
      assert.equal(accepted.target, s.uri('C'));
      const refer = x.trace.requests('REFER', 'bob', 'A')[0];
      assert.ok(refer, 'REFER from baresip');
      assert.equal(x.trace.responses('REFER', 202, 'A').length, 1, 'we accept it with 202');
      const atC = await s.event('C', 'incoming');
      assert.match(atC.remote, /sip:a@127\.0\.0\.1:\d+/);
      const done = await s.event('A', 'transfer', (e) => e.role === 'transferee' && e.phase !== 'accepted');
      assert.deepEqual([done.phase, done.status], ['completed', 200]);
      // Our NOTIFY with the outcome, answered by baresip; then baresip ends its call.
      await until('our NOTIFY to baresip', () => x.trace.requests('NOTIFY', 'A', 'bob').length > 0);
      const notify = x.trace.requests('NOTIFY', 'A', 'bob').at(-1);
      assert.match(notify?.text ?? '', /\r\nContent-Type: message\/sipfrag/i);
      assert.match(notify?.body ?? '', /^SIP\/2\.0 200 OK/);
      assert.match(notify?.text ?? '', /\r\nSubscription-State: terminated/i);
      const closed = await bob.waitEvent('CALL_CLOSED');
      assert.match(closed.param ?? '', /transfer/i, `baresip closes its call: ${closed.param}`);
      const old = await s.event('A', 'ended', (e) => e.call === inc.call);
      assert.equal(old.by, 'remote');
      assert.ok(x.trace.responses('NOTIFY', 200, 'bob').length >= 1, 'baresip answers the NOTIFY');
      await s.hears({ A: [1700], C: [440] });
    });
  });
});
