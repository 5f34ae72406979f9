/**
 * The rest of the proxy's surface: onBranch and onReply hooks, NAT routing over the registered
 * flow, the proxy alone forwarding REGISTERs to a separate registrar, a stray response forwarded
 * statelessly (16.7/16.11), and the periodic purge of expired bindings.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createRequest, parseUri, responseTo, type SipUri } from '../../../src/sip/index.js';
import { openStores } from '../../../src/store/index.js';
import { TransactionLayer } from '../../../src/transaction/index.js';
import { advance, answer, PROXY, rawRequest, settle, World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('proxy: hooks, NAT routing, proxy alone, stray responses, purge', () => {
  it('lets onBranch edit each branch and onReply keep a provisional from the caller', async () => {
    const w = (world = new World());
    const replies: number[] = [];
    await w.start({
      hooks: [
        {
          onBranch: (ctx) => {
            ctx.request.setRaw('X-Branch', `${ctx.index}/${ctx.transport}`);
          },
          onReply: (ctx) => {
            replies.push(ctx.response.status);
            return ctx.response.status === 183 ? { drop: true } : undefined;
          },
        },
      ],
    });
    const a = w.uas('10.0.0.11', answer(183, 180, 200));
    await w.bind('bob', 'sip:bob@10.0.0.11');
    const alice = w.phone('alice', '10.0.0.2');
    const call = await alice.call('sip:bob@example.com');
    await settle(w.clock);
    assert.equal(call.state, 'established');
    assert.deepEqual(a.invites[0]?.getRaw('X-Branch'), ['0/udp']);
    assert.deepEqual(replies, [183, 180, 200]);
    assert.deepEqual(w.between('10.0.0.2', PROXY), [
      '> INVITE',
      '< 100 INVITE',
      '< 180 INVITE',
      '< 200 INVITE',
      '> ACK',
    ]);
  });

  it('reaches a phone behind NAT over the flow it registered from (natRouting)', async () => {
    const w = (world = new World());
    await w.start({ proxy: { natRouting: true } });
    // The phone thinks it is 192.168.1.20; the network shows it as 203.0.113.7 on another port.
    const transport = w.net.createTransport({ address: '192.168.1.20', nat: { address: '203.0.113.7', port: 40123 } });
    const client = new TransactionLayer({ transport, clock: w.clock });
    const got: string[] = [];
    client.setUser({
      onRequest: (req, tx) => {
        got.push(req.method);
        tx.respond(responseTo(req, 200));
      },
    });
    const reg = client.request(
      createRequest({
        method: 'REGISTER',
        uri: 'sip:example.com',
        from: 'sip:nat@example.com',
        to: 'sip:nat@example.com',
        contact: 'sip:nat@192.168.1.20:5060',
        headers: [['Expires', '600']],
      }),
      { transport: 'udp', address: PROXY, port: 5060 },
    );
    await settle(w.clock);
    const r = await reg;
    assert.equal(r.kind === 'response' && r.response.status, 200);
    const sender = w.raw('10.0.0.8');
    sender.send(rawRequest('MESSAGE', 'sip:nat@example.com', { body: 'hi' }));
    await settle(w.clock);
    const message = w.net.packets.find((p) => p.method === 'MESSAGE' && !p.status && p.flow.localAddress === PROXY);
    assert.equal(message?.to.address, '203.0.113.7');
    assert.equal(message?.to.port, 40123);
    assert.deepEqual(got, ['MESSAGE']);
  });

  it('forwards REGISTERs for its domains to the registrar it is given when it runs alone', async () => {
    const w = (world = new World());
    await w.start({ role: 'proxy', proxy: { registrar: parseUri('sip:10.0.0.50') as SipUri } });
    const registrar = w.uas('10.0.0.50', (req, tx, u) => u.respond(req, tx, 200));
    const client = w.raw('10.0.0.8');
    client.send(rawRequest('REGISTER', 'sip:example.com', { extra: ['Contact: <sip:a@10.0.0.8>'] }));
    await settle(w.clock);
    assert.deepEqual(client.statuses, [200]);
    const got = registrar.received[0];
    assert.equal(got?.uri.toString(), 'sip:example.com', 'the Request-URI is kept');
    assert.deepEqual(got?.getRaw('Route'), ['<sip:10.0.0.50;lr>'], 'a loose Route to the registrar, which removes it');
    const noRegistrar = new World();
    try {
      await noRegistrar.start({ role: 'proxy' });
      const c = noRegistrar.raw('10.0.0.8');
      c.send(rawRequest('REGISTER', 'sip:example.com', { extra: ['Contact: <sip:a@10.0.0.8>'] }));
      await settle(noRegistrar.clock);
      assert.deepEqual(c.statuses, [405]);
      assert.doesNotMatch(c.responses[0]?.getRaw('Allow')[0] ?? '', /REGISTER/);
    } finally {
      await noRegistrar.stop();
    }
  });

  it('forwards a response that matches no transaction statelessly, minus its Via (16.11)', async () => {
    const w = (world = new World());
    await w.start();
    const caller = w.raw('10.0.0.8');
    const callee = w.raw('10.0.0.9');
    callee.send(
      [
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsb.gone.gone.0',
        'Via: SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKcaller;received=10.0.0.8',
        'From: <sip:a@example.com>;tag=1',
        'To: <sip:b@example.com>;tag=2',
        'Call-ID: stray@x',
        'CSeq: 1 INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await settle(w.clock);
    assert.deepEqual(caller.statuses, [200]);
    assert.equal(caller.responses[0]?.get('via').length, 1);
  });

  it("forwards a CANCEL without context statelessly on the INVITE's branch (a restarted proxy, 16.10)", async () => {
    const w = (world = new World());
    const stores = await openStores({ kind: 'sqlite', dataDir: ':memory:' });
    try {
      await w.start({ store: stores });
      const uas = w.uas('10.0.0.11', answer(180));
      await w.bind('bob', 'sip:bob@10.0.0.11');
      const client = w.raw('10.0.0.8');
      const via = 'SIP/2.0/UDP 10.0.0.8:5060;branch=z9hG4bKrestart1';
      client.send(
        rawRequest('INVITE', 'sip:bob@example.com', {
          callId: 'restart@x',
          via,
          from: '<sip:carol@other.example>;tag=c',
        }),
      );
      await settle(w.clock);
      assert.deepEqual(client.statuses, [100, 180]);
      // The proxy goes away with the call ringing; a new one comes up on the same address and store.
      await w.stop();
      await w.start({ store: stores });
      client.send(
        rawRequest('CANCEL', 'sip:bob@example.com', {
          callId: 'restart@x',
          via,
          from: '<sip:carol@other.example>;tag=c',
        }),
      );
      await settle(w.clock);
      assert.equal(uas.cancelled.length, 1, "the callee's INVITE transaction matched the CANCEL");
      assert.deepEqual(client.statuses.slice(2, 4).sort(), [200, 487], 'both answers reach the caller statelessly');
    } finally {
      await w.stop();
      await stores.close();
    }
  });

  it('purges expired bindings periodically', async () => {
    const w = (world = new World());
    const server = await w.start({ purgeIntervalMs: 60_000 });
    await w.bind('bob', 'sip:bob@10.0.0.11', { expires: 30 });
    await w.bind('carol', 'sip:carol@10.0.0.12', { expires: 3600 });
    await advance(w.clock, 61_000, 61_000);
    const all = await server.stores.locations.list(0);
    assert.deepEqual(
      all.map((b) => b.aor),
      ['sip:carol@example.com'],
      'the expired binding is gone from the store, not only hidden',
    );
  });
});
