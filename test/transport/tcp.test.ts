import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseOrThrow, responseTo } from '../../src/sip/index.js';
import {
  CHANNEL_CONNECTION,
  CHANNEL_ERROR,
  type TransportConnectionEvent,
  type TransportErrorEvent,
  TransportManager,
} from '../../src/transport/index.js';
import { RealClock, VirtualClock } from '../../src/util/clock.js';
import { Collector, freeDualPort, RawTcp, rawRequest, request, waitFor } from './harness.js';

const clock = new RealClock({ unref: true });

function port(m: TransportManager, t: 'udp' | 'tcp'): number {
  return (m.localEndpoint(t) ?? assert.fail(`no ${t} endpoint`)).port;
}

describe('TCP transport', () => {
  let a: TransportManager;
  let b: TransportManager;
  let ua: Collector;
  let ub: Collector;
  const answerErrors: Error[] = [];

  before(async () => {
    const pa = await freeDualPort();
    const pb = await freeDualPort();
    a = new TransportManager({
      listen: [
        { transport: 'udp', port: pa },
        { transport: 'tcp', port: pa },
      ],
      clock,
    });
    b = new TransportManager({
      listen: [
        { transport: 'udp', port: pb },
        { transport: 'tcp', port: pb },
      ],
      clock,
    });
    await Promise.all([a.start(), b.start()]);
    ua = new Collector(a);
    ub = new Collector(b);
    ub.onRequest = (r) => {
      if (r.getRaw('x-no-answer').length > 0) return;
      // Raw clients hang up early; a failed answer to them is expected and recorded.
      b.sendResponse(responseTo(r, 200, { toTag: 'b' }), r.flow).catch((err: Error) => answerErrors.push(err));
    };
  });

  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('carries a request and its response on one connection, with flows on both ends', async () => {
    const req = request('OPTIONS', '127.0.0.1', port(b, 'tcp'));
    const sent = await a.sendRequest(req, { transport: 'tcp', address: '127.0.0.1', port: port(b, 'tcp') });
    assert.equal(sent.flow.transport, 'tcp');
    assert.equal(typeof sent.flow.connectionId, 'number');
    assert.equal(sent.flow.remotePort, port(b, 'tcp'));
    const via = parseOrThrow(sent.bytes).topVia;
    assert.equal(via.transport, 'TCP');
    // sent-by is A's listening port, where a new connection could reach it (section 18.2.2).
    assert.equal(via.port, port(a, 'tcp'));

    const got = await ub.request((r) => r.callId === req.callId);
    assert.equal(got.flow?.transport, 'tcp');
    assert.equal(got.flow?.remotePort, sent.flow.localPort);
    assert.equal(got.flow?.localPort, port(b, 'tcp'));
    assert.equal(typeof got.flow?.connectionId, 'number');
    assert.equal(got.topVia.rport, sent.flow.localPort);
    assert.equal(got.topVia.received, '127.0.0.1');

    const res = await ua.response((r) => r.callId === req.callId);
    assert.deepEqual(res.flow, sent.flow);
  });

  it('reuses the open connection for later and concurrent requests', async () => {
    const dest = { transport: 'tcp' as const, address: '127.0.0.1', port: port(b, 'tcp') };
    const first = await a.sendRequest(request('OPTIONS', '127.0.0.1', dest.port), dest);
    const more = await Promise.all(
      [1, 2, 3, 4].map(() => a.sendRequest(request('OPTIONS', '127.0.0.1', dest.port), dest)),
    );
    for (const s of more) assert.equal(s.flow.connectionId, first.flow.connectionId);
    assert.equal(a.connections().filter((f) => f.remotePort === dest.port).length, 1);

    // A fresh manager sending many requests at once opens a single connection, published once.
    const c = new TransportManager({ listen: [{ transport: 'tcp' }], clock });
    await c.start();
    const opened: TransportConnectionEvent[] = [];
    const onConnection = (m: unknown) => opened.push(m as TransportConnectionEvent);
    diagnosticsChannel.subscribe(CHANNEL_CONNECTION, onConnection);
    try {
      const sends = await Promise.all(
        [1, 2, 3, 4, 5].map(() => c.sendRequest(request('OPTIONS', '127.0.0.1', dest.port), dest)),
      );
      assert.equal(new Set(sends.map((s) => s.flow.connectionId)).size, 1);
      assert.equal(c.connections().length, 1);
      const mine = opened.filter((e) => e.flow.localPort === c.connections()[0]?.localPort);
      assert.deepEqual(
        mine.map((e) => `${e.event} ${e.direction}`),
        ['open outbound'],
      );
      await c.stop();
      await waitFor(
        () => opened.some((e) => e.event === 'close' && e.direction === 'inbound'),
        'B to publish the close',
      );
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_CONNECTION, onConnection);
      await c.stop();
    }
  });

  it('opens a new connection to received and the sent-by port when the request connection is gone', async () => {
    const req = request('OPTIONS', '127.0.0.1', port(b, 'tcp'));
    req.appendRaw('X-No-Answer', '1');
    const sent = await a.sendRequest(req, { transport: 'tcp', address: '127.0.0.1', port: port(b, 'tcp') });
    const got = await ub.request((r) => r.callId === req.callId);
    const flow = got.flow ?? assert.fail('no flow');
    assert.ok(a.closeFlow(sent.flow));
    await waitFor(() => !b.isFlowOpen(flow), 'B to see the connection close');
    await waitFor(() => ub.closed.some((c) => c.flow.connectionId === flow.connectionId), 'onFlowClosed at B');

    const out = await b.sendResponse(responseTo(got, 486, { toTag: 'b' }), flow);
    assert.notEqual(out.flow.connectionId, flow.connectionId);
    assert.equal(out.flow.remotePort, port(a, 'tcp'));
    const res = await ua.response((r) => r.callId === req.callId);
    assert.equal(res.status, 486);
    assert.equal(res.flow?.localPort, port(a, 'tcp'));
    assert.notEqual(res.flow?.connectionId, sent.flow.connectionId);
  });

  it('sends a request larger than 1300 bytes over TCP instead of UDP (section 18.1.1), UDP if TCP is refused', async () => {
    const req = request('MESSAGE', '127.0.0.1', port(b, 'udp'), 'x'.repeat(1500));
    const sent = await a.sendRequest(req, { transport: 'udp', address: '127.0.0.1', port: port(b, 'udp') });
    assert.equal(sent.flow.transport, 'tcp');
    assert.equal(parseOrThrow(sent.bytes).topVia.transport, 'TCP');
    const got = await ub.request((r) => r.callId === req.callId);
    assert.equal(got.flow?.transport, 'tcp');
    assert.equal(got.topVia.transport, 'TCP');
    assert.equal(got.body.length, 1500);

    // A small request stays on UDP.
    const small = request('MESSAGE', '127.0.0.1', port(b, 'udp'), 'hi');
    const sentSmall = await a.sendRequest(small, { transport: 'udp', address: '127.0.0.1', port: port(b, 'udp') });
    assert.equal(sentSmall.flow.transport, 'udp');

    // A UDP-only peer: the connection is refused and the request goes over UDP after all.
    const udpOnly = new TransportManager({ listen: [{ transport: 'udp' }], clock });
    await udpOnly.start();
    const uo = new Collector(udpOnly);
    try {
      const big = request('MESSAGE', '127.0.0.1', port(udpOnly, 'udp'), 'y'.repeat(1500));
      const s = await a.sendRequest(big, { transport: 'udp', address: '127.0.0.1', port: port(udpOnly, 'udp') });
      assert.equal(s.flow.transport, 'udp');
      assert.equal(parseOrThrow(s.bytes).topVia.transport, 'UDP');
      const r = await uo.request((m) => m.callId === big.callId);
      assert.equal(r.topVia.transport, 'UDP');
    } finally {
      await udpOnly.stop();
    }
  });

  it('rejects with ERR_TRANSPORT_CONNECT when nothing listens', async () => {
    const free = await freeDualPort();
    await assert.rejects(
      a.sendRequest(request('OPTIONS', '127.0.0.1', free), { transport: 'tcp', address: '127.0.0.1', port: free }),
      { code: 'ERR_TRANSPORT_CONNECT' },
    );
  });

  it('answers a CRLFCRLF ping with a CRLF pong (RFC 5626 section 3.5.1)', async () => {
    const raw = await RawTcp.connect(port(b, 'tcp'));
    try {
      raw.write('\r\n\r\n');
      await waitFor(() => raw.text === '\r\n', 'the pong');
      raw.write('\r\n\r\n\r\n\r\n');
      await waitFor(() => raw.text === '\r\n\r\n\r\n', 'two more pongs');
      // A ping split across reads is still one ping, answered once.
      raw.write('\r\n');
      await waitFor(() => b.connections().some((f) => f.remotePort === raw.socket.localPort), 'the connection');
      raw.write('\r\n');
      await waitFor(() => raw.text === '\r\n\r\n\r\n\r\n', 'the pong of the split ping');
    } finally {
      raw.close();
    }
  });

  it('frames messages split at any byte, and delivers them in order', async () => {
    const raw = await RawTcp.connect(port(b, 'tcp'));
    try {
      const texts = Array.from({ length: 15 }, (_, i) =>
        rawRequest(`SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKsplit${i}`).replace('raw-1@example.com', `split-${i}`),
      );
      const all = Buffer.from(texts.join(''));
      let at = 0;
      while (at < all.length) {
        const n = 1 + Math.floor(Math.random() * 97);
        raw.write(all.subarray(at, at + n));
        at += n;
      }
      await waitFor(() => ub.requests.filter((r) => r.callId.startsWith('split-')).length === 15, '15 requests');
      const ids = ub.requests.filter((r) => r.callId.startsWith('split-')).map((r) => r.callId);
      assert.deepEqual(
        ids,
        texts.map((_, i) => `split-${i}`),
      );
      // The answers went back on the raw connection.
      await waitFor(() => (raw.text.match(/SIP\/2\.0 200/g) ?? []).length === 15, '15 answers');
    } finally {
      raw.close();
    }
  });

  it('reports a stream that ends inside a message on the error channel', async () => {
    const errors: TransportErrorEvent[] = [];
    const onError = (m: unknown) => errors.push(m as TransportErrorEvent);
    diagnosticsChannel.subscribe(CHANNEL_ERROR, onError);
    try {
      const raw = await RawTcp.connect(port(b, 'tcp'));
      raw.write(rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKcut').slice(0, 100));
      await waitFor(() => b.connections().some((f) => f.remotePort === raw.socket.localPort), 'the connection');
      raw.socket.end();
      await waitFor(() => errors.some((e) => e.bytes.includes('z9hG4bKcut')), 'the incomplete message report');
      assert.match(errors.find((e) => e.bytes.includes('z9hG4bKcut'))?.reason ?? '', /ended inside a message/);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_ERROR, onError);
    }
  });

  it('answers 400 to a framed request that does not parse, keeping the connection', async () => {
    const raw = await RawTcp.connect(port(b, 'tcp'));
    try {
      raw.write(
        rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKbadcseq').replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'),
      );
      await waitFor(() => /SIP\/2\.0 400 /.test(raw.text), 'the 400');
      assert.match(raw.text, /z9hG4bKbadcseq/);
      raw.write(rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKgood').replace('raw-1@example.com', 'after-400'));
      await ub.request((r) => r.callId === 'after-400', 'the next request on the same connection');
      assert.equal(raw.closed, false);
    } finally {
      raw.close();
    }
  });

  it('answers 513 and closes on a message over the size limit, 400 on conflicting Content-Length', async () => {
    const raw = await RawTcp.connect(port(b, 'tcp'));
    raw.write(
      rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKhuge').replace('Content-Length: 0', 'Content-Length: 99999999'),
    );
    await waitFor(() => raw.closed, 'the close after 513');
    assert.match(raw.text, /^SIP\/2\.0 513 /);
    assert.match(raw.text, /z9hG4bKhuge/);

    const raw2 = await RawTcp.connect(port(b, 'tcp'));
    raw2.write(
      rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKcl').replace('Content-Length: 0', 'Content-Length: 0\r\nl: 5'),
    );
    await waitFor(() => raw2.closed, 'the close after 400');
    assert.match(raw2.text, /^SIP\/2\.0 400 /);

    // A stray CR then bytes without end: closed once over the limit, whatever the framer makes of the CR.
    const raw4 = await RawTcp.connect(port(b, 'tcp'));
    raw4.write(Buffer.concat([Buffer.from('\rX'), Buffer.alloc(300_000, 0x41)]));
    await waitFor(() => raw4.closed, 'the close after a stray CR');

    // Garbage without a request line: closed without an answer, and nothing crashes.
    const raw3 = await RawTcp.connect(port(b, 'tcp'));
    raw3.write(randomBytes(300_000));
    await waitFor(() => raw3.closed, 'the close after garbage');
    assert.doesNotMatch(raw3.text, /SIP\/2\.0/);
  });

  it('refuses connections over the per-IP cap at once', async () => {
    const capped = new TransportManager({
      listen: [{ transport: 'tcp' }],
      clock,
      options: { maxConnectionsPerIp: 2 },
    });
    await capped.start();
    const p = port(capped, 'tcp');
    const raws: RawTcp[] = [];
    try {
      raws.push(await RawTcp.connect(p), await RawTcp.connect(p));
      await waitFor(() => capped.connections().length === 2, 'two admitted connections');
      const third = await RawTcp.connect(p);
      raws.push(third);
      await waitFor(() => third.closed, 'the third connection to be closed');
      assert.equal(raws[0]?.closed, false);
      assert.equal(raws[1]?.closed, false);
      assert.equal(capped.connections().length, 2);
      // Closing one frees a slot.
      raws[0]?.close();
      await waitFor(() => capped.connections().length === 1, 'the slot to be freed');
      const fourth = await RawTcp.connect(p);
      raws.push(fourth);
      await waitFor(() => capped.connections().length === 2, 'the fourth admitted');
      assert.equal(fourth.closed, false);
    } finally {
      for (const r of raws) r.close();
      await capped.stop();
    }
  });

  it('closes idle connections after idleTimeoutMs on the injected clock, on both sides', async () => {
    const vc = new VirtualClock();
    const client = new TransportManager({ listen: [{ transport: 'tcp' }], clock: vc });
    const server = new TransportManager({
      listen: [{ transport: 'tcp' }],
      clock: vc,
      options: { inboundIdleTimeoutMs: 60_000 },
    });
    await Promise.all([client.start(), server.start()]);
    const us = new Collector(server);
    const uc = new Collector(client);
    try {
      const req = request('OPTIONS', '127.0.0.1', port(server, 'tcp'));
      const sent = await client.sendRequest(req, { transport: 'tcp', address: '127.0.0.1', port: port(server, 'tcp') });
      const got = await us.request((r) => r.callId === req.callId);
      const inbound = got.flow ?? assert.fail('no flow');
      vc.advance(31_999);
      assert.ok(client.isFlowOpen(sent.flow));
      vc.advance(1);
      // The default 32 s idle timeout of connections we opened.
      assert.equal(client.isFlowOpen(sent.flow), false);
      assert.match(uc.closed[0]?.reason ?? '', /idle/);
      await waitFor(() => !server.isFlowOpen(inbound), 'the server to see the close');

      // The server side on its own setting (60 s here), counted from the last traffic either way.
      const raw = await RawTcp.connect(port(server, 'tcp'));
      raw.write(rawRequest('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKidle').replace('raw-1@example.com', 'idle-2'));
      const got2 = await us.request((r) => r.callId === 'idle-2');
      const inbound2 = got2.flow ?? assert.fail('no flow');
      vc.advance(20_000);
      server.resend(Buffer.from('\r\n\r\n'), inbound2);
      vc.advance(59_999);
      assert.ok(server.isFlowOpen(inbound2), 'open until 60 s after the last traffic');
      vc.advance(1);
      assert.equal(server.isFlowOpen(inbound2), false);
      await waitFor(() => raw.closed, 'the raw client to see the close');
    } finally {
      await Promise.all([client.stop(), server.stop()]);
    }
  });

  it('pings connections it opened every keepAliveIntervalMs without traffic (RFC 5626 section 4.4.1)', async () => {
    const vc = new VirtualClock();
    const received: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on('data', (d: Buffer) => {
        received.push(d);
        if (d.toString() === '\r\n\r\n') socket.write('\r\n');
      });
      socket.on('error', () => {});
    });
    const serverPort = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    const pinger = new TransportManager({
      listen: [{ transport: 'tcp' }],
      clock: vc,
      options: { keepAliveIntervalMs: 10_000 },
    });
    await pinger.start();
    try {
      const sent = await pinger.sendRequest(request('OPTIONS', '127.0.0.1', serverPort), {
        transport: 'tcp',
        address: '127.0.0.1',
        port: serverPort,
      });
      await waitFor(() => received.length > 0, 'the request at the server');
      vc.advance(9_999);
      const pings = () => received.filter((d) => d.toString() === '\r\n\r\n').length;
      assert.equal(pings(), 0);
      vc.advance(1);
      await waitFor(() => pings() === 1, 'the first ping');
      // Pings are traffic: past the 32 s idle timeout, the connection is still open.
      for (let t = 0; t < 4; t++) {
        vc.advance(10_000);
        await waitFor(() => pings() === 2 + t, `ping ${2 + t}`);
      }
      assert.ok(pinger.isFlowOpen(sent.flow));
    } finally {
      await pinger.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('stop() closes every connection and listener', async () => {
    const m = new TransportManager({ listen: [{ transport: 'tcp' }], clock });
    await m.start();
    const p = port(m, 'tcp');
    const raw = await RawTcp.connect(p);
    await waitFor(() => m.connections().length === 1, 'the connection');
    await m.stop();
    await waitFor(() => raw.closed, 'the client to see the close');
    await assert.rejects(RawTcp.connect(p));
  });
});
