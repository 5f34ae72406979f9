/**
 * The Switchboard phone with linphonec 5.1 (Debian linphone-cli, driven over stdin/stdout) on
 * 127.0.0.1 (issue 5): a call both ways where each side hears the other's tone and not its own,
 * attended transfer with linphonec as transferor (through `switchboard server`: linphonec's
 * Refer-To drops the target's port, so the parties are AORs of the server's domain) and as
 * transferee (peer to peer: our Refer-To keeps the port), and a local 3-way call on the
 * Switchboard phone with linphonec and baresip as the other two parties.
 *
 * Tones: Switchboard A 440 Hz, C 1700 Hz; linphonec 1000 Hz (its `play` file); baresip 2300 Hz.
 * Our side is checked with the phones' tone detectors, linphonec's with its `record` file
 * (mediastreamer2 writes what it decodes, and nothing while no RTP arrives) and baresip's with
 * its sndfile `-dec.wav`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServer } from '../../src/roles/server/index.js';
import { Interop, recordingHears } from '../helpers/peers/interop.js';
import { sdpDirection } from '../helpers/peers/sip-trace.js';

const LINPHONE_HZ = 1000;
const DOMAIN = 'example.test';

describe('interop: Switchboard phone and linphonec 5.1', () => {
  it('calls both ways: each side hears the other, not itself', async () => {
    await Interop.run(async (x) => {
      const lin = await x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ });
      const s = await x.phones({ A: { autoAnswer: 0 } });
      const first = join(lin.dir, 'heard-1.wav');
      lin.send(`record ${first}`);
      const dial = await s.phone('A').dial(lin.uri);
      assert.ok(dial.ok);
      const inc = await lin.expect(/Receiving new incoming call from (.*), assigned id (\d+)/);
      assert.match(inc[1] ?? '', /sip:a@127\.0\.0\.1:\d+/);
      lin.send(`answer ${inc[2]}`);
      await lin.expect(/Call \d+ with .* connected/);
      await s.callState('A', dial.call.call, 'established');
      // Exactly 1000 Hz: our own 440 Hz coming back would make it a two-tone mix and fail.
      await s.hears({ A: [LINPHONE_HZ] });
      await recordingHears('linphonec recording', () => first, [440], 2);
      assert.ok(s.phone('A').hangup(dial.call.call).ok);
      await lin.expect(/ended/);

      // linphonec calls A (A answers at once), then pauses and resumes.
      const second = join(lin.dir, 'heard-2.wav');
      lin.send(`record ${second}`);
      lin.send(`call ${s.uri('A')}`);
      const id = (await lin.expect(/assigned id (\d+)/))[1];
      await lin.expect(new RegExp(`Call ${id} with .* connected`));
      const incoming = await s.event('A', 'incoming', (e) => e.direction === 'incoming');
      await s.callState('A', incoming.call, 'established');
      await s.hears({ A: [LINPHONE_HZ] });
      await recordingHears('linphonec recording of its call', () => second, [440], 2);
      lin.send('pause');
      await lin.expect(/is now paused/);
      await s.event('A', 'remote-hold');
      assert.equal(sdpDirection(x.trace.requests('INVITE', 'lin', 'A')[1]?.body ?? ''), 'sendonly');
      assert.equal(sdpDirection(x.trace.responses('INVITE', 200, 'A')[1]?.body ?? ''), 'recvonly', 'our answer');
      lin.send(`resume ${id}`);
      await s.event('A', 'remote-resume');
      await s.hears({ A: [LINPHONE_HZ] });
      lin.send(`terminate ${id}`);
      const end = await s.event('A', 'ended', (e) => e.call === incoming.call);
      assert.equal(end.by, 'remote');
    });
  });

  it('attended transfer, linphonec transferor: A and C swap linphonec for each other (through switchboard server)', async () => {
    await Interop.run(async (x) => {
      const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: [DOMAIN] });
      x.peers.onStop(() => server.stop());
      x.trace.name('proxy', '127.0.0.1', server.uri.port as number);
      const subscriber = { domain: DOMAIN, proxies: [server.uri.toString()], registrar: `sip:${DOMAIN}` };
      const s = await x.phones({ A: { ...subscriber, autoAnswer: 0 }, C: { ...subscriber, autoAnswer: 0 } });
      const lin = await x.linphonec({
        name: 'lin',
        toneHz: LINPHONE_HZ,
        account: { proxy: server.uri.toString(), domain: DOMAIN, password: 'unused' },
      });
      await s.event('A', 'registration', (e) => e.state === 'registered');
      await s.event('C', 'registration', (e) => e.state === 'registered');
      await lin.waitRegistered();

      lin.send(`call sip:a@${DOMAIN}`);
      const id1 = (await lin.expect(/assigned id (\d+)/))[1];
      await lin.expect(new RegExp(`Call ${id1} with .* connected`));
      const atA = await s.event('A', 'incoming');
      await s.hears({ A: [LINPHONE_HZ] });
      lin.send('pause');
      await lin.expect(/is now paused/);
      await s.event('A', 'remote-hold');
      lin.send(`call sip:c@${DOMAIN}`);
      const id2 = (await lin.expect(/assigned id (\d+)/))[1];
      await lin.expect(new RegExp(`Call ${id2} with .* connected`));
      const consult = await s.event('C', 'incoming');
      await s.hears({ C: [LINPHONE_HZ] });

      lin.send(`transfer ${id1} --to-call ${id2}`);
      const accepted = await s.event('A', 'transfer', (e) => e.phase === 'accepted');
      assert.equal(accepted.replaces, true);
      const refer = x.trace.requests('REFER', 'proxy', 'A')[0];
      assert.match(
        refer?.message.getRaw('Refer-To')[0] ?? '',
        new RegExp(`^<sip:c@${DOMAIN.replace('.', '\\.')}\\?Replaces=[^>]+>$`),
        "linphonec's Refer-To: C's AOR, no port, with Replaces",
      );
      const done = await s.event('A', 'transfer', (e) => e.phase === 'completed' || e.phase === 'failed');
      assert.deepEqual([done.phase, done.status], ['completed', 200]);
      const replacing = await s.event('C', 'incoming', (e) => e.replaces === true);
      assert.notEqual(replacing.call, consult.call);
      // C hangs up the consultation call itself; linphonec ends the transferred call after the NOTIFY.
      await s.callState('C', consult.call, 'ended');
      await s.callState('A', atA.call, 'ended');
      await lin.expect(/The distant endpoint .* has been transfered/);
      await lin.saw(new RegExp(`Call ${id1} with .* ended`));
      await lin.saw(new RegExp(`Call ${id2} with .* ended`));
      await s.hears({ A: [1700], C: [440] });
    });
  });

  it('attended transfer, Switchboard transferor: A hands linphonec over to C (INVITE with Replaces from linphonec)', async () => {
    await Interop.run(async (x) => {
      const lin = await x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ, autoAnswer: true });
      const s = await x.phones({ A: {}, C: { autoAnswer: 0 } });
      const heard = join(lin.dir, 'heard.wav');
      lin.send(`record ${heard}`);
      const first = await s.phone('A').dial(lin.uri);
      assert.ok(first.ok);
      await s.callState('A', first.call.call, 'established');
      await s.hears({ A: [LINPHONE_HZ] });
      const second = await s.phone('A').dial(s.uri('C'));
      assert.ok(second.ok);
      await s.callState('A', second.call.call, 'established');
      assert.equal(s.phone('A').get(first.call.call)?.state, 'held', 'dialling held the first call');
      await s.hears({ A: [1700], C: [440] });

      const r = await s.phone('A').transferAttended(first.call.call, second.call.call);
      assert.ok(r.ok, JSON.stringify(r));
      const refer = x.trace.requests('REFER', 'A', 'lin')[0];
      assert.match(refer?.message.getRaw('Refer-To')[0] ?? '', /\?Replaces=/);
      const replacing = await s.event('C', 'incoming', (e) => e.replaces === true);
      assert.match(replacing.remote, /sip:lin@127\.0\.0\.1\b/);
      const invite = x.trace.requests('INVITE', 'lin', 'C')[0];
      assert.match(invite?.text ?? '', /\r\nReplaces: /i, "linphonec's INVITE carries Replaces");
      const done = await s.event('A', 'transfer', (e) => e.phase === 'completed' || e.phase === 'failed');
      assert.deepEqual([done.phase, done.status], ['completed', 200]);
      assert.match(x.trace.requests('NOTIFY', 'lin', 'A').at(-1)?.body ?? '', /^SIP\/2\.0 200/);
      await s.idle('A');
      await s.callState('C', replacing.call, 'established');
      await s.hears({ A: [], C: [LINPHONE_HZ] });
      await recordingHears('linphonec recording of its call to C', () => heard, [1700], 2);
      await lin.expect(/Call \d+ with .* ended/);
      lin.send('calls');
      await lin.expect(/StreamsRunning/);
    });
  });

  it('3-way call on the Switchboard phone with linphonec (calling in) and Switchboard C', async () => {
    await Interop.run(async (x) => {
      const lin = await x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ });
      const s = await x.phones({ A: { autoAnswer: 0 }, C: { autoAnswer: 0 } });
      const heard = join(lin.dir, 'heard.wav');
      lin.send(`record ${heard}`);
      lin.send(`call ${s.uri('A')}`);
      const id = (await lin.expect(/assigned id (\d+)/))[1];
      await lin.expect(new RegExp(`Call ${id} with .* connected`));
      const fromLin = await s.event('A', 'incoming');
      await s.callState('A', fromLin.call, 'established');
      await s.hears({ A: [LINPHONE_HZ] });
      // Dialling C holds linphonec's call (re-INVITE a=sendonly to linphonec, the UAC of that dialog).
      const toC = await s.phone('A').dial(s.uri('C'));
      assert.ok(toC.ok);
      await s.callState('A', toC.call.call, 'established');
      await lin.expect(new RegExp(`Call ${id} has been paused by`));
      await s.hears({ A: [1700], C: [440] });

      assert.ok((await s.phone('A').conference()).ok);
      await lin.expect(/Media streams established/);
      await s.hears({ A: [LINPHONE_HZ, 1700], C: [440, LINPHONE_HZ] });
      await recordingHears('linphonec recording', () => heard, [440, 1700], 2);

      // A leaves the conference by hanging up C: back to a two-party call with linphonec.
      assert.ok(s.phone('A').hangup(toC.call.call).ok);
      await s.event('A', 'conference', (e) => e.state === 'ended');
      await s.hears({ A: [LINPHONE_HZ], C: [] });
    });
  });

  it('3-way call on the Switchboard phone with linphonec and baresip: each hears the other two', async () => {
    await Interop.run(async (x) => {
      const lin = await x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ, autoAnswer: true });
      const bob = await x.baresip({ name: 'bob', toneHz: 2300, answerMode: 'auto' });
      const s = await x.phones({ A: {} });
      const heard = join(lin.dir, 'heard.wav');
      lin.send(`record ${heard}`);
      const toLin = await s.phone('A').dial(lin.uri);
      assert.ok(toLin.ok);
      await s.callState('A', toLin.call.call, 'established');
      await s.hears({ A: [LINPHONE_HZ] });
      const toBob = await s.phone('A').dial(bob.uri);
      assert.ok(toBob.ok);
      await s.callState('A', toBob.call.call, 'established');
      await bob.waitEvent('CALL_ESTABLISHED');
      await s.hears({ A: [2300] });

      const conf = await s.phone('A').conference();
      assert.ok(conf.ok, JSON.stringify(conf));
      await s.event('A', 'conference', (e) => e.state === 'started');
      await s.hears({ A: [LINPHONE_HZ, 2300] });
      // linphonec hears A and baresip; baresip hears A and linphonec (its call never got a re-INVITE).
      await recordingHears('linphonec recording', () => heard, [440, 2300], 2);
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [440, LINPHONE_HZ], 2);

      // baresip leaves: A and linphonec go back to a two-party call.
      await bob.cmd('hangup');
      await s.event('A', 'conference', (e) => e.state === 'ended');
      await s.hears({ A: [LINPHONE_HZ] });
      assert.equal(s.phone('A').active().length, 1);
    });
  });
});
