import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Flow, IncomingRequest, OutgoingResponse, parseOrThrow, parseVia } from '../../src/sip/index.js';
import { stampReceived, stampResponseVia, stampSentBy, viaAsReceived } from '../../src/transport/via-stamp.js';
import { request } from './harness.js';

const flow: Flow = {
  transport: 'udp',
  localAddress: '192.0.2.1',
  localPort: 5060,
  remoteAddress: '203.0.113.9',
  remotePort: 40000,
  connectionId: undefined,
};

describe('Via stamping', () => {
  it('sets transport and sent-by of the socket used, keeps the branch, adds rport (18.1.1, RFC 3581)', () => {
    const req = request('OPTIONS', '192.0.2.1', 5060);
    stampSentBy(req, 'udp', '10.0.0.1', 5060, true);
    const first = req.topVia;
    assert.match(first.branch ?? '', /^z9hG4bK/, 'a Via with a new branch when there was none');
    stampSentBy(req, 'tcp', '2001:db8::1', 5070, true);
    assert.equal(req.get('via').length, 1);
    assert.equal(req.topVia.toString(), `SIP/2.0/TCP [2001:db8::1]:5070;branch=${first.branch};rport`);
    req.prepend('via', parseVia('SIP/2.0/UDP 1.1.1.1;branch=z9hG4bKtop'));
    stampSentBy(req, 'udp', '10.0.0.1', 5060, false);
    assert.equal(req.topVia.toString(), 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop');
    assert.equal(req.get('via').length, 2);
  });

  it('adds received and fills rport as a server (18.2.1, RFC 3581 section 4)', () => {
    const at = { address: '203.0.113.9', port: 40000 };
    assert.equal(
      viaAsReceived(parseVia('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport'), at).toString(),
      'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport=40000;received=203.0.113.9',
    );
    // Same address, no rport: nothing to add.
    const same = parseVia('SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK1');
    assert.equal(viaAsReceived(same, at), same);
    // A host name always gets received.
    assert.equal(viaAsReceived(parseVia('SIP/2.0/UDP pc.example;branch=z9hG4bK1'), at).received, '203.0.113.9');
    // Equal IPv6 spellings are the same address; IPv4-mapped sources are IPv4.
    const v6 = parseVia('SIP/2.0/UDP [2001:db8:0::1];branch=z9hG4bK1');
    assert.equal(viaAsReceived(v6, { address: '2001:db8::1', port: 1 }), v6);
    assert.equal(viaAsReceived(same, { address: '::ffff:203.0.113.9', port: 1 }), same);
  });

  it('hands up a new immutable request whose top Via carries received/rport, other lines untouched', () => {
    const text =
      'OPTIONS sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKa;rport, SIP/2.0/UDP 10.0.0.4;branch=z9hG4bKb\r\n' +
      'Via: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKc\r\nX-Odd:   kept  as is\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n' +
      'Call-ID: c@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody';
    const req = parseOrThrow(text, { flow }) as IncomingRequest;
    const out = stampReceived(req, flow);
    assert.ok(out instanceof IncomingRequest);
    assert.notEqual(out, req);
    assert.equal(out.flow, flow);
    assert.deepEqual(
      out.get('via').map((v) => v.toString()),
      [
        'SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKa;rport=40000;received=203.0.113.9',
        'SIP/2.0/UDP 10.0.0.4;branch=z9hG4bKb',
        'SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKc',
      ],
    );
    assert.deepEqual(out.getRaw('x-odd'), ['kept  as is']);
    assert.equal(out.bodyText, 'body');
    assert.deepEqual(
      out.headerLines().map((l) => l.name),
      req.headerLines().map((l) => l.name),
    );
    // Nothing to add: the same object.
    const plain = parseOrThrow(text.replace(';rport', '').replace('10.0.0.5', '203.0.113.9'), {
      flow,
    }) as IncomingRequest;
    assert.equal(stampReceived(plain, flow), plain);
  });

  it('stamps a response built elsewhere from the request flow', () => {
    const res = new OutgoingResponse(200, 'OK');
    res.set('via', [
      parseVia('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;rport'),
      parseVia('SIP/2.0/UDP 10.0.0.6;branch=z9hG4bK2'),
    ]);
    const top = stampResponseVia(res, flow);
    assert.equal(top?.rport, 40000);
    assert.equal(res.get('via').length, 2);
    assert.equal(res.topVia.received, '203.0.113.9');
    assert.equal(res.get('via')[1]?.received, undefined);
  });
});
