import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Flow, parseVia } from '../../src/sip/index.js';
import { responseRoute } from '../../src/transport/response-route.js';

const udpFlow: Flow = {
  transport: 'udp',
  localAddress: '192.0.2.1',
  localPort: 5060,
  remoteAddress: '203.0.113.9',
  remotePort: 40000,
  connectionId: undefined,
};
const tcpFlow: Flow = { ...udpFlow, transport: 'tcp', remotePort: 50123, connectionId: 7 };
const open = () => true;
const closed = () => false;

describe('response routing (RFC 3261 section 18.2.2, RFC 3581 section 4)', () => {
  it('reliable: the request connection while open, else received and the sent-by port', () => {
    const via = parseVia('SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bK1;rport');
    assert.deepEqual(responseRoute(via, tcpFlow, open), { kind: 'connection', flow: tcpFlow });
    // Not rport: the client's ephemeral port has no listener.
    assert.deepEqual(responseRoute(via, tcpFlow, closed), {
      kind: 'address',
      transport: 'tcp',
      address: '203.0.113.9',
      port: 5070,
    });
    // Without a flow (stateless): received from the Via, default port when sent-by has none.
    assert.deepEqual(
      responseRoute(parseVia('SIP/2.0/TLS h.example;received=198.51.100.4;branch=z9hG4bK1'), undefined, open),
      {
        kind: 'address',
        transport: 'tls',
        address: '198.51.100.4',
        port: 5061,
      },
    );
    // No received and a name in sent-by: resolve it (RFC 3263 section 5).
    assert.deepEqual(responseRoute(parseVia('SIP/2.0/TCP h.example;branch=z9hG4bK1'), undefined, open), {
      kind: 'resolve',
      transport: 'tcp',
      host: 'h.example',
      port: undefined,
    });
  });

  it('unreliable: maddr, then received with rport or the sent-by port, then sent-by', () => {
    const maddr = parseVia('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;maddr=192.0.2.200;rport');
    assert.deepEqual(responseRoute(maddr, udpFlow, open), {
      kind: 'address',
      transport: 'udp',
      address: '192.0.2.200',
      port: 5070,
    });
    // A multicast maddr is not used: this stack does not send to groups.
    const mcast = parseVia('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;maddr=239.1.1.1;rport');
    assert.deepEqual(responseRoute(mcast, udpFlow, open), {
      kind: 'address',
      transport: 'udp',
      address: '203.0.113.9',
      port: 40000,
      via: udpFlow,
    });
    const noRport = parseVia('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1');
    assert.deepEqual(responseRoute(noRport, udpFlow, open), {
      kind: 'address',
      transport: 'udp',
      address: '203.0.113.9',
      port: 5070,
      via: udpFlow,
    });
    // Sent-by equal to the source and no rport: straight to sent-by.
    const direct = parseVia('SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1');
    assert.deepEqual(responseRoute(direct, udpFlow, open), {
      kind: 'address',
      transport: 'udp',
      address: '203.0.113.9',
      port: 5060,
      via: udpFlow,
    });
    // Stateless with a filled rport.
    const filled = parseVia('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;received=198.51.100.4;rport=6000');
    assert.deepEqual(responseRoute(filled, undefined, open), {
      kind: 'address',
      transport: 'udp',
      address: '198.51.100.4',
      port: 6000,
      via: undefined,
    });
    assert.deepEqual(responseRoute(parseVia('SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK1'), undefined, open), {
      kind: 'address',
      transport: 'udp',
      address: '2001:db8::1',
      port: 5062,
      via: undefined,
    });
  });

  it('cannot route without a Via and a flow, or with an unknown transport', () => {
    assert.equal(responseRoute(undefined, undefined, open).kind, 'unroutable');
    assert.equal(responseRoute(undefined, tcpFlow, closed).kind, 'unroutable');
    assert.equal(responseRoute(parseVia('SIP/2.0/SCTP 10.0.0.1;branch=z9hG4bK1'), undefined, open).kind, 'unroutable');
  });
});
