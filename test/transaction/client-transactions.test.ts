import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequest, type IncomingResponse, parseOrThrow, responseTo } from '../../src/sip/index.js';
import {
  type ClientTransaction,
  type ClientTransactionFailure,
  type InviteClientTransaction,
  TransactionLayer,
} from '../../src/transaction/index.js';
import { TransportError } from '../../src/transport/types.js';
import { VirtualClock } from '../../src/util/clock.js';
import { FakeTransport, flush } from './fake-transport.js';

const peer = { transport: 'udp', address: '127.0.0.1', port: 5070 } as const;

function setup() {
  const clock = new VirtualClock();
  const transport = new FakeTransport(clock);
  const layer = new TransactionLayer({ transport, clock });
  const responses: IncomingResponse[] = [];
  const failures: { failure: ClientTransactionFailure; at: number }[] = [];
  const terminated: ClientTransaction[] = [];
  const user = {
    onResponse: (r: IncomingResponse) => responses.push(r),
    onFailure: (f: ClientTransactionFailure) => failures.push({ failure: f, at: clock.now() }),
    onTerminated: (t: ClientTransaction) => terminated.push(t),
  };
  return { clock, transport, layer, responses, failures, terminated, user };
}

function invite() {
  return createRequest({
    method: 'INVITE',
    uri: 'sip:bob@127.0.0.1:5070',
    from: '<sip:alice@127.0.0.1>',
    to: '<sip:bob@127.0.0.1>',
    contact: '<sip:alice@127.0.0.1:5060>',
    cseq: 1,
  });
}

/** The peer's response to the last request the transport sent. */
function answer(t: ReturnType<typeof setup>, status: number, toTag = 'peer1') {
  const sent = t.transport.sent.filter((r) => !r.text.startsWith('SIP/')).at(-1);
  assert.ok(sent);
  const req = parseOrThrow(sent.text);
  assert.equal(req.kind, 'request');
  const res = responseTo(req as never, status, { toTag });
  t.transport.receive(res.toString(), sent.flow);
}

