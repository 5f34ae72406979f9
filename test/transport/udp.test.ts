import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { OutgoingResponse, parseOrThrow, responseTo } from '../../src/sip/index.js';
import {
  CHANNEL_ERROR,
  CHANNEL_RX,
  CHANNEL_TX,
  TransportError,
  type TransportErrorEvent,
  TransportManager,
  type TransportMessageEvent,
  type TransportRxEvent,
  type TransportTxEvent,
} from '../../src/transport/index.js';
import { RealClock } from '../../src/util/clock.js';
import { Collector, RawUdp, rawRequest, request, waitFor } from './harness.js';

const clock = new RealClock({ unref: true });

describe('UDP transport', () => {
  let a: TransportManager;
  let b: TransportManager;
  let ua: Collector;
  let ub: Collector;
  let bPort: number;

  before(async () => {
    a = new TransportManager({ listen: [{ transport: 'udp' }], clock });
    b = new TransportManager({ listen: [{ transport: 'udp' }], clock });
    await Promise.all([a.start(), b.start()]);
    ua = new Collector(a);
    ub = new Collector(b);
    bPort = (b.localEndpoint('udp') ?? assert.fail('no endpoint')).port;
    ub.onRequest = (r) => {
      if (r.method !== 'ACK') b.sendResponse(responseTo(r, 200, { toTag: 'b1' }), r.flow).catch(assert.fail);
    };
  });

  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('carries a request and its response with the flow on both ends and the Via of section 18', async () => {
    const aPort = (a.localEndpoint('udp') as { port: number }).port;
    const req = request('OPTIONS', '127.0.0.1', bPort);
    const sent = await a.sendRequest(req, { transport: 'udp', address: '127.0.0.1', port: bPort });
    assert.deepEqual(sent.flow, {
      transport: 'udp',
      localAddress: '127.0.0.1',
      localPort: aPort,
      remoteAddress: '127.0.0.1',
      remotePort: bPort,
      connectionId: undefined,
    });
    // The top Via names the transport and the socket the request left from, with rport (RFC 3581).
    const via = parseOrThrow(sent.bytes).topVia;
    assert.equal(via.transport, 'UDP');
    assert.equal(via.host, '127.0.0.1');
    assert.equal(via.port, aPort);
    assert.equal(via.rport, true);

    const callId = req.callId;
    const got = await ub.request((r) => r.callId === callId);
    assert.deepEqual(got.flow, {
      transport: 'udp',
      localAddress: '127.0.0.1',
      localPort: bPort,
      remoteAddress: '127.0.0.1',
      remotePort: aPort,
      connectionId: undefined,
    });
    assert.equal(typeof got.receivedAt, 'number');
    // Section 18.2.1 / RFC 3581 section 4: rport filled, received added even though equal to sent-by.
    assert.equal(got.topVia.rport, aPort);
    assert.equal(got.topVia.received, '127.0.0.1');

    const res = await ua.response((r) => r.callId === callId);
    assert.equal(res.status, 200);
    assert.deepEqual(res.flow, sent.flow);
    assert.equal(res.topVia.rport, aPort);
  });

  it('answers a client behind a NAT at the packet source (received, rport) and without rport at the sent-by port', async () => {
    const client = await RawUdp.open();
    const other = await RawUdp.open();
    try {
      // The client claims a private address and port; the packet comes from another port.
      await client.send(rawRequest('SIP/2.0/UDP 10.9.9.9:5999;branch=z9hG4bKnat1;rport'), bPort);
      const req = await ub.request((r) => r.topVia.branch === 'z9hG4bKnat1');
      assert.equal(req.topVia.received, '127.0.0.1');
      assert.equal(req.topVia.rport, client.port);
      const text = await client.next((t) => t.startsWith('SIP/2.0 200'), 'the 200 at the NAT binding');
      const resVia = parseOrThrow(text).topVia;
      assert.equal(resVia.received, '127.0.0.1');
      assert.equal(resVia.rport, client.port);
      assert.equal(resVia.host, '10.9.9.9');

      // Without rport, section 18.2.2 sends to received and the sent-by port, not the source port.
      await client.send(rawRequest(`SIP/2.0/UDP 127.0.0.2:${other.port};branch=z9hG4bKnorport`), bPort);
      const text2 = await other.next((t) => t.includes('z9hG4bKnorport'), 'the 200 at the sent-by port');
      assert.match(text2, /^SIP\/2\.0 200/);
      const via2 = parseOrThrow(text2).topVia;
      assert.equal(via2.received, '127.0.0.1');
      assert.equal(via2.rport, undefined);
      assert.equal(client.received.filter((b) => b.includes('z9hG4bKnorport')).length, 0);
    } finally {
      await Promise.all([client.close(), other.close()]);
    }
  });

  it('routes a response by its Via alone when there is no flow (a stateless proxy)', async () => {
    const client = await RawUdp.open();
    try {
      await client.send(rawRequest('SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKstateless;rport'), bPort);
      const req = await ub.request((r) => r.topVia.branch === 'z9hG4bKstateless');
      // The proxy keeps nothing but the request it received: received/rport are in its Via.
      await b.sendResponse(responseTo(req, 180, { toTag: 'x' }), undefined);
      await client.next((t) => t.startsWith('SIP/2.0 180'), 'the 180');
    } finally {
      await client.close();
    }
  });

  it('resolves a host name in sent-by (RFC 3263 section 5) when there is neither flow nor received', async () => {
    const client = await RawUdp.open();
    const asked: string[] = [];
    const withResolver = new TransportManager({
      listen: [{ transport: 'udp' }],
      clock,
      options: {
        resolver: {
          resolve: async (t) => {
            asked.push(`${t.host}:${t.port}:${t.transport}`);
            return [{ transport: 'udp', address: '127.0.0.1', port: client.port }];
          },
        },
      },
    });
    await withResolver.start();
    try {
      const res = new OutgoingResponse(200, 'OK');
      res.appendRaw('Via', `SIP/2.0/UDP client.test:${client.port};branch=z9hG4bKbyname`);
      res.appendRaw('Call-ID', 'n@x');
      res.appendRaw('CSeq', '1 OPTIONS');
      await withResolver.sendResponse(res, undefined);
      await client.next((t) => t.includes('z9hG4bKbyname'), 'the response at the resolved address');
      assert.deepEqual(asked, [`client.test:${client.port}:udp`]);
      // Without a resolver the manager says it cannot.
      await assert.rejects(b.sendResponse(res, undefined), { code: 'ERR_TRANSPORT_UNAVAILABLE' });
    } finally {
      await client.close();
      await withResolver.stop();
    }
  });

  it('survives garbage, truncated and huge datagrams, answering 400 when the Via can be read', async () => {
    const client = await RawUdp.open();
    try {
      const full = rawRequest(`SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKtrunc`);
      const inputs: (string | Buffer)[] = [
        randomBytes(512),
        Buffer.alloc(0),
        'SIP/2.0 200 OK\r\nVia: garbage\r\n\r\n',
        'INVITE sip:x SIP/2.0\r\n\r\n',
        full.slice(0, 60),
        '\u0000\u0001\u0002INVITE',
        `${'A'.repeat(60_000)}\r\n\r\n`,
        `OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKhuge\r\nX-Big: ${'x'.repeat(60_000)}\r\n\r\n`,
      ];
      for (let i = 0; i < 200; i++) inputs.push(full.slice(0, 1 + Math.floor(Math.random() * (full.length - 1))));
      // Paced in batches on what B reports, so that the kernel's receive buffer never overflows.
      let seen = 0;
      const onRx = (m: unknown) => {
        if ((m as TransportMessageEvent).flow.remotePort === client.port) seen++;
      };
      diagnosticsChannel.subscribe(CHANNEL_RX, onRx);
      try {
        let expected = 0;
        for (const [i, input] of inputs.entries()) {
          if (input.length > 0) expected++;
          await client.send(input, bPort);
          if (i % 20 === 19 || i === inputs.length - 1)
            await waitFor(() => seen >= expected, `${expected} inputs processed`);
        }
      } finally {
        diagnosticsChannel.unsubscribe(CHANNEL_RX, onRx);
      }
      // A request whose Via is readable but whose Content-Length lies gets a stateless 400.
      await client.send(
        rawRequest(`SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKbadlen`).replace(
          'Content-Length: 0',
          'Content-Length: 50',
        ),
        bPort,
      );
      const text = await client.next((t) => t.includes('z9hG4bKbadlen'), 'the 400');
      const res = parseOrThrow(text);
      assert.equal(res.kind, 'response');
      assert.equal((res as { status: number }).status, 400);
      assert.equal(res.callId, 'raw-1@example.com');
      assert.equal(res.cseq.method, 'OPTIONS');
      assert.ok(res.toTag, 'a To tag is added (section 8.2.6.2)');
      assert.match(res.getRaw('warning')[0] ?? '', /^399 /);
      // Still working afterwards.
      const req = request('OPTIONS', '127.0.0.1', bPort);
      await a.sendRequest(req, { transport: 'udp', address: '127.0.0.1', port: bPort });
      await ua.response((r) => r.callId === req.callId, 'a response after the garbage');
    } finally {
      await client.close();
    }
  });

  it('answers 505 to another SIP version, never answers an ACK or a response, and ignores keep-alives', async () => {
    const client = await RawUdp.open();
    const errors: TransportErrorEvent[] = [];
    const onError = (m: unknown) => errors.push(m as TransportErrorEvent);
    diagnosticsChannel.subscribe(CHANNEL_ERROR, onError);
    try {
      const v = `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKv7`;
      await client.send(
        rawRequest(v).replace('OPTIONS sip:bob@example.com SIP/2.0', 'OPTIONS sip:bob@example.com SIP/7.0'),
        bPort,
      );
      const text = await client.next((t) => t.includes('z9hG4bKv7'), 'the 505');
      assert.match(text, /^SIP\/2\.0 505 /);

      const ack = rawRequest(`SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKack`)
        .replaceAll('OPTIONS', 'ACK')
        .replace('Content-Length: 0', 'Content-Length: 9');
      await client.send(ack, bPort);
      await client.send(
        `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKresp\r\nContent-Length: 4\r\n\r\n`,
        bPort,
      );
      await client.send('\r\n\r\n', bPort);
      await client.send('\r\n', bPort);
      // The drops are reported; the keep-alives are not.
      await waitFor(() => errors.some((e) => e.bytes.includes('z9hG4bKresp')), 'the dropped response');
      await waitFor(() => errors.some((e) => e.bytes.includes('z9hG4bKack')), 'the dropped ACK');
      assert.equal(errors.filter((e) => e.bytes.length <= 4).length, 0);
      assert.equal(client.received.filter((b) => b.includes('z9hG4bKack') || b.includes('z9hG4bKresp')).length, 0);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_ERROR, onError);
      await client.close();
    }
  });

  it('answers 400 to a request missing Call-ID, and drops a response whose sent-by is not ours', async () => {
    const client = await RawUdp.open();
    try {
      const noCallId = rawRequest(`SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKnocid`).replace(
        'Call-ID: raw-1@example.com\r\n',
        '',
      );
      await client.send(noCallId, bPort);
      const text = await client.next((t) => t.includes('z9hG4bKnocid'), 'the 400');
      assert.match(text, /^SIP\/2\.0 400 /);
      assert.match(text, /missing call-id/i);

      const before = ub.responses.length;
      const foreign =
        'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKforeign\r\nFrom: <sip:a@x>;tag=1\r\n' +
        'To: <sip:b@x>;tag=2\r\nCall-ID: f@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
      await client.send(foreign, bPort);
      const mine =
        `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${bPort};branch=z9hG4bKmine\r\nFrom: <sip:a@x>;tag=1\r\n` +
        'To: <sip:b@x>;tag=2\r\nCall-ID: m@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
      await client.send(mine, bPort);
      await ub.response((r) => r.callId === 'm@x', 'our response');
      assert.equal(ub.responses.slice(before).filter((r) => r.callId === 'f@x').length, 0);
    } finally {
      await client.close();
    }
  });

  it('publishes rx, tx (with retransmissions) and their flows on diagnostics channels', async () => {
    const rx: TransportRxEvent[] = [];
    const tx: TransportTxEvent[] = [];
    const onRx = (m: unknown) => rx.push(m as TransportRxEvent);
    const onTx = (m: unknown) => tx.push(m as TransportTxEvent);
    diagnosticsChannel.subscribe(CHANNEL_RX, onRx);
    diagnosticsChannel.subscribe(CHANNEL_TX, onTx);
    try {
      const req = request('OPTIONS', '127.0.0.1', bPort);
      const sent = await a.sendRequest(req, { transport: 'udp', address: '127.0.0.1', port: bPort });
      a.resend(sent.bytes, sent.flow);
      await waitFor(() => ua.responses.filter((r) => r.callId === req.callId).length === 2, 'two responses');
      const mine = tx.filter((e) => e.bytes.includes(req.callId));
      // A's request, its retransmission, B's two responses.
      assert.equal(mine.length, 4);
      assert.equal(mine[0]?.message, req);
      assert.equal(mine[1]?.retransmission, true);
      assert.ok(mine[1]?.bytes.equals(sent.bytes));
      assert.ok(mine.every((e) => typeof e.wallTime === 'number' && e.wallTime > 1.6e12));
      const received = rx.filter((e) => e.bytes.includes(req.callId));
      assert.equal(received.length, 4);
      assert.ok(received.every((e) => e.message !== undefined && e.message.flow === e.flow));
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_RX, onRx);
      diagnosticsChannel.unsubscribe(CHANNEL_TX, onTx);
    }
  });

  it('answers 513 to a datagram over the size limit', async () => {
    const small = new TransportManager({ listen: [{ transport: 'udp' }], clock, options: { maxDatagramSize: 2000 } });
    await small.start();
    const client = await RawUdp.open();
    try {
      const port = (small.localEndpoint('udp') as { port: number }).port;
      const big = rawRequest(
        `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKbig`,
        `X-Pad: ${'p'.repeat(3000)}\r\n`,
      );
      await client.send(big, port);
      const text = await client.next((t) => t.includes('z9hG4bKbig'), 'the 513');
      assert.match(text, /^SIP\/2\.0 513 /);
    } finally {
      await client.close();
      await small.stop();
    }
  });

  it('fails typed: before start, after stop, on a port in use, and to an unreachable family', async () => {
    const m = new TransportManager({ listen: [{ transport: 'udp' }], clock });
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: bPort };
    await assert.rejects(m.sendRequest(request('OPTIONS', '127.0.0.1', bPort), dest), {
      code: 'ERR_TRANSPORT_UNAVAILABLE',
    });
    await m.start();
    await assert.rejects(m.sendRequest(request('OPTIONS', '::1', 5060), { ...dest, address: '::1' }), {
      code: 'ERR_TRANSPORT_UNAVAILABLE',
    });
    await m.stop();
    await m.stop();
    await assert.rejects(m.sendRequest(request('OPTIONS', '127.0.0.1', bPort), dest), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.code, 'ERR_TRANSPORT_CLOSED');
      return true;
    });
    const clash = new TransportManager({ listen: [{ transport: 'udp', port: bPort }], clock });
    await assert.rejects(clash.start(), { code: 'ERR_TRANSPORT_UNAVAILABLE' });
    await clash.stop();
  });
});
