/**
 * The UA with an asynchronous media factory (the phone binds RTP sockets before it can write its
 * SDP) and with an authenticator: a CANCEL that arrives while the media of an incoming INVITE is
 * still being set up, and digest retries that start from the challenged request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IncomingResponse, type OutgoingRequest, responseTo } from '../../src/sip/index.js';
import { TransactionLayer } from '../../src/transaction/index.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { type Call, type RequestAuthenticator, UserAgent } from '../../src/ua/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { TestMedia } from './test-media.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

describe('UserAgent with asynchronous media', () => {
  it('answers 487 to a CANCEL that arrives while the media is being created, and never rings', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock });
    const mk = (name: string, address: string, createMedia: () => TestMedia | Promise<TestMedia>) =>
      new UserAgent({
        transactions: new TransactionLayer({ transport: net.createTransport({ address, port: 5060 }), clock }),
        identity: `sip:${name}@${address}`,
        clock,
        createMedia,
      });
    let release: (m: TestMedia) => void = () => {};
    const slowMedia: TestMedia[] = [];
    const alice = mk('alice', '10.0.0.1', () => new TestMedia());
    const bob = mk('bob', '10.0.0.2', () => {
      const m = new TestMedia();
      slowMedia.push(m);
      return new Promise<TestMedia>((resolve) => (release = () => resolve(m)));
    });
    let rang = false;
    bob.events.on('incomingCall', () => (rang = true));
    const out: Call = await alice.call('sip:bob@10.0.0.2');
    await settle();
    clock.advance(200); // 100 Trying from the transaction layer: CANCEL may now be sent
    await settle();
    out.hangup();
    await settle();
    release(slowMedia[0] as TestMedia);
    await settle();
    assert.equal(rang, false);
    assert.equal(out.ended?.reason, 'cancelled');
    assert.equal(slowMedia[0]?.stopped, true, 'the media made for the cancelled INVITE is released');
    const statuses = net.packets.filter((p) => p.status !== undefined).map((p) => `${p.status} ${p.method}`);
    assert.ok(statuses.includes('487 INVITE'), statuses.join(', '));
    assert.ok(statuses.includes('200 CANCEL'));
  });
});

describe('UserAgent digest retries', () => {
  it('hands the authenticator the challenged request with its credentials and the next CSeq', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock });
    const seen: { cseq: number; credentials: string[] }[] = [];
    const authenticator: RequestAuthenticator = {
      authorize(request: OutgoingRequest, challenge: IncomingResponse): boolean {
        seen.push({ cseq: request.cseq.seq, credentials: request.getRaw('proxy-authorization') });
        // A second challenge after our own credentials: give up (wrong password).
        if (request.getRaw('proxy-authorization').length > 0) return false;
        request.setRaw('Proxy-Authorization', `Digest username="a", nonce="${challenge.status}"`);
        return true;
      },
    };
    const proxyTransport = net.createTransport({ address: '10.0.0.9', port: 5060 });
    const proxy = new TransactionLayer({ transport: proxyTransport, clock });
    let invites = 0;
    proxy.setUser({
      onRequest: (req, tx) => {
        invites++;
        const res = responseTo(req, 407, { toTag: 'p' });
        res.setRaw('Proxy-Authenticate', 'Digest realm="x", nonce="n"');
        tx.respond(res);
      },
    });
    const alice = new UserAgent({
      transactions: new TransactionLayer({
        transport: net.createTransport({ address: '10.0.0.1', port: 5060 }),
        clock,
      }),
      identity: 'sip:alice@10.0.0.1',
      proxies: ['sip:10.0.0.9'],
      clock,
      authenticator,
      createMedia: () => new TestMedia(),
    });
    const call = await alice.call('sip:bob@example.com');
    const result = await call.waitEstablished();
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.end.status, 407);
    assert.equal(invites, 2);
    assert.deepEqual(seen, [
      { cseq: 2, credentials: [] },
      { cseq: 3, credentials: ['Digest username="a", nonce="407"'] },
    ]);
  });
});
