import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionLayer } from '../../src/transaction/index.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { type Call, UserAgent } from '../../src/ua/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { TestMedia } from './test-media.js';

async function settle(clock: VirtualClock, ms = 0): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
  if (ms > 0) {
    clock.advance(ms);
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
  }
}

function world() {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock });
  const medias = new Map<string, TestMedia[]>();
  const party = (name: string, address: string, options: { codecs?: string } = {}) => {
    const transport = net.createTransport({ address, port: 5060 });
    const transactions = new TransactionLayer({ transport, clock });
    const list: TestMedia[] = [];
    medias.set(name, list);
    return new UserAgent({
      transactions,
      identity: `"${name}" <sip:${name}@${address}>`,
      clock,
      createMedia: () => {
        const m = new TestMedia();
        if (options.codecs) m.codecs = options.codecs;
        list.push(m);
        return m;
      },
    });
  };
  /** Messages between two addresses, as "METHOD" or "status", in order. */
  const between = (a: string, b: string) =>
    net.packets
      .filter(
        (p) =>
          !p.dropped &&
          ((p.flow.localAddress === a && p.to.address === b) || (p.flow.localAddress === b && p.to.address === a)),
      )
      .map((p) => `${p.flow.localAddress === a ? '>' : '<'} ${p.status ?? p.method}${p.status ? ` ${p.method}` : ''}`);
  return { clock, net, party, medias, between };
}

