import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseOrThrow, responseTo } from '../../src/sip/index.js';
import { type ListenSpec, TransportManager } from '../../src/transport/index.js';
import { RealClock } from '../../src/util/clock.js';
import { Collector, request, waitFor } from './harness.js';
import { makeTestPki, type TestPki } from './test-pki.js';

const clock = new RealClock({ unref: true });

describe('TLS transport', () => {
  let pki: TestPki;
  let server: TransportManager;
  let client: TransportManager;
  let us: Collector;
  let uc: Collector;
  let serverPort: number;

  before(async () => {
    pki = makeTestPki();
    const spec: ListenSpec = { transport: 'tls', tls: { cert: pki.cert, key: pki.key, ca: pki.ca } };
    server = new TransportManager({ listen: [spec], clock });
    client = new TransportManager({ listen: [spec], clock });
    await Promise.all([server.start(), client.start()]);
    us = new Collector(server);
    uc = new Collector(client);
    us.onRequest = (r) => {
      server.sendResponse(responseTo(r, 200, { toTag: 's' }), r.flow).catch(assert.fail);
    };
    serverPort = (server.localEndpoint('tls') ?? assert.fail('no tls endpoint')).port;
  });

  after(async () => {
    await Promise.all([server.stop(), client.stop()]);
  });

  it('carries a request and its response over a verified TLS connection', async () => {
    const req = request('OPTIONS', '127.0.0.1', serverPort);
    const sent = await client.sendRequest(req, { transport: 'tls', address: '127.0.0.1', port: serverPort });
    assert.equal(sent.flow.transport, 'tls');
    assert.equal(typeof sent.flow.connectionId, 'number');
    const via = parseOrThrow(sent.bytes).topVia;
    assert.equal(via.transport, 'TLS');
    assert.equal(via.port, client.localEndpoint('tls')?.port);

    const got = await us.request((r) => r.callId === req.callId);
    assert.equal(got.flow?.transport, 'tls');
    assert.equal(got.flow?.remotePort, sent.flow.localPort);
    assert.equal(got.topVia.rport, sent.flow.localPort);
    const res = await uc.response((r) => r.callId === req.callId);
    assert.deepEqual(res.flow, sent.flow);

    // The name a destination was resolved from is the identity checked (RFC 5922): sip.test is in the certificate.
    const named = request('OPTIONS', '127.0.0.1', serverPort);
    const s2 = await client.sendRequest(named, {
      transport: 'tls',
      address: '127.0.0.1',
      port: serverPort,
      hostname: 'sip.test',
    });
    assert.equal(s2.flow.connectionId, sent.flow.connectionId, 'the open connection is reused');
  });

  it('refuses a server it cannot verify, unless verification is off', async () => {
    const strict = new TransportManager({ listen: [], clock, options: { tlsClient: {} } });
    const lax = new TransportManager({ listen: [], clock, options: { tlsClient: { rejectUnauthorized: false } } });
    const wrongName = new TransportManager({ listen: [], clock, options: { tlsClient: { ca: pki.ca } } });
    await Promise.all([strict.start(), lax.start(), wrongName.start()]);
    const ul = new Collector(lax);
    try {
      const dest = { transport: 'tls' as const, address: '127.0.0.1', port: serverPort };
      await assert.rejects(strict.sendRequest(request('OPTIONS', '127.0.0.1', serverPort), dest), {
        code: 'ERR_TRANSPORT_CONNECT',
      });
      await assert.rejects(
        wrongName.sendRequest(request('OPTIONS', '127.0.0.1', serverPort), { ...dest, hostname: 'evil.test' }),
        { code: 'ERR_TRANSPORT_CONNECT' },
      );
      // The same client accepts the server under a name its certificate carries.
      const named = await wrongName.sendRequest(request('OPTIONS', '127.0.0.1', serverPort), {
        ...dest,
        hostname: 'sip.test',
      });
      assert.equal(named.flow.transport, 'tls');
      // Without a listener, the Via names the connection's own address and port.
      const req = request('OPTIONS', '127.0.0.1', serverPort);
      const sent = await lax.sendRequest(req, dest);
      const via = parseOrThrow(sent.bytes).topVia;
      assert.equal(via.port, sent.flow.localPort);
      const res = await ul.response((r) => r.callId === req.callId);
      assert.equal(res.status, 200);
    } finally {
      await Promise.all([strict.stop(), lax.stop(), wrongName.stop()]);
    }
  });

  it('opens a new TLS connection to the sent-by port when the request connection is gone', async () => {
    const quiet = new Collector();
    server.setUser(quiet);
    try {
      const req = request('OPTIONS', '127.0.0.1', serverPort);
      const sent = await client.sendRequest(req, { transport: 'tls', address: '127.0.0.1', port: serverPort });
      const got = await quiet.request((r) => r.callId === req.callId);
      const flow = got.flow ?? assert.fail('no flow');
      client.closeFlow(sent.flow);
      await waitFor(() => !server.isFlowOpen(flow), 'the server to see the close');
      const out = await server.sendResponse(responseTo(got, 200, { toTag: 's' }), flow);
      assert.equal(out.flow.transport, 'tls');
      assert.equal(out.flow.remotePort, client.localEndpoint('tls')?.port);
      const res = await uc.response((r) => r.callId === req.callId);
      assert.equal(res.flow?.localPort, client.localEndpoint('tls')?.port);
    } finally {
      server.setUser(us);
    }
  });

  it('rejects a TLS listener without a certificate at construction', () => {
    assert.throws(() => new TransportManager({ listen: [{ transport: 'tls' }], clock }), { code: 'ERR_CONFIG' });
  });
});
