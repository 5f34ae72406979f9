import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOrThrow, responseTo } from '../../src/sip/index.js';
import { flowDestination, MemoryNetwork, type MemoryTransport } from '../../src/transport/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { Collector, request, waitFor } from './harness.js';

const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function pair(network: MemoryNetwork, transports: ('udp' | 'tcp' | 'tls')[] = ['udp']) {
  const alice = network.createTransport({ address: '10.0.0.1', transports });
  const bob = network.createTransport({ address: '10.0.0.2', transports });
  return { alice, bob, ua: new Collector(alice), ub: new Collector(bob) };
}

function answer(t: MemoryTransport, c: Collector, status = 200): void {
  c.onRequest = (r) => {
    if (r.method !== 'ACK') t.sendResponse(responseTo(r, status, { toTag: 't' }), r.flow).catch(assert.fail);
  };
}

describe('MemoryNetwork', () => {
  it('behaves like UDP: flows, Via stamping, received/rport, responses back to the source', async () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const { alice, bob, ua, ub } = pair(network);
    answer(bob, ub);
    const req = request('OPTIONS', '10.0.0.2', 5060);
    const sent = await alice.sendRequest(req, { transport: 'udp', address: '10.0.0.2', port: 5060 });
    assert.deepEqual(sent.flow, {
      transport: 'udp',
      localAddress: '10.0.0.1',
      localPort: 5060,
      remoteAddress: '10.0.0.2',
      remotePort: 5060,
      connectionId: undefined,
    });
    const via = parseOrThrow(sent.bytes).topVia;
    assert.equal(`${via.transport} ${via.host}:${via.port} ${via.rport}`, 'UDP 10.0.0.1:5060 true');
    const got = await ub.request();
    assert.equal(got.flow?.remoteAddress, '10.0.0.1');
    assert.equal(got.topVia.rport, 5060);
    assert.equal(got.topVia.received, '10.0.0.1');
    const res = await ua.response();
    assert.deepEqual(res.flow, sent.flow);
    assert.deepEqual(
      network.packets.map((p) => [p.startLine.split(' ')[0], p.method, p.status, p.from.address, p.to.address]),
      [
        ['OPTIONS', 'OPTIONS', undefined, '10.0.0.1', '10.0.0.2'],
        ['SIP/2.0', 'OPTIONS', 200, '10.0.0.2', '10.0.0.1'],
      ],
    );
    assert.deepEqual(alice.endpoints(), [{ transport: 'udp', host: '10.0.0.1', port: 5060 }]);
  });

  it('records retransmissions at exact virtual times and lets a filter drop them', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, latencyMs: 5 });
    const { alice, ub } = pair(network);
    // Lose the first two copies of the request, as a lossy path would.
    network.dropNext((p) => p.method === 'INVITE', 2);
    const sent = await alice.sendRequest(request('INVITE', '10.0.0.2', 5060), {
      transport: 'udp',
      address: '10.0.0.2',
      port: 5060,
    });
    // What a client transaction does with Timer A (500 ms, doubling): resend at 500 and 1500.
    clock.advance(500);
    alice.resend(sent.bytes, sent.flow);
    clock.advance(1000);
    alice.resend(sent.bytes, sent.flow);
    assert.equal(ub.requests.length, 0, 'not before the 5 ms latency');
    clock.advance(5);
    assert.equal(ub.requests.length, 1);
    const invites = network.packets.filter((p) => p.method === 'INVITE');
    assert.deepEqual(
      invites.map((p) => [p.at, p.retransmission, p.dropped, p.deliveredAt]),
      [
        [0, false, true, []],
        [500, true, true, []],
        [1500, true, false, [1505]],
      ],
    );
  });

  it('delays and duplicates packets on the clock, and delivers synchronously when asked', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, delivery: 'clock' });
    const { alice, bob, ua, ub } = pair(network);
    answer(bob, ub, 180);
    network.setFilter((p) => (p.status === 180 ? { delayMs: 100, duplicates: 1 } : undefined));
    await alice.sendRequest(request('INVITE', '10.0.0.2', 5060), { transport: 'udp', address: '10.0.0.2', port: 5060 });
    assert.equal(ub.requests.length, 0, "'clock' delivery waits for the clock");
    clock.advance(0);
    assert.equal(ub.requests.length, 1);
    await settle();
    clock.advance(99);
    assert.equal(ua.responses.length, 0);
    clock.advance(1);
    assert.equal(ua.responses.length, 2, 'the 180 and its duplicate');
    assert.deepEqual(network.packets.find((p) => p.status === 180)?.deliveredAt, [100, 100]);

    const syncNet = new MemoryNetwork({ clock, delivery: 'sync' });
    const s = pair(syncNet);
    void s.alice.sendRequest(request('OPTIONS', '10.0.0.2', 5060), {
      transport: 'udp',
      address: '10.0.0.2',
      port: 5060,
    });
    assert.equal(s.ub.requests.length, 1, 'delivered inside sendRequest');
  });

  it('puts a client behind a NAT: received/rport show the public side and the response finds its way back', async () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const phone = network.createTransport({ address: '192.168.1.20', nat: { address: '203.0.113.7', port: 31000 } });
    const proxy = network.createTransport({ address: '198.51.100.1' });
    const up = new Collector(phone);
    const ux = new Collector(proxy);
    answer(proxy, ux);
    await phone.sendRequest(request('REGISTER', '198.51.100.1', 5060), {
      transport: 'udp',
      address: '198.51.100.1',
      port: 5060,
    });
    const got = await ux.request();
    assert.equal(got.topVia.host, '192.168.1.20');
    assert.equal(got.topVia.received, '203.0.113.7');
    assert.equal(got.topVia.rport, 31000);
    const res = await up.response();
    assert.equal(res.status, 200);
    assert.equal(res.flow?.remoteAddress, '198.51.100.1');
  });

  it('offers reliable flows: connection ids, reuse, close notification, and a new connection when gone', async () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const { alice, bob, ua, ub } = pair(network, ['udp', 'tcp']);
    const dest = { transport: 'tcp' as const, address: '10.0.0.2', port: 5060 };
    const s1 = await alice.sendRequest(request('OPTIONS', '10.0.0.2', 5060), dest);
    const s2 = await alice.sendRequest(request('OPTIONS', '10.0.0.2', 5060), dest);
    assert.equal(s1.flow.transport, 'tcp');
    assert.equal(typeof s1.flow.connectionId, 'number');
    assert.equal(s2.flow.connectionId, s1.flow.connectionId);
    assert.notEqual(s1.flow.localPort, 5060, 'an ephemeral source port');
    await waitFor(() => ub.requests.length === 2, 'two requests');
    const got = ub.requests[0] ?? assert.fail('no request');
    assert.equal(got.flow?.connectionId, s1.flow.connectionId);
    assert.equal(got.topVia.rport, s1.flow.localPort);
    assert.equal(parseOrThrow(s1.bytes).topVia.port, 5060, 'sent-by is the listening port');

    // The response goes back on the connection while it is open.
    const r1 = await bob.sendResponse(responseTo(got, 200, { toTag: 'b' }), got.flow);
    assert.equal(r1.flow.connectionId, s1.flow.connectionId);

    // Connection reset: both ends are told; the next response opens a connection to sent-by.
    assert.ok(network.closeConnection(s1.flow.connectionId as number));
    assert.equal(ua.closed.length, 1);
    assert.equal(ub.closed.length, 1);
    const second = ub.requests[1] ?? assert.fail('no second request');
    const r2 = await bob.sendResponse(responseTo(second, 200, { toTag: 'b' }), second.flow);
    assert.notEqual(r2.flow.connectionId, s1.flow.connectionId);
    assert.equal(r2.flow.remotePort, 5060);
    await waitFor(() => ua.responses.length === 2, 'both responses');
    assert.equal(ua.responses[1]?.flow?.localPort, 5060);

    // A CRLFCRLF ping on the connection is answered with a CRLF pong.
    bob.resend(Buffer.from('\r\n\r\n'), r2.flow);
    await settle();
    await settle();
    const ping = network.packets.findIndex((p) => p.bytes.toString() === '\r\n\r\n');
    assert.equal(network.packets[ping + 1]?.bytes.toString(), '\r\n');
    assert.ok(ping >= 0);
    assert.equal(network.packets[ping + 1]?.flow.connectionId, r2.flow.connectionId);
    assert.equal(network.packets[ping + 1]?.to.address, '10.0.0.2');

    // ACK/CANCEL go where the request went: flowDestination pins transport and connection.
    const back = ua.responses[1]?.flow ?? assert.fail('no flow');
    const s3 = await alice.sendRequest(request('CANCEL', '10.0.0.2', 5060), flowDestination(back));
    assert.equal(s3.flow.transport, 'tcp');
    assert.equal(s3.flow.connectionId, r2.flow.connectionId, 'on the connection bob opened');
    await waitFor(() => ub.requests.some((r) => r.method === 'CANCEL'), 'the CANCEL');
  });

  it('switches a large UDP request to TCP when both ends have TCP (section 18.1.1)', async () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const { alice, ub } = pair(network, ['udp', 'tcp']);
    const big = request('MESSAGE', '10.0.0.2', 5060, 'z'.repeat(2000));
    const sent = await alice.sendRequest(big, { transport: 'udp', address: '10.0.0.2', port: 5060 });
    assert.equal(sent.flow.transport, 'tcp');
    const got = await ub.request();
    assert.equal(got.topVia.transport, 'TCP');
    const pinned = await alice.sendRequest(request('MESSAGE', '10.0.0.2', 5060, 'z'.repeat(2000)), {
      transport: 'udp',
      address: '10.0.0.2',
      port: 5060,
      fixedTransport: true,
    });
    assert.equal(pinned.flow.transport, 'udp');
  });

  it('loses UDP to nowhere, refuses TCP to nowhere, answers bad input statelessly, and stops cleanly', async () => {
    const network = new MemoryNetwork({ clock: new VirtualClock() });
    const { alice, bob, ua } = pair(network, ['udp', 'tcp']);
    await alice.sendRequest(request('OPTIONS', '10.0.0.9', 5060), {
      transport: 'udp',
      address: '10.0.0.9',
      port: 5060,
    });
    await settle();
    assert.equal(network.packets.at(-1)?.dropped, true);
    await assert.rejects(
      alice.sendRequest(request('OPTIONS', '10.0.0.9', 5060), { transport: 'tcp', address: '10.0.0.9', port: 5060 }),
      { code: 'ERR_TRANSPORT_CONNECT' },
    );
    // Garbage with a readable Via from bob: alice's transport answers 400 without bothering its user.
    const bad =
      'OPTIONS sip:a@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbad\r\n' +
      'From: <sip:b@x>;tag=1\r\nTo: <sip:a@x>\r\nCall-ID: bad@x\r\nCSeq: x OPTIONS\r\nContent-Length: 0\r\n\r\n';
    bob.resend(Buffer.from(bad), {
      transport: 'udp',
      localAddress: '10.0.0.2',
      localPort: 5060,
      remoteAddress: '10.0.0.1',
      remotePort: 5060,
      connectionId: undefined,
    });
    await settle();
    await settle();
    assert.equal(ua.requests.length, 0);
    const reply = network.packets.find((p) => p.status === 400);
    assert.ok(reply, 'a stateless 400');
    assert.equal(reply.to.address, '10.0.0.2');
    await alice.stop();
    await alice.stop();
    await assert.rejects(
      alice.sendRequest(request('OPTIONS', '10.0.0.2', 5060), { transport: 'udp', address: '10.0.0.2', port: 5060 }),
      { code: 'ERR_TRANSPORT_CLOSED' },
    );
    assert.throws(() => network.createTransport({ address: '10.0.0.2' }), /in use/);
  });
});