async function established(
  w: ReturnType<typeof world>,
  caller: UserAgent,
  callee: UserAgent,
  target: string,
): Promise<[Call, Call]> {
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

describe('UserAgent calls (RFC 3261 13-15)', () => {
  it('sets up and tears down a call: INVITE, 180, 200, ACK, BYE, 200', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    const [out, inc] = await established(w, alice, bob, 'sip:bob@10.0.0.2');
    assert.deepEqual(w.between('10.0.0.1', '10.0.0.2'), ['> INVITE', '< 180 INVITE', '< 200 INVITE', '> ACK']);
    assert.equal(w.medias.get('alice')?.[0]?.started, 1);
    assert.equal(w.medias.get('bob')?.[0]?.started, 1);
    assert.equal(inc.remoteIdentity.displayName, 'alice');
    out.hangup();
    await settle(w.clock);
    assert.deepEqual(w.between('10.0.0.1', '10.0.0.2').slice(4), ['> BYE', '< 200 BYE']);
    assert.equal(out.ended?.reason, 'bye');
    assert.equal(out.ended?.by, 'local');
    assert.equal(inc.ended?.by, 'remote');
    assert.ok(w.medias.get('bob')?.[0]?.stopped);
    assert.equal(alice.dialogs.size, 0);
    assert.equal(bob.dialogs.size, 0);
  });

  it('busy: the callee rejects with 486 and the caller ACKs', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    bob.events.on('incomingCall', (c) => c.reject(486));
    const out = await alice.call('sip:bob@10.0.0.2');
    const result = await out.waitEstablished();
    await settle(w.clock);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.end.status, 486);
    assert.deepEqual(w.between('10.0.0.1', '10.0.0.2'), ['> INVITE', '< 486 INVITE', '> ACK']);
  });

  it('no answer: the caller cancels while ringing (CANCEL, 200, 487, ACK)', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    let callee: Call | undefined;
    bob.events.on('incomingCall', (c) => {
      callee = c;
      c.ring();
    });
    const out = await alice.call('sip:bob@10.0.0.2');
    await settle(w.clock);
    out.hangup();
    await settle(w.clock);
    assert.deepEqual(w.between('10.0.0.1', '10.0.0.2'), [
      '> INVITE',
      '< 180 INVITE',
      '> CANCEL',
      '< 200 CANCEL',
      '< 487 INVITE',
      '> ACK',
    ]);
    assert.equal(out.ended?.reason, 'cancelled');
    assert.equal(callee?.ended?.reason, 'cancelled');
    assert.equal(callee?.ended?.by, 'remote');
  });

  it('refuses an offer with no common codec with 488 and a Warning, without ringing', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2', { codecs: '8' });
    let rang = false;
    bob.events.on('incomingCall', () => (rang = true));
    const out = await alice.call('sip:bob@10.0.0.2');
    const r = await out.waitEstablished();
    assert.equal(rang, false);
    assert.equal(!r.ok && r.end.status, 488);
    assert.equal(!r.ok && r.end.reason, 'not-acceptable');
    const res = w.net.packets.find((p) => p.status === 488);
    assert.match(res?.bytes.toString() ?? '', /Warning: 304 10\.0\.0\.2 "Media type not available"/);
  });

  it('holds and resumes by re-INVITE; the other side sees remoteHold and remoteResume', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    const [out, inc] = await established(w, alice, bob, 'sip:bob@10.0.0.2');
    const seen: string[] = [];
    inc.events.on('remoteHold', () => seen.push('hold'));
    inc.events.on('remoteResume', () => seen.push('resume'));
    assert.deepEqual(await out.hold(), { ok: true });
    await settle(w.clock);
    assert.equal(out.media.localHold, true);
    assert.equal(inc.media.remoteHold, true);
    assert.deepEqual(await out.resume(), { ok: true });
    await settle(w.clock);
    assert.deepEqual(seen, ['hold', 'resume']);
    const invites = w.net.packets.filter((p) => p.method === 'INVITE' && p.status === undefined);
    assert.match(invites[1]?.bytes.toString() ?? '', /a=sendonly/);
    assert.match(invites[2]?.bytes.toString() ?? '', /a=sendrecv/);
  });

  it('resolves re-INVITE glare with 491 and the section 14.1 back-off', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    const [out, inc] = await established(w, alice, bob, 'sip:bob@10.0.0.2');
    const a = out.hold();
    const b = inc.hold();
    await settle(w.clock);
    assert.ok(w.net.packets.filter((p) => p.status === 491).length >= 1);
    for (let i = 0; i < 20; i++) await settle(w.clock, 500);
    assert.deepEqual(await a, { ok: true });
    assert.deepEqual(await b, { ok: true });
  });

  it('sends the same ACK again, same branch, for a retransmitted 2xx (section 13.2.2.4)', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    bob.events.on('incomingCall', (c) => c.answer());
    w.net.dropNext((p) => p.method === 'ACK' && p.status === undefined);
    const out = await alice.call('sip:bob@10.0.0.2');
    await settle(w.clock);
    await settle(w.clock, 600); // bob's Timer G: the 2xx again
    assert.equal(out.state, 'established');
    const acks = w.net.packets.filter((p) => p.method === 'ACK' && p.status === undefined);
    assert.equal(acks.length, 2);
    const branch = (p: (typeof acks)[number]) => /branch=([^;\r\n]+)/.exec(p.bytes.toString())?.[1];
    assert.equal(branch(acks[0] as never), branch(acks[1] as never));
    assert.equal(acks[1]?.bytes.toString().match(/^Via:/gm)?.length, 1);
    assert.equal(w.net.packets.filter((p) => p.status === 200).length, 2, 'bob stopped retransmitting');
  });

  it('stops retransmitting its 2xx when a BYE shows the ACK was lost', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    bob.events.on('incomingCall', (c) => c.answer());
    w.net.setFilter((p) => (p.method === 'ACK' && p.status === undefined ? 'drop' : 'deliver'));
    const out = await alice.call('sip:bob@10.0.0.2');
    await settle(w.clock);
    out.hangup();
    await settle(w.clock);
    const before = w.net.packets.filter((p) => p.status === 200 && p.method === 'INVITE').length;
    for (let i = 0; i < 10; i++) await settle(w.clock, 1000);
    const after = w.net.packets.filter((p) => p.status === 200 && p.method === 'INVITE').length;
    assert.equal(after, before, 'no 2xx after the BYE');
    assert.equal(bob.activeCalls().length, 0);
  });

  it('answers OPTIONS with Allow, Accept and Supported', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    w.party('bob', '10.0.0.2');
    const res = await alice.request('OPTIONS', 'sip:bob@10.0.0.2');
    assert.ok('get' in res);
    assert.equal(res.status, 200);
    assert.ok(res.get('allow').includes('REFER'));
    assert.ok(res.get('accept').some((m) => m.subtype === 'sdp'));
    assert.ok(res.get('supported').includes('replaces'));
  });

  it('reports a check-sync NOTIFY (reload configuration)', async () => {
    const w = world();
    const alice = w.party('alice', '10.0.0.1');
    const bob = w.party('bob', '10.0.0.2');
    const got = bob.events.next('checkSync');
    const res = await alice.request('NOTIFY', 'sip:bob@10.0.0.2', { headers: [['Event', 'check-sync;reboot=false']] });
    assert.equal(res.status, 200);
    const [req] = await got;
    assert.equal(req.get('event')?.params.get('reboot'), 'false');
  });
});

