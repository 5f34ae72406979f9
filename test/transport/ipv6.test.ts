import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { parseOrThrow, responseTo } from '../../src/sip/index.js';
import { TransportManager } from '../../src/transport/index.js';
import { RealClock } from '../../src/util/clock.js';
import { Collector, request } from './harness.js';

const clock = new RealClock({ unref: true });

/** Whether this host can bind ::1 (containers without IPv6 cannot). */
async function hasIpv6Loopback(): Promise<boolean> {
  const s = createSocket('udp6');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('IPv6', () => {
  it('runs UDP and TCP over ::1 with bracketed Via hosts, or fails to start with a typed error', async () => {
    const listen = [
      { transport: 'udp' as const, host: '::1' },
      { transport: 'tcp' as const, host: '::1' },
    ];
    const a = new TransportManager({ listen, clock });
    const b = new TransportManager({ listen, clock });
    if (!(await hasIpv6Loopback())) {
      // Without IPv6 the manager must say so, not crash.
      await assert.rejects(a.start(), { code: 'ERR_TRANSPORT_UNAVAILABLE' });
      return;
    }
    await Promise.all([a.start(), b.start()]);
    const ua = new Collector(a);
    const ub = new Collector(b);
    ub.onRequest = (r) => {
      b.sendResponse(responseTo(r, 200, { toTag: 'v6' }), r.flow).catch(assert.fail);
    };
    try {
      for (const transport of ['udp', 'tcp'] as const) {
        const port = b.localEndpoint(transport)?.port ?? assert.fail('no endpoint');
        assert.equal(b.localEndpoint(transport)?.host, '::1');
        const req = request('OPTIONS', '::1', port);
        const sent = await a.sendRequest(req, { transport, address: '::1', port });
        assert.equal(sent.flow.remoteAddress, '::1');
        assert.equal(sent.flow.localAddress, '::1');
        const via = parseOrThrow(sent.bytes).topVia;
        assert.equal(via.host, '[::1]');
        const got = await ub.request((r) => r.callId === req.callId);
        assert.equal(got.flow?.remoteAddress, '::1');
        assert.equal(got.topVia.received, '::1');
        const res = await ua.response((r) => r.callId === req.callId);
        assert.equal(res.flow?.transport, transport);
      }
      // An IPv4 destination cannot be reached from IPv6-only sockets.
      await assert.rejects(
        a.sendRequest(request('OPTIONS', '127.0.0.1', 5060), { transport: 'udp', address: '127.0.0.1', port: 5060 }),
        { code: 'ERR_TRANSPORT_UNAVAILABLE' },
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
