/**
 * Forking and the response context (RFC 3261 sections 16.6 to 16.10, RFC 5393): parallel and
 * serial search by q, the best response (6xx stops the search, 5xx and 4xx move on, the caller
 * gets the most useful final answer, 401/407 challenges merged), 3xx recursion, CANCEL to every
 * pending branch, the per-branch ring timeout, Timer C, failure hooks (forward on busy) and
 * Max-Breadth. Callees are scripted UASs; the caller is a UA-layer phone.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Target } from '../../../src/roles/proxy/index.js';
import { parseUri } from '../../../src/sip/index.js';
import type { CallResult, UserAgent } from '../../../src/ua/index.js';
import { advance, answer, PROXY, settle, World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const A = '10.0.0.11';
const B = '10.0.0.12';
const C = '10.0.0.13';

const phones = new WeakMap<World, UserAgent>();

async function dial(w: World, target = 'sip:bob@example.com'): Promise<{ result: Promise<CallResult> }> {
  let alice = phones.get(w);
  if (alice === undefined) {
    alice = w.phone('alice', '10.0.0.2');
    phones.set(w, alice);
  }
  const call = await alice.call(target);
  return { result: call.waitEstablished() };
}

function finalStatus(r: CallResult): number | undefined {
  return r.ok ? 200 : r.end.status;
}

describe('proxy: forking and best response', () => {
  it('forks in parallel to contacts of equal q; the first 200 wins and the other branch is CANCELled', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, answer(180));
    const b = w.uas(B, (req, tx, u) => {
      if (req.method === 'INVITE') {
        u.respond(req, tx, 180);
        u.respond(req, tx, 200);
      }
    });
    await w.bind('bob', `sip:bob@${A}`);
    await w.bind('bob', `sip:bob@${B}`);
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 200);
    assert.equal(a.invites.length, 1);
    assert.equal(b.invites.length, 1);
    assert.equal(a.cancelled.length, 1, 'the ringing branch is CANCELled (16.7 step 10)');
    assert.equal(a.cancelled[0]?.getRaw('Reason')[0], 'SIP;cause=200;text="Call completed elsewhere"');
    assert.deepEqual(w.between(PROXY, A), [
      '> INVITE',
      '< 180 INVITE',
      '> CANCEL',
      '< 200 CANCEL',
      '< 487 INVITE',
      '> ACK',
    ]);
  });

  it('tries higher q first and moves on after a 486 and a 503 (serial search)', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, answer(486));
    const b = w.uas(B, answer(503));
    const c = w.uas(C, answer(180, 200));
    await w.bind('bob', `sip:bob@${C}`, { q: 0.1 });
    await w.bind('bob', `sip:bob@${A}`, { q: 1 });
    await w.bind('bob', `sip:bob@${B}`, { q: 0.5 });
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 200);
    const order = w.net.packets
      .filter((p) => p.method === 'INVITE' && !p.status && p.flow.localAddress === PROXY)
      .map((p) => p.to.address);
    assert.deepEqual(order, [A, B, C]);
    assert.equal(a.acks.length + b.acks.length, 0, 'the ACKs of 486/503 are hop by hop, inside the transactions');
    assert.equal(c.invites.length, 1);
  });

  it('stops at a 6xx: no new branch, the ringing ones CANCELled, the caller gets the 6xx', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, answer(603));
    const b = w.uas(B, answer(180));
    const c = w.uas(C, answer(200));
    await w.bind('bob', `sip:bob@${A}`, { q: 1 });
    await w.bind('bob', `sip:bob@${B}`, { q: 1 });
    await w.bind('bob', `sip:bob@${C}`, { q: 0.5 });
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 603);
    assert.equal(a.invites.length, 1);
    assert.equal(b.cancelled.length, 1);
    assert.equal(c.invites.length, 0, 'a 6xx ends the search (16.7 step 5)');
  });

  it('answers 500 when the only final response was a 503 (16.7 step 6)', async () => {
    const w = (world = new World());
    await w.start();
    w.uas(A, answer(503));
    await w.bind('bob', `sip:bob@${A}`);
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 500);
  });

  it('prefers the busy callee over a made-up timeout and a 404', async () => {
    const w = (world = new World());
    await w.start({ proxy: { ringTimeoutMs: 4000 } });
    w.uas(A, answer(404));
    w.uas(B, answer(180));
    w.uas(C, answer(486));
    for (const x of [A, B, C]) await w.bind('bob', `sip:bob@${x}`);
    const { result } = await dial(w);
    await advance(w.clock, 5000);
    assert.equal(finalStatus(await result), 486);
  });

  it('merges the challenges of every 401/407 into the one sent upstream (16.7 step 7)', async () => {
    const w = (world = new World());
    await w.start();
    const challenge = (status: number, header: string, realm: string) =>
      ((req, tx, u) => {
        if (req.method === 'INVITE')
          u.respond(req, tx, status, [[header, `Digest realm="${realm}", nonce="n${realm}"`]]);
      }) as Parameters<World['uas']>[1];
    w.uas(A, challenge(401, 'WWW-Authenticate', 'a.example'));
    w.uas(B, challenge(407, 'Proxy-Authenticate', 'b.example'));
    w.uas(C, answer(480));
    for (const x of [A, B, C]) await w.bind('bob', `sip:bob@${x}`);
    const { result } = await dial(w);
    await settle(w.clock);
    const status = finalStatus(await result);
    assert.ok(status === 401 || status === 407, `got ${status}`);
    const up = w.messages((p) => (p.status === 401 || p.status === 407) && p.to.address === '10.0.0.2')[0];
    assert.ok(up);
    assert.deepEqual(up.getRaw('WWW-Authenticate'), ['Digest realm="a.example", nonce="na.example"']);
    assert.deepEqual(up.getRaw('Proxy-Authenticate'), ['Digest realm="b.example", nonce="nb.example"']);
  });

  it('recurses on the Contacts of a 3xx and never calls a target twice', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, (req, tx, u) => {
      if (req.method === 'INVITE') u.respond(req, tx, 302, [['Contact', `<sip:carol@${C}>;q=0.7, <sip:bob@${A}>`]]);
    });
    const c = w.uas(C, answer(180, 200));
    await w.bind('bob', `sip:bob@${A}`);
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 200);
    assert.equal(a.invites.length, 1, 'the 3xx pointing back at a tried target is not followed');
    assert.equal(c.invites[0]?.uri.toString(), `sip:carol@${C}`);
    assert.equal(
      w.messages((p) => p.status === 302 && p.to.address === '10.0.0.2').length,
      0,
      'the 3xx stays in the proxy',
    );
  });

  it('forwards a CANCEL to every pending branch; the caller gets 487', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, answer(180));
    const b = w.uas(B, answer(180));
    await w.bind('bob', `sip:bob@${A}`);
    await w.bind('bob', `sip:bob@${B}`);
    const alice = w.phone('alice', '10.0.0.2');
    const call = await alice.call('sip:bob@example.com');
    const result = call.waitEstablished();
    await settle(w.clock);
    call.hangup();
    await settle(w.clock);
    assert.equal(finalStatus(await result), 487);
    assert.equal(a.cancelled.length, 1);
    assert.equal(b.cancelled.length, 1);
    assert.deepEqual(w.between('10.0.0.2', PROXY), [
      '> INVITE',
      '< 100 INVITE',
      '< 180 INVITE',
      '< 180 INVITE',
      '> CANCEL',
      '< 200 CANCEL',
      '< 487 INVITE',
      '> ACK',
    ]);
  });

  it('gives up on a branch after the ring timeout (CANCEL) and calls the next target', async () => {
    const w = (world = new World());
    await w.start({ proxy: { ringTimeoutMs: 20_000 } });
    const a = w.uas(A, answer(180));
    const b = w.uas(B, answer(180, 200));
    await w.bind('bob', `sip:bob@${A}`, { q: 1 });
    await w.bind('bob', `sip:bob@${B}`, { q: 0.5 });
    const { result } = await dial(w);
    await advance(w.clock, 19_000, 1000);
    assert.equal(b.invites.length, 0, 'B waits while A rings');
    await advance(w.clock, 2000, 1000);
    assert.equal(a.cancelled.length, 1);
    assert.equal(b.invites.length, 1);
    assert.equal(finalStatus(await result), 200);
  });

  it('runs Timer C: CANCEL after a provisional, 408 without one', async () => {
    const w = (world = new World());
    await w.start({ proxy: { timerCMs: 30_000 } });
    const a = w.uas(A, answer(180));
    await w.bind('bob', `sip:bob@${A}`);
    const { result } = await dial(w);
    await advance(w.clock, 29_000, 1000);
    assert.equal(a.cancelled.length, 0);
    await advance(w.clock, 2000, 1000);
    assert.equal(a.cancelled.length, 1, 'Timer C fired: the branch is CANCELled (16.8)');
    assert.equal(finalStatus(await result), 487);

    // A host that has gone away: nothing comes back, not even 100 Trying.
    const silent = w.uas('10.0.0.14', () => {});
    w.net.setFilter((p) => (p.flow.localAddress === '10.0.0.14' ? 'drop' : undefined));
    await w.bind('dave', 'sip:dave@10.0.0.14');
    const second = await dial(w, 'sip:dave@example.com');
    await advance(w.clock, 31_000, 1000);
    assert.ok(silent.invites.length >= 1);
    assert.equal(finalStatus(await second.result), 408);
  });

  it('lets onFailure forward a busy call elsewhere (Kamailio failure_route)', async () => {
    const w = (world = new World());
    const seen: number[] = [];
    const voicemail: Target = { uri: parseUri(`sip:vm@${C}`) };
    await w.start({
      hooks: [
        {
          onFailure: (ctx) => {
            seen.push(ctx.best.status);
            return ctx.best.status === 486 && ctx.round === 0 ? { kind: 'forward', targets: [voicemail] } : undefined;
          },
        },
      ],
    });
    w.uas(A, answer(486));
    const vm = w.uas(C, answer(200));
    await w.bind('bob', `sip:bob@${A}`);
    const { result } = await dial(w);
    await settle(w.clock);
    assert.equal(finalStatus(await result), 200);
    assert.deepEqual(seen, [486]);
    assert.equal(vm.invites[0]?.uri.toString(), `sip:vm@${C}`);
  });

  it('lets onFailure forward when the user has no binding (forward on not registered)', async () => {
    const w = (world = new World());
    await w.start({
      hooks: [
        {
          onFailure: (ctx) =>
            ctx.best.status === 480 ? { kind: 'forward', targets: [{ uri: parseUri(`sip:vm@${C}`) }] } : undefined,
        },
      ],
    });
    const vm = w.uas(C, answer(200));
    const { result } = await dial(w, 'sip:nobody@example.com');
    await settle(w.clock);
    assert.equal(finalStatus(await result), 200);
    assert.equal(vm.invites.length, 1);
  });

  it('answers 480 for a user without a binding', async () => {
    const w = (world = new World());
    await w.start();
    const { result } = await dial(w, 'sip:nobody@example.com');
    await settle(w.clock);
    assert.equal(finalStatus(await result), 480);
  });

  it('honours Max-Breadth: 1 means one branch at a time, each forwarded with Max-Breadth 1 (RFC 5393)', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, (req, tx, u) => u.respond(req, tx, 486));
    const b = w.uas(B, (req, tx, u) => u.respond(req, tx, 200));
    await w.bind('bob', `sip:bob@${A}`);
    await w.bind('bob', `sip:bob@${B}`);
    const alice = w.phone('alice', '10.0.0.2');
    const res = alice.request('MESSAGE', 'sip:bob@example.com', {
      headers: [['Max-Breadth', '1']],
      body: 'x',
      contentType: 'text/plain',
    });
    await settle(w.clock);
    assert.equal((await res).status, 200);
    const [first, second] = w.net.packets.filter(
      (p) => p.method === 'MESSAGE' && !p.status && p.flow.localAddress === PROXY,
    );
    assert.ok(first && second);
    const firstResponse = w.net.packets.findIndex((p) => p.status === 486);
    assert.ok(w.net.packets.indexOf(second) > firstResponse, 'the second branch starts after the first failed');
    assert.deepEqual(a.received[0]?.getRaw('Max-Breadth'), ['1']);
    assert.deepEqual(b.received[0]?.getRaw('Max-Breadth'), ['1']);
  });

  it('splits the default Max-Breadth of 60 among parallel branches', async () => {
    const w = (world = new World());
    await w.start();
    const a = w.uas(A, answer(200));
    const b = w.uas(B, answer(200));
    await w.bind('bob', `sip:bob@${A}`);
    await w.bind('bob', `sip:bob@${B}`);
    const alice = w.phone('alice', '10.0.0.2');
    const res = alice.request('OPTIONS', 'sip:bob@example.com');
    await settle(w.clock);
    assert.equal((await res).status, 200);
    assert.deepEqual([a.received[0]?.getRaw('Max-Breadth'), b.received[0]?.getRaw('Max-Breadth')], [['30'], ['30']]);
  });
});
