/**
 * baresip 1.0.0 and linphonec 5.1 register with digest authentication at `switchboard server`
 * (startServer in this process: proxy and registrar on one ephemeral UDP port of 127.0.0.1, users
 * in its store) and call each other through it, both ways (issue 6).
 *
 * What must hold: each REGISTER is challenged once (401) and accepted with credentials (200), the
 * store then holds a binding per AOR; each INVITE from a user of the domain is challenged (407),
 * sent again with Proxy-Authorization, and reaches the other phone at its registered contact;
 * the calls are up on both sides and the audio flows both ways through the real peers: baresip
 * sends 440 Hz, linphonec 1000 Hz, and each one's recording of what it received holds the other's
 * tone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServer } from '../../src/roles/server/index.js';
import { Interop, recordingHears } from '../helpers/peers/interop.js';
import { until } from '../helpers/peers/peer-process.js';

const DOMAIN = 'example.test';
const BARESIP_HZ = 440;
const LINPHONE_HZ = 1000;

describe('interop: baresip and linphonec through switchboard server', () => {
  it('offering SHA-256 besides MD5: linphonec registers, baresip 1.0.0 gives up', async () => {
    await Interop.run(async (x) => {
      const server = await startServer({
        listen: ['udp:127.0.0.1:0'],
        domains: [DOMAIN],
        auth: { algorithms: ['MD5', 'SHA-256'] },
      });
      x.peers.onStop(() => server.stop());
      const proxy = server.uri.toString();
      x.trace.name('server', '127.0.0.1', server.uri.port as number);
      await server.stores.users.add({ username: 'bob', domain: DOMAIN }, 'bob-secret');
      await server.stores.users.add({ username: 'lin', domain: DOMAIN }, 'lin-secret');
      const [bob, lin] = await Promise.all([
        x.baresip({
          name: 'bob',
          toneHz: BARESIP_HZ,
          account: () =>
            `<sip:bob@${DOMAIN}>;auth_pass=bob-secret;regint=600;outbound="${proxy}";audio_codecs=PCMU,PCMA`,
        }),
        x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ, account: { proxy, domain: DOMAIN, password: 'lin-secret' } }),
      ]);
      await lin.waitRegistered();
      const linAuth = x.trace.requests('REGISTER', 'lin', 'server').find((r) => r.message.has('authorization'));
      assert.match(
        linAuth?.message.getRaw('Authorization')[0] ?? '',
        /algorithm=MD5/,
        'linphonec takes the first (MD5)',
      );
      // libre's digest client (baresip 1.0.0) fails the whole challenge with ENOSYS as soon as one
      // WWW-Authenticate names an algorithm other than MD5, even with an MD5 one before it.
      await until('baresip to give up on the 401', () =>
        /Register: Function not implemented/.test(bob.logTail(20_000)),
      );
      const challenge = x.trace.responses('REGISTER', 401, 'server').find(toUser('bob'));
      assert.deepEqual(
        challenge?.message.getRaw('WWW-Authenticate').map((h) => /algorithm=([\w-]+)/.exec(h)?.[1]),
        ['MD5', 'SHA-256'],
      );
      const registers = x.trace.requests('REGISTER', 'bob', 'server');
      assert.equal(
        registers.filter((r) => r.message.has('authorization')).length,
        0,
        'baresip never sends credentials',
      );
      assert.doesNotMatch((await bob.cmd('reginfo')).data, /\bOK\b/);
    });
  });

  it('register with digest and call each other both ways', async () => {
    await Interop.run(async (x) => {
      // The default challenge is MD5 alone: baresip 1.0.0 cannot register when SHA-256 is offered too.
      const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: [DOMAIN], auth: {} });
      x.peers.onStop(() => server.stop());
      const proxy = server.uri.toString();
      x.trace.name('server', '127.0.0.1', server.uri.port as number);
      await server.stores.users.add({ username: 'bob', domain: DOMAIN }, 'bob-secret');
      await server.stores.users.add({ username: 'lin', domain: DOMAIN }, 'lin-secret');

      const [bob, lin] = await Promise.all([
        x.baresip({
          name: 'bob',
          toneHz: BARESIP_HZ,
          account: () =>
            `<sip:bob@${DOMAIN}>;auth_pass=bob-secret;regint=600;outbound="${proxy}";answermode=manual;audio_codecs=PCMU,PCMA`,
        }),
        x.linphonec({ name: 'lin', toneHz: LINPHONE_HZ, account: { proxy, domain: DOMAIN, password: 'lin-secret' } }),
      ]);

      // Registration: 401, then 200 with credentials, for each.
      await until('baresip registered', () => x.trace.responses('REGISTER', 200, 'server').some(toUser('bob')), 20_000);
      const reginfo = (await bob.cmd('reginfo')).data;
      assert.match(reginfo, new RegExp(`sip:bob@${DOMAIN}.*OK`), reginfo);
      await lin.waitRegistered();
      for (const user of ['bob', 'lin']) {
        const registers = x.trace.requests('REGISTER', user, 'server');
        const challenged = x.trace.responses('REGISTER', 401, 'server').filter(toUser(user));
        assert.ok(challenged.length >= 1, `${user}: REGISTER challenged (401)`);
        assert.equal(registers[0]?.message.has('authorization'), false, `${user}: first REGISTER without credentials`);
        const withAuth = registers.find((r) => r.message.has('authorization'));
        assert.match(withAuth?.message.getRaw('Authorization')[0] ?? '', new RegExp(`^Digest .*username="${user}"`));
        const bindings = await server.stores.locations.get(`sip:${user}@${DOMAIN}`, Date.now());
        assert.equal(bindings.length, 1, `${user}: one binding (${JSON.stringify(bindings)})`);
        assert.match(bindings[0]?.contact ?? '', /@127\.0\.0\.1:\d+/, `${user}'s contact`);
      }

      // baresip calls linphonec.
      const heard1 = join(lin.dir, 'heard-1.wav');
      lin.send(`record ${heard1}`);
      await bob.cmd('dial', `sip:lin@${DOMAIN}`);
      const inc = await lin.expect(/Receiving new incoming call from (.*), assigned id (\d+)/);
      assert.match(inc[1] ?? '', new RegExp(`sip:bob@${DOMAIN}`));
      lin.send(`answer ${inc[2]}`);
      await lin.expect(/Call \d+ with .* connected/);
      await bob.waitEvent('CALL_ESTABLISHED');
      assertChallenged(x, 'bob');
      await recordingHears('linphonec recording', () => heard1, [BARESIP_HZ], 2);
      await recordingHears('baresip -dec.wav', () => bob.recordings().dec[0], [LINPHONE_HZ], 2);
      lin.send(`terminate ${inc[2]}`);
      await bob.waitEvent('CALL_CLOSED');

      // linphonec calls baresip.
      const heard2 = join(lin.dir, 'heard-2.wav');
      lin.send(`record ${heard2}`);
      lin.send(`call sip:bob@${DOMAIN}`);
      const id = (await lin.expect(/assigned id (\d+)/))[1];
      const incoming = await bob.waitEvent('CALL_INCOMING');
      assert.match(incoming.peeruri ?? '', new RegExp(`^sip:lin@${DOMAIN}`));
      await bob.cmd('accept');
      await lin.expect(new RegExp(`Call ${id} with .* connected`));
      await bob.waitEvent('CALL_ESTABLISHED');
      assertChallenged(x, 'lin');
      await recordingHears('linphonec recording', () => heard2, [BARESIP_HZ], 2);
      await recordingHears('baresip -dec.wav of the second call', () => bob.recordings().dec[1], [LINPHONE_HZ], 2);
      await bob.cmd('hangup');
      await lin.expect(new RegExp(`Call ${id} with .* ended`));
    });
  });
});

function toUser(user: string) {
  return (m: { message: { to: { uri: { toString(): string } } } }) =>
    m.message.to.uri.toString().startsWith(`sip:${user}@`);
}

/** The caller's INVITE got a 407 and came back with Proxy-Authorization, and went on to the callee. */
function assertChallenged(x: Interop, caller: string): void {
  const invites = x.trace.requests('INVITE', caller, 'server');
  assert.ok(invites.length >= 2, `${caller}: INVITE, then INVITE with credentials (got ${invites.length})`);
  assert.equal(invites[0]?.message.has('proxy-authorization'), false);
  assert.ok(
    x.trace.responses('INVITE', 407, 'server').some((r) => r.message.callId === invites[0]?.message.callId),
    `${caller}: 407 to the first INVITE`,
  );
  const authed = invites.find((i) => i.message.has('proxy-authorization'));
  assert.match(authed?.message.getRaw('Proxy-Authorization')[0] ?? '', new RegExp(`username="${caller}"`));
  const callee = caller === 'bob' ? 'lin' : 'bob';
  assert.ok(
    x.trace.requests('INVITE', 'server', callee).some((i) => i.message.callId === authed?.message.callId),
    `the INVITE reached ${callee}`,
  );
}
