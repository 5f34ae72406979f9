/**
 * Record-Route and loose routing (RFC 3261 sections 16.4, 16.6 step 4, 16.12): two phones that
 * registered at the server call each other through it, and every request of the dialog — ACK,
 * re-INVITE, REFER, NOTIFY, BYE — travels through the proxy with our Route taken off, the
 * transfer headers relayed untouched. Also the double Record-Route when the transport changes.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { parseUri } from '../../../src/sip/index.js';
import type { Call, UserAgent } from '../../../src/ua/index.js';
import { PROXY, settle, World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function register(w: World, ua: UserAgent): Promise<void> {
  const reg = ua.registration({ registrar: parseUri('sip:example.com'), expires: 600 });
  const done = reg.register();
  await settle(w.clock);
  const r = await done;
  assert.equal(r.ok, true, `registration of ${ua.aor} failed`);
}

async function connect(w: World, caller: UserAgent, callee: UserAgent, target: string): Promise<[Call, Call]> {
  const incoming = callee.events.next('incomingCall');
  const out = await caller.call(target);
  await settle(w.clock);
  const [inc] = await incoming;
  inc.ring();
  await settle(w.clock);
  inc.answer();
  await settle(w.clock);
  assert.equal(out.state, 'established');
  assert.equal(inc.state, 'established');
  return [out, inc];
}

describe('proxy: dialogs through Record-Route', () => {
  it('routes INVITE by the location service and keeps ACK, re-INVITE and BYE on the proxy', async () => {
    const w = (world = new World());
    await w.start();
    const alice = w.phone('alice', '10.0.0.2');
    const bob = w.phone('bob', '10.0.0.3');
    await register(w, alice);
    await register(w, bob);
    w.net.clearPackets();
    const [out, inc] = await connect(w, alice, bob, 'sip:bob@example.com');

    assert.deepEqual(w.between('10.0.0.2', PROXY), [
      '> INVITE',
      '< 100 INVITE',
      '< 180 INVITE',
      '< 200 INVITE',
      '> ACK',
    ]);
    assert.deepEqual(w.between(PROXY, '10.0.0.3'), ['> INVITE', '< 180 INVITE', '< 200 INVITE', '> ACK']);
    assert.deepEqual(w.between('10.0.0.2', '10.0.0.3'), [], 'nothing goes around the proxy');

    const invite = w.messages((p) => p.method === 'INVITE' && !p.status && p.to.address === '10.0.0.3')[0];
    assert.ok(invite && invite.kind === 'request');
    assert.equal(invite.uri.toString(), 'sip:bob@10.0.0.3:5060');
    assert.deepEqual(invite.getRaw('Record-Route'), ['<sip:10.0.0.1:5060;lr>']);
    assert.equal(invite.get('max-forwards'), 69);
    assert.equal(invite.get('via').length, 2);
    assert.match(invite.topVia.branch ?? '', /^z9hG4bKsb\./);
    const ackAtBob = w.messages((p) => p.method === 'ACK' && p.to.address === '10.0.0.3')[0];
    assert.ok(ackAtBob && ackAtBob.kind === 'request');
    assert.equal(ackAtBob.has('route'), false, 'our Route is removed (16.4)');
    const ackAtProxy = w.messages((p) => p.method === 'ACK' && p.to.address === PROXY)[0];
    assert.deepEqual(ackAtProxy?.getRaw('Route'), ['<sip:10.0.0.1:5060;lr>']);

    w.net.clearPackets();
    assert.deepEqual(await out.hold(), { ok: true });
    await settle(w.clock);
    assert.deepEqual(w.between('10.0.0.2', PROXY), ['> INVITE', '< 100 INVITE', '< 200 INVITE', '> ACK']);
    assert.deepEqual(w.between(PROXY, '10.0.0.3'), ['> INVITE', '< 200 INVITE', '> ACK']);

    w.net.clearPackets();
    inc.hangup();
    await settle(w.clock);
    assert.deepEqual(w.between('10.0.0.3', PROXY), ['> BYE', '< 200 BYE']);
    assert.deepEqual(w.between(PROXY, '10.0.0.2'), ['> BYE', '< 200 BYE']);
    const byeAtAlice = w.messages((p) => p.method === 'BYE' && p.to.address === '10.0.0.2' && !p.status)[0];
    assert.equal(byeAtAlice?.has('route'), false);
    assert.equal(out.ended?.reason, 'bye');
    const outcome = w.server?.proxy?.metrics.get('proxy_forwarded_total', { method: 'INVITE' });
    assert.ok((outcome ?? 0) >= 2);
  });

  it('relays REFER and NOTIFY in the dialog with Refer-To, Referred-By and Replaces untouched', async () => {
    const w = (world = new World());
    await w.start();
    const alice = w.phone('alice', '10.0.0.2');
    const bob = w.phone('bob', '10.0.0.3');
    const carol = w.phone('carol', '10.0.0.4');
    for (const ua of [alice, bob, carol]) await register(w, ua);
    const [, bobSide] = await connect(w, alice, bob, 'sip:bob@example.com');
    bobSide.events.on('transferRequested', (t) => {
      const n = t.accept();
      n.notify(200, 'OK');
    });
    w.net.clearPackets();
    const referTo = '<sip:carol@example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>';
    const aliceCall = alice.activeCalls()[0] as Call;
    const result = aliceCall.refer(referTo);
    await settle(w.clock);
    const r = await result;
    assert.equal(r.ok, true);
    assert.deepEqual(w.between('10.0.0.2', PROXY).slice(0, 2), ['> REFER', '< 202 REFER']);
    assert.deepEqual(w.between(PROXY, '10.0.0.3').slice(0, 2), ['> REFER', '< 202 REFER']);
    assert.ok(w.between('10.0.0.3', PROXY).includes('> NOTIFY'));
    assert.ok(w.between(PROXY, '10.0.0.2').includes('> NOTIFY'));
    const sent = w.messages((p) => p.method === 'REFER' && !p.status && p.to.address === PROXY)[0];
    const got = w.messages((p) => p.method === 'REFER' && !p.status && p.to.address === '10.0.0.3')[0];
    assert.ok(sent && got);
    for (const h of ['Refer-To', 'Referred-By'])
      assert.deepEqual(got.getRaw(h), sent.getRaw(h), `${h} relayed as sent`);
    assert.equal(got.getRaw('Refer-To')[0], referTo);
  });

  it('relays Replaces, Also and Requested-By byte for byte', async () => {
    const w = (world = new World());
    await w.start();
    const alice = w.phone('alice', '10.0.0.2');
    await register(w, alice);
    const uas = w.uas('10.0.0.9', (req, tx, u) => u.respond(req, tx, 200));
    await w.bind('dave', 'sip:dave@10.0.0.9');
    const headers: [string, string][] = [
      ['Replaces', '425928@bobster.example.org;to-tag=7743;from-tag=6472'],
      ['Also', '<sip:carol@example.com> ;  x=1'],
      ['Requested-By', '"Bob" <sip:bob@example.com>;tag=zz'],
      ['X-Unknown', 'kept  as   is'],
    ];
    const res = await Promise.all([
      alice.request('MESSAGE', 'sip:dave@example.com', { headers, body: 'hi', contentType: 'text/plain' }),
      settle(w.clock),
    ]);
    assert.equal(res[0].status, 200);
    const got = uas.received[0];
    assert.ok(got);
    for (const [name, value] of headers) assert.deepEqual(got.getRaw(name), [value], name);
    assert.equal(got.bodyText, 'hi');
  });

  it('adds two Record-Route values when the request changes transport (UDP in, TCP out)', async () => {
    const w = (world = new World());
    await w.start();
    const alice = w.phone('alice', '10.0.0.2');
    await register(w, alice);
    const uas = w.uas('10.0.0.9', (req, tx, u) => {
      u.respond(req, tx, 180);
      u.respond(req, tx, 200);
    });
    await w.bind('tcpbob', 'sip:tcpbob@10.0.0.9;transport=tcp');
    const call = await alice.call('sip:tcpbob@example.com');
    await settle(w.clock);
    assert.equal(call.state, 'established');
    const invite = uas.invites[0];
    assert.equal(invite?.flow?.transport, 'tcp');
    assert.deepEqual(invite?.getRaw('Record-Route'), [
      '<sip:10.0.0.1:5060;transport=tcp;lr>',
      '<sip:10.0.0.1:5060;lr>',
    ]);
    // The caller's route set is the reverse: our UDP entry first, then the TCP one; both come off.
    call.hangup();
    await settle(w.clock);
    const bye = uas.received.find((r) => r.method === 'BYE');
    assert.ok(bye, 'the BYE reached the callee over the proxy');
    assert.equal(bye.has('route'), false);
    assert.equal(bye.flow?.transport, 'tcp');
  });

  it('fixes a request routed to it by a strict router (16.4: the last Route becomes the Request-URI)', async () => {
    const w = (world = new World());
    await w.start();
    const uas = w.uas('10.0.0.9', (req, tx, u) => u.respond(req, tx, 200));
    const client = w.uas('10.0.0.8', () => {});
    const raw = [
      'BYE sip:10.0.0.1:5060;lr SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKstrict1',
      'Max-Forwards: 70',
      'Route: <sip:uas@10.0.0.9>',
      'From: <sip:x@example.com>;tag=a',
      'To: <sip:uas@10.0.0.9>;tag=b',
      'Call-ID: strict@10.0.0.8',
      'CSeq: 2 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    client.transactions.transport.resend(Buffer.from(raw), {
      transport: 'udp',
      localAddress: '10.0.0.8',
      localPort: 5060,
      remoteAddress: PROXY,
      remotePort: 5060,
      connectionId: undefined,
    });
    await settle(w.clock);
    const bye = uas.received[0];
    assert.equal(bye?.uri.toString(), 'sip:uas@10.0.0.9');
    assert.equal(bye?.has('route'), false);
  });
});