describe('INVITE client transaction (RFC 3261 17.1.1, RFC 6026)', () => {
  it('retransmits an INVITE over UDP at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and times out with 408 at 32 s', async () => {
    const t = setup();
    t.layer.sendRequest(invite(), peer, t.user);
    await flush();
    t.clock.advance(40_000);
    const times = t.transport.sent.map((r) => r.time);
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.ok(t.transport.sent.every((r) => r.text.startsWith('INVITE ')));
    assert.deepEqual(t.failures, [{ failure: { kind: 'timeout', status: 408 }, at: 32000 }]);
    assert.equal(t.terminated.length, 1);
    assert.equal(t.layer.stats().clientTransactions, 0);
  });

  it('honours configured T1', async () => {
    const clock = new VirtualClock();
    const transport = new FakeTransport(clock);
    const layer = new TransactionLayer({ transport, clock, timers: { T1: 100 } });
    const failures: number[] = [];
    layer.sendRequest(invite(), peer, { onResponse: () => {}, onFailure: () => failures.push(clock.now()) });
    await flush();
    clock.advance(10_000);
    assert.deepEqual(
      transport.sent.map((r) => r.time),
      [0, 100, 300, 700, 1500, 3100, 6300],
    );
    assert.deepEqual(failures, [6400]);
  });

  it('sends the INVITE once over TCP and times out at 64*T1', async () => {
    const t = setup();
    t.layer.sendRequest(invite(), { ...peer, transport: 'tcp' }, t.user);
    await flush();
    t.clock.advance(40_000);
    assert.equal(t.transport.sent.length, 1);
    assert.equal(t.failures[0]?.at, 32000);
  });

  it('stops retransmitting on a provisional response and has no Timer B in Proceeding (RFC 6026)', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(invite(), peer, t.user) as InviteClientTransaction;
    await flush();
    t.clock.advance(600);
    answer(t, 180);
    assert.equal(tx.state, 'Proceeding');
    t.clock.advance(120_000);
    assert.equal(t.transport.sent.length, 2);
    assert.equal(t.failures.length, 0);
    assert.equal(tx.state, 'Proceeding');
  });

  it('acknowledges a non-2xx final response itself, re-ACKs retransmissions and keeps them from the TU', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(invite(), peer, t.user);
    await flush();
    answer(t, 486);
    assert.equal(tx.state, 'Completed');
    await flush();
    const acks = () => t.transport.sent.filter((r) => r.text.startsWith('ACK '));
    assert.equal(acks().length, 1);
    assert.equal(acks()[0]?.retransmission, false, 'the first ACK is not a retransmission');
    const ack = parseOrThrow(acks()[0]?.text ?? '');
    const inv = parseOrThrow(t.transport.sent[0]?.text ?? '');
    // Section 17.1.1.3: same Request-URI, Call-ID, From, top Via (branch), CSeq number; To of the response.
    assert.equal(ack.kind === 'request' && ack.uri.toString(), 'sip:bob@127.0.0.1:5070');
    assert.equal(ack.topVia.branch, inv.topVia.branch);
    assert.equal(ack.callId, inv.callId);
    assert.deepEqual(ack.cseq, { seq: 1, method: 'ACK' });
    assert.equal(ack.toTag, 'peer1');
    answer(t, 486); // retransmitted final response
    assert.equal(acks().length, 2);
    assert.equal(acks()[1]?.retransmission, true);
    assert.equal(t.responses.length, 1);
    t.clock.advance(31_999);
    assert.equal(tx.state, 'Completed');
    t.clock.advance(1); // Timer D = 32 s over UDP
    assert.equal(tx.state, 'Terminated');
    assert.equal(t.layer.stats().clientTransactions, 0);
  });

  it('passes every 2xx to the TU in the Accepted state until Timer M', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(invite(), peer, t.user);
    await flush();
    answer(t, 200, 'a');
    answer(t, 200, 'a');
    answer(t, 200, 'b'); // another fork
    assert.equal(tx.state, 'Accepted');
    assert.deepEqual(
      t.responses.map((r) => `${r.status}/${r.toTag}`),
      ['200/a', '200/a', '200/b'],
    );
    assert.equal(t.transport.sent.filter((r) => r.text.startsWith('ACK')).length, 0, 'the TU acknowledges 2xx');
    t.clock.advance(32_000);
    assert.equal(tx.state, 'Terminated');
  });

  it('sends CANCEL only after a provisional response, on the INVITE branch', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(invite(), peer, t.user) as InviteClientTransaction;
    await flush();
    assert.equal(tx.cancel(), true);
    await flush();
    assert.equal(t.transport.sent.filter((r) => r.text.startsWith('CANCEL')).length, 0);
    answer(t, 180);
    await flush();
    const cancels = t.transport.sent.filter((r) => r.text.startsWith('CANCEL'));
    assert.equal(cancels.length, 1);
    const cancel = parseOrThrow(cancels[0]?.text ?? '');
    const inv = parseOrThrow(t.transport.sent[0]?.text ?? '');
    assert.equal(cancel.topVia.branch, inv.topVia.branch);
    assert.deepEqual(cancel.cseq, { seq: 1, method: 'CANCEL' });
    assert.equal(cancel.get('via').length, 1);
    answer(t, 200); // 200 to the CANCEL (last request sent was the CANCEL)
    assert.equal(tx.state, 'Proceeding');
    t.transport.receive(
      responseTo(parseOrThrow(t.transport.sent[0]?.text ?? '') as never, 487, { toTag: 'x' }).toString(),
      t.transport.sent[0]?.flow ?? assert.fail(),
    );
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(
      t.responses.map((r) => r.status),
      [180, 487],
    );
  });

  it('gives up 64*T1 after a CANCEL that brought no final response', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(invite(), peer, t.user) as InviteClientTransaction;
    await flush();
    answer(t, 180);
    tx.cancel();
    await flush();
    t.clock.advance(32_000);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(t.failures[0]?.failure, { kind: 'timeout', status: 408 });
  });

  it('reports a transport error as a failure the TU can treat as 503', async () => {
    const t = setup();
    t.transport.failNextSend = new TransportError('ERR_TRANSPORT_CONNECT', 'connection refused');
    t.layer.sendRequest(invite(), { ...peer, transport: 'tcp' }, t.user);
    await flush();
    assert.equal(t.failures[0]?.failure.kind, 'transport');
    assert.equal(t.failures[0]?.failure.status, 503);
    assert.equal(t.layer.stats().clientTransactions, 0);
  });
});