describe('UserAgent transfer (RFC 3515, 3891, 3892; Cisco BYE/Also)', () => {
  it('blind transfer: REFER, 202, NOTIFYs, BYE; the transferee calls the target with Referred-By', async () => {
    const w = world();
    const a = w.party('a', '10.0.0.1');
    const b = w.party('b', '10.0.0.2');
    const c = w.party('c', '10.0.0.3');
    c.events.on('incomingCall', (call) => call.answer());
    const [bSide, aSide] = await established(w, b, a, 'sip:a@10.0.0.1');
    aSide.events.on('transferRequested', (t) => {
      assert.equal(t.referredBy?.uri.toString(), 'sip:b@10.0.0.2');
      const n = t.accept();
      void a
        .call(t.target, { referredBy: t.referredBy as never })
        .then((next) => next.waitEstablished())
        .then((r) => n.notify(r.ok ? 200 : (r.end.status ?? 500)));
    });
    const result = await bSide.refer('<sip:c@10.0.0.3>');
    assert.equal(result.ok && result.status, 202);
    bSide.hangup(); // BYE right after 202, as in the seeds
    await settle(w.clock);
    const final = result.ok ? await result.completion : undefined;
    assert.equal(final?.status, 200);
    const seq = w.between('10.0.0.2', '10.0.0.1').slice(4);
    const requests = seq.filter((m) => !/^. \d/.test(m));
    assert.deepEqual(requests, ['> REFER', '< NOTIFY', '> BYE', '< NOTIFY']);
    assert.ok(seq.indexOf('< 202 REFER') < seq.indexOf('< NOTIFY'), '202 before the first NOTIFY');
    assert.ok(seq.lastIndexOf('< NOTIFY') > seq.indexOf('> BYE'), 'the final NOTIFY comes after the BYE');
    assert.equal(seq.filter((m) => m === '> 200 NOTIFY').length, 2);
    const invite = w.net.packets.find((p) => p.method === 'INVITE' && p.to.address === '10.0.0.3');
    assert.match(invite?.bytes.toString() ?? '', /Referred-By: <sip:b@10\.0\.0\.2>/);
    assert.equal(b.dialogs.size, 0, 'the subscription ended with the final NOTIFY');
    assert.equal(a.activeCalls().length, 1);
  });

  it('attended transfer: REFER with Replaces; the target answers the INVITE with Replaces and hangs up the old call', async () => {
    const w = world();
    const a = w.party('a', '10.0.0.1');
    const b = w.party('b', '10.0.0.2');
    const c = w.party('c', '10.0.0.3');
    c.events.on('incomingCall', (call) => call.answer());
    const [bToA] = await established(w, b, a, 'sip:a@10.0.0.1');
    const bToC = await b.call('sip:c@10.0.0.3');
    await settle(w.clock);
    assert.equal(bToC.state, 'established');
    a.activeCalls()[0]?.events.on('transferRequested', (t) => {
      assert.ok(t.replaces);
      const n = t.accept();
      const r = t.replaces;
      const replaces = `${r?.callId};to-tag=${r?.params.get('to-tag')};from-tag=${r?.params.get('from-tag')}`;
      void a
        .call(t.target, { referredBy: t.referredBy as never, replaces })
        .then((next) => next.waitEstablished())
        .then((res) => n.notify(res.ok ? 200 : 500));
    });
    const replaced = c.events.next('callReplaced');
    const result = await bToA.refer('<sip:c@10.0.0.3>', { replaces: bToC });
    assert.ok(result.ok);
    await settle(w.clock);
    const [, old] = await replaced;
    assert.equal(old.ended?.reason, 'replaced');
    assert.equal(bToC.ended?.by, 'remote', 'C hung up the consultation call');
    const invite = w.net.packets.find(
      (p) =>
        p.method === 'INVITE' &&
        p.status === undefined &&
        p.flow.localAddress === '10.0.0.1' &&
        p.to.address === '10.0.0.3',
    );
    assert.match(
      invite?.bytes.toString() ?? '',
      new RegExp(`Replaces: ${bToC.callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};to-tag=`),
    );
    bToA.hangup();
    await settle(w.clock);
    assert.equal(c.activeCalls().length, 1, 'A and C talk');
  });

  it('falls back to BYE with Also when the transferee answers REFER with 501, and the transferee calls with Requested-By', async () => {
    const w = world();
    const a = w.party('a', '10.0.0.1');
    const b = w.party('b', '10.0.0.2');
    const c = w.party('c', '10.0.0.3');
    a.events.on('incomingCall', (call) => {
      call.answer();
      call.events.on('transferRequested', (t) => t.reject(501));
      call.events.on('ended', (end) => {
        const also = end.also?.[0];
        if (also) void a.call(also.uri, { requestedBy: end.by === 'remote' ? call.remoteIdentity : undefined });
      });
    });
    c.events.on('incomingCall', (call) => call.answer());
    const out = await b.call('sip:a@10.0.0.1');
    await settle(w.clock);
    const result = await out.refer('<sip:c@10.0.0.3>', { fallbackToAlso: true });
    await settle(w.clock);
    assert.deepEqual(result.ok && [result.method, result.status], ['also', 200]);
    const bye = w.net.packets.find((p) => p.method === 'BYE' && p.status === undefined);
    assert.match(bye?.bytes.toString() ?? '', /Also: <sip:c@10\.0\.0\.3>/);
    const invite = w.net.packets.find(
      (p) => p.method === 'INVITE' && p.status === undefined && p.to.address === '10.0.0.3',
    );
    assert.match(invite?.bytes.toString() ?? '', /Requested-By: b <sip:b@10\.0\.0\.2>\r\n/);
    assert.equal(c.activeCalls()[0]?.state, 'established');
  });
});
