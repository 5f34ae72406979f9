/**
 * The registration client (RFC 3261 section 10.2) under a virtual clock: one Call-ID and a
 * growing CSeq for every REGISTER, a refresh before the granted expiry runs out, 423 Interval Too
 * Brief answered with Min-Expires, and Expires: 0 to unregister.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IncomingRequest, parseUri, responseTo } from '../../src/sip/index.js';
import { TransactionLayer } from '../../src/transaction/index.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import { UserAgent } from '../../src/ua/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { TestMedia } from './test-media.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

function world(grant: (req: IncomingRequest) => { status: number; expires?: number; minExpires?: number }) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock });
  const seen: IncomingRequest[] = [];
  const registrar = new TransactionLayer({
    transport: net.createTransport({ address: '10.0.0.9', port: 5060 }),
    clock,
  });
  registrar.setUser({
    onRequest: (req, tx) => {
      seen.push(req);
      const g = grant(req);
      const res = responseTo(req, g.status, { toTag: 'r' });
      if (g.status === 200) {
        for (const c of req.get('contact')) res.append('contact', c.withParam('expires', String(g.expires ?? 0)));
      }
      if (g.minExpires !== undefined) res.set('min-expires', g.minExpires);
      tx.respond(res);
    },
  });
  const ua = new UserAgent({
    transactions: new TransactionLayer({ transport: net.createTransport({ address: '10.0.0.1', port: 5060 }), clock }),
    identity: 'sip:alice@example.com',
    clock,
    createMedia: () => new TestMedia(),
  });
  return { clock, seen, ua };
}

describe('Registration', () => {
  it('refreshes before the granted expiry, on one Call-ID with a growing CSeq, and unregisters', async () => {
    const w = world((req) => ({ status: 200, expires: req.get('expires') === 0 ? 0 : 60 }));
    const reg = w.ua.registration({ registrar: parseUri('sip:10.0.0.9'), expires: 3600 });
    const first = reg.register();
    await settle();
    const granted = await first;
    assert.equal(granted.ok && granted.expires, 60);
    assert.equal(reg.state, 'registered');
    assert.equal(w.seen.length, 1);
    w.clock.advance(50_000);
    await settle();
    assert.equal(w.seen.length, 1, 'no refresh before 90 % of the interval');
    w.clock.advance(5_000);
    await settle();
    assert.equal(w.seen.length, 2, 'refreshed at 54 s of 60');
    assert.equal(w.seen[1]?.callId, w.seen[0]?.callId);
    assert.ok((w.seen[1]?.cseq.seq ?? 0) > (w.seen[0]?.cseq.seq ?? 0));
    const un = reg.unregister();
    await settle();
    assert.equal((await un).ok, true);
    assert.equal(w.seen[2]?.get('expires'), 0);
    assert.equal(reg.state, 'unregistered');
    w.clock.advance(120_000);
    await settle();
    assert.equal(w.seen.length, 3, 'no refresh after unregistering');
  });

  it('answers 423 Interval Too Brief with the Min-Expires asked for', async () => {
    const w = world((req) =>
      (req.get('expires') ?? 0) < 600 ? { status: 423, minExpires: 600 } : { status: 200, expires: 600 },
    );
    const reg = w.ua.registration({ registrar: parseUri('sip:10.0.0.9'), expires: 60 });
    const r = reg.register();
    await settle();
    const result = await r;
    assert.equal(result.ok && result.expires, 600);
    assert.deepEqual(
      w.seen.map((q) => q.get('expires')),
      [60, 600],
    );
  });
});