describe('non-INVITE client transaction (RFC 3261 17.1.2)', () => {
  function options() {
    return createRequest({
      method: 'OPTIONS',
      uri: 'sip:bob@127.0.0.1:5070',
      from: '<sip:alice@127.0.0.1>',
      to: '<sip:bob@127.0.0.1>',
    });
  }

  it('is sent 11 times over UDP with the interval capped at T2, then times out at 64*T1', async () => {
    const t = setup();
    t.layer.sendRequest(options(), peer, t.user);
    await flush();
    t.clock.advance(40_000);
    const times = t.transport.sent.map((r) => r.time);
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    const gaps = times.slice(1).map((x, i) => x - (times[i] as number));
    assert.ok(gaps.every((g) => g <= 4000));
    assert.deepEqual(t.failures, [{ failure: { kind: 'timeout', status: 408 }, at: 32000 }]);
  });

  it('is sent once over TCP', async () => {
    const t = setup();
    t.layer.sendRequest(options(), { ...peer, transport: 'tcp' }, t.user);
    await flush();
    t.clock.advance(40_000);
    assert.equal(t.transport.sent.length, 1);
    assert.equal(t.failures.length, 1);
  });

  it('retransmits every T2 in Proceeding and absorbs retransmitted finals in Completed until Timer K', async () => {
    const t = setup();
    const tx = t.layer.sendRequest(options(), peer, t.user);
    await flush();
    t.clock.advance(600);
    answer(t, 100);
    t.clock.advance(8000);
    const times = t.transport.sent.map((r) => r.time);
    // 0 and 500 in Trying; the next (due at 1500) then every T2.
    assert.deepEqual(times, [0, 500, 1500, 5500]);
    answer(t, 200);
    answer(t, 200);
    assert.deepEqual(
      t.responses.map((r) => r.status),
      [100, 200],
    );
    assert.equal(tx.state, 'Completed');
    t.clock.advance(5000); // Timer K = T4
    assert.equal(tx.state, 'Terminated');
  });

  it('request() resolves with the final response', async () => {
    const t = setup();
    const p = t.layer.request(options(), peer);
    await flush();
    answer(t, 404);
    const outcome = await p;
    assert.equal(outcome.kind, 'response');
    assert.equal(outcome.kind === 'response' && outcome.response.status, 404);
  });
});

describe('retransmission timers on a late-firing clock', () => {
  it('keeps the INVITE schedule (7 sends before Timer B) when every timer fires 100 ms late', async () => {
    const inner = new VirtualClock();
    const late = {
      now: () => inner.now(),
      wallTime: () => inner.wallTime(),
      setTimer: (ms: number, fn: () => void) => inner.setTimer(ms + 100, fn),
    };
    const transport = new FakeTransport(inner);
    const layer = new TransactionLayer({ transport, clock: late });
    const failures: number[] = [];
    layer.sendRequest(invite(), peer, { onResponse: () => {}, onFailure: () => failures.push(inner.now()) });
    await flush();
    inner.advance(40_000);
    // Each send is 100 ms after its due time, but the lateness does not add up.
    assert.deepEqual(
      transport.sent.map((r) => r.time),
      [0, 600, 1600, 3600, 7600, 15600, 31600],
    );
    assert.deepEqual(failures, [32100]);
  });
});
