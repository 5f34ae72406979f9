import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IncomingRequest, responseTo } from '../../src/sip/index.js';
import {
  type InviteServerTransaction,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from '../../src/transaction/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { FakeTransport, flush } from './fake-transport.js';

function setup(tryingDelayMs?: number) {
  const clock = new VirtualClock();
  const transport = new FakeTransport(clock);
  const requests: { request: IncomingRequest; tx: ServerTransaction }[] = [];
  const acks: { ack: IncomingRequest; acknowledged: boolean }[] = [];
  const cancels: IncomingRequest[] = [];
  const user: TransactionUser = {
    onRequest: (request, tx) => requests.push({ request, tx }),
    onAck: (ack, acknowledged) => acks.push({ ack, acknowledged: acknowledged !== undefined }),
    onCancel: (_invite, cancel) => cancels.push(cancel),
  };
  const layer = new TransactionLayer({
    transport,
    clock,
    user,
    ...(tryingDelayMs === undefined ? {} : { tryingDelayMs }),
  });
  const flow = transport.flowTo('udp', '127.0.0.1', 5070);
  return { clock, transport, layer, requests, acks, cancels, flow };
}

const INVITE = (branch = 'z9hG4bK-inv-1', method = 'INVITE', extra = '') => `${method} sip:bob@127.0.0.1:5060 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};rport
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=al1
To: <sip:bob@127.0.0.1>${extra}
Call-ID: call-1@127.0.0.1
CSeq: 1 ${method}
Contact: <sip:alice@127.0.0.1:5070>
Content-Length: 0

`;

const ACK2XX = `ACK sip:bob@127.0.0.1:5060 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ack-2xx
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=al1
To: <sip:bob@127.0.0.1>;tag=bob1
Call-ID: call-1@127.0.0.1
CSeq: 1 ACK
Content-Length: 0

`;

describe('INVITE server transaction (RFC 3261 17.2.1, RFC 6026)', () => {
  it('sends 100 Trying by itself within 200 ms when the TU is silent', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    assert.equal(t.requests.length, 1);
    t.clock.advance(199);
    await flush();
    const lines = t.transport.startLines();
    assert.deepEqual(
      lines.map((l) => l.line),
      ['SIP/2.0 100 Trying'],
    );
    assert.ok((lines[0]?.time ?? 999) < 200);
  });

  it('sends no 100 when the TU answers at once, and 100 at once when configured with 0', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 486, { toTag: 'b' }));
    t.clock.advance(300);
    await flush();
    assert.deepEqual(
      t.transport.startLines().map((l) => l.line),
      ['SIP/2.0 486 Busy Here'],
    );
    const t0 = setup(0);
    t0.transport.receive(INVITE(), t0.flow);
    await flush();
    assert.deepEqual(
      t0.transport.startLines().map((l) => l.line),
      ['SIP/2.0 100 Trying'],
    );
  });

  it('answers an INVITE retransmission with the last provisional response, without bothering the TU', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 180, { toTag: 'b' }));
    await flush();
    t.transport.receive(INVITE(), t.flow);
    assert.equal(t.requests.length, 1);
    assert.deepEqual(
      t.transport.startLines().map((l) => `${l.line}${l.retransmission ? ' (again)' : ''}`),
      ['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing (again)'],
    );
  });

  it('retransmits a non-2xx final with Timer G capped at T2, stops on ACK, and ends after Timer I', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 486, { toTag: 'b' }));
    await flush();
    t.clock.advance(12_000);
    assert.deepEqual(
      t.transport.sent.map((r) => r.time),
      [0, 500, 1500, 3500, 7500, 11500],
    );
    // The ACK of a non-2xx has the INVITE's branch (17.1.1.3) and matches the transaction.
    t.transport.receive(INVITE('z9hG4bK-inv-1', 'ACK', ';tag=b'), t.flow);
    assert.equal(tx.state, 'Confirmed');
    assert.equal(t.acks.length, 0, 'a non-2xx ACK is absorbed by the transaction');
    t.clock.advance(20_000);
    assert.equal(t.transport.sent.length, 6);
    assert.equal(tx.state, 'Terminated');
    assert.equal(t.layer.stats().serverTransactions, 0);
  });

  it('tells the TU when Timer H fires without an ACK', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    let timedOut = -1;
    tx.setEvents({ onAckTimeout: () => (timedOut = t.clock.now()) });
    tx.respond(responseTo(request, 603, { toTag: 'b' }));
    await flush();
    t.clock.advance(40_000);
    assert.equal(timedOut, 32_000);
    assert.equal(tx.state, 'Terminated');
  });

  it('retransmits a 2xx until the ACK arrives when asked to (section 13.3.1.4), and passes the ACK to the TU', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 200, { toTag: 'bob1' }), { retransmitUntilAck: true });
    await flush();
    t.clock.advance(8000);
    assert.deepEqual(
      t.transport.sent.map((r) => r.time),
      [0, 500, 1500, 3500, 7500],
    );
    assert.equal(t.layer.stats().awaitingAck, 1);
    t.transport.receive(ACK2XX, t.flow);
    assert.deepEqual(
      t.acks.map((a) => a.acknowledged),
      [true],
    );
    assert.equal((tx as InviteServerTransaction).ackReceived, true);
    t.clock.advance(30_000);
    assert.equal(t.transport.sent.length, 5, 'no retransmission after the ACK');
    assert.equal(tx.state, 'Terminated', 'Timer L ended the Accepted state');
    assert.equal(t.layer.stats().awaitingAck, 0);
  });

  it('retransmits a 2xx every T2 at most and reports a missing ACK at Timer L', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    let noAck = false;
    tx.setEvents({ onAckTimeout: () => (noAck = true) });
    tx.respond(responseTo(request, 200, { toTag: 'bob1' }), { retransmitUntilAck: true });
    await flush();
    t.clock.advance(32_000);
    const times = t.transport.sent.map((r) => r.time);
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.equal(noAck, true);
  });

  it('absorbs INVITE retransmissions in the Accepted state and passes the ACK of a proxied 2xx through', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 200, { toTag: 'bob1' })); // a proxy: no retransmission by the transaction
    await flush();
    t.transport.receive(INVITE(), t.flow);
    t.clock.advance(5000);
    assert.equal(t.transport.sent.length, 1);
    assert.equal(t.requests.length, 1);
    t.transport.receive(ACK2XX, t.flow);
    assert.deepEqual(
      t.acks.map((a) => a.acknowledged),
      [false],
    );
    // RFC 6026: further 2xx from the TU are sent in Accepted.
    assert.equal(tx.respond(responseTo(request, 200, { toTag: 'bob1' })), true);
    assert.equal(tx.respond(responseTo(request, 486, { toTag: 'bob1' })), false);
  });

  it('answers CANCEL with 200, tells the TU, and lets it end the INVITE with 487 (section 9.2)', async () => {
    const t = setup();
    t.transport.receive(INVITE(), t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 180, { toTag: 'b' }));
    t.transport.receive(INVITE('z9hG4bK-inv-1', 'CANCEL'), t.flow);
    await flush();
    assert.equal(t.cancels.length, 1);
    assert.equal(t.requests.length, 1, 'a matched CANCEL is not a new request for the TU');
    assert.equal((tx as InviteServerTransaction).cancelRequested, true);
    tx.respond(responseTo(request, 487, { toTag: 'b' }));
    await flush();
    assert.deepEqual(
      t.transport.startLines().map((l) => l.line),
      ['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated'],
    );
    const ok = t.transport.sent[1]?.text ?? '';
    assert.match(ok, /CSeq: 1 CANCEL/);
  });

  it('passes a CANCEL that matches nothing to the TU as a request (a UA answers 481)', () => {
    const t = setup();
    t.transport.receive(INVITE('z9hG4bK-other', 'CANCEL'), t.flow);
    assert.equal(t.requests.length, 1);
    assert.equal(t.requests[0]?.request.method, 'CANCEL');
  });

  it('matches RFC 2543 requests without the magic cookie (and a bare cookie) by the fallback rules', async () => {
    for (const branch of ['old-2543-branch', 'z9hG4bK']) {
      const t = setup();
      t.transport.receive(INVITE(branch), t.flow);
      const { request, tx } = t.requests[0] ?? assert.fail();
      tx.respond(responseTo(request, 180, { toTag: 'b' }));
      await flush();
      t.transport.receive(INVITE(branch), t.flow);
      assert.equal(t.requests.length, 1, `${branch}: retransmission recognised`);
      assert.equal(t.transport.sent.length, 2);
      tx.respond(responseTo(request, 486, { toTag: 'b' }));
      t.transport.receive(INVITE(branch, 'ACK', ';tag=b'), t.flow);
      assert.equal(tx.state, 'Confirmed', `${branch}: ACK matched`);
    }
  });

  it('answers a request without Call-ID with a stateless 400 and creates no transaction', async () => {
    const t = setup();
    t.transport.receive(INVITE().replace('Call-ID: call-1@127.0.0.1\n', ''), t.flow);
    await flush();
    assert.equal(t.requests.length, 0);
    assert.match(t.transport.startLines()[0]?.line ?? '', /^SIP\/2.0 400/);
    assert.equal(t.layer.stats().serverTransactions, 0);
  });
});

describe('non-INVITE server transaction (RFC 3261 17.2.2)', () => {
  const OPTIONS = INVITE('z9hG4bK-opt-1', 'OPTIONS');

  it('absorbs retransmissions in Trying, repeats the last response afterwards, and ends after Timer J', async () => {
    const t = setup();
    t.transport.receive(OPTIONS, t.flow);
    const { request, tx } = t.requests[0] ?? assert.fail();
    t.transport.receive(OPTIONS, t.flow);
    await flush();
    assert.equal(t.transport.sent.length, 0);
    tx.respond(responseTo(request, 200, { toTag: 'b' }));
    await flush();
    t.transport.receive(OPTIONS, t.flow);
    assert.deepEqual(
      t.transport.startLines().map((l) => l.line),
      ['SIP/2.0 200 OK', 'SIP/2.0 200 OK'],
    );
    assert.equal(tx.respond(responseTo(request, 500)), false);
    t.clock.advance(31_999);
    assert.equal(tx.state, 'Completed');
    t.clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.equal(t.layer.stats().serverTransactions, 0);
  });

  it('ends at once after the final response over a reliable transport (Timer J = 0)', async () => {
    const t = setup();
    t.transport.receive(OPTIONS.replace('SIP/2.0/UDP', 'SIP/2.0/TCP'), t.transport.flowTo('tcp', '127.0.0.1', 5070));
    const { request, tx } = t.requests[0] ?? assert.fail();
    tx.respond(responseTo(request, 200, { toTag: 'b' }));
    t.clock.advance(0);
    assert.equal(tx.state, 'Terminated');
  });
});

describe('non-INVITE server transaction without an answer', () => {
  it('is forgotten after 64*T1 when the TU never answers (no leak)', async () => {
    const clock = new VirtualClock();
    const transport = new FakeTransport(clock);
    const layer = new TransactionLayer({ transport, clock, user: { onRequest: () => {} } });
    transport.receive(INVITE('z9hG4bK-silent', 'OPTIONS'), transport.flowTo('udp', '127.0.0.1', 5070));
    assert.equal(layer.stats().serverTransactions, 1);
    clock.advance(32_000);
    assert.equal(layer.stats().serverTransactions, 0);
    assert.equal(transport.sent.length, 0);
  });
});
