/**
 * Via (RFC 3261 sections 18.2.1, 20.42, 25.1) with RFC 3581 rport and RFC 5118 IPv6 forms:
 * sent-protocol, sent-by, and the branch, received, rport, maddr and ttl parameters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Params, parseVia, SipParseError, Via } from '../../src/sip/index.js';

describe('parseVia', () => {
  it('reads sent-protocol, sent-by and parameters', () => {
    const v = parseVia('SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7');
    assert.equal(v.protocol, 'SIP');
    assert.equal(v.version, '2.0');
    assert.equal(v.transport, 'UDP');
    assert.equal(v.host, 'erlang.bell-telephone.com');
    assert.equal(v.port, 5060);
    assert.equal(v.branch, 'z9hG4bK87asdks7');
    assert.equal(v.toString(), 'SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7');
  });

  it('allows LWS around "/", ":" and ";" and reads the transport in any case (RFC 4475 wsinv)', () => {
    const v = parseVia('SIP  /   2.0  /   uDp   192.0.2.2 : 5080 ;  branch = z9hG4bK1 ; rport');
    assert.equal(v.transport, 'UDP');
    assert.equal(v.host, '192.0.2.2');
    assert.equal(v.port, 5080);
    assert.equal(v.branch, 'z9hG4bK1');
    assert.equal(v.toString(), 'SIP/2.0/UDP 192.0.2.2:5080;branch=z9hG4bK1;rport');
  });

  it('reads rport as requested (flag) or filled in (RFC 3581 section 4)', () => {
    assert.equal(parseVia('SIP/2.0/UDP h.example;rport;branch=z9hG4bK1').rport, true);
    assert.equal(parseVia('SIP/2.0/UDP h.example;rport=5070;received=192.0.2.1').rport, 5070);
    assert.equal(parseVia('SIP/2.0/UDP h.example;branch=z9hG4bK1').rport, undefined);
    assert.equal(parseVia('SIP/2.0/UDP h.example;received=192.0.2.1').received, '192.0.2.1');
  });

  it('reads maddr, ttl and extension parameters', () => {
    const v = parseVia(
      'SIP/2.0/UDP first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1;x-ext="a b"',
    );
    assert.equal(v.maddr, '224.2.0.1');
    assert.equal(v.params.get('ttl'), '16');
    assert.equal(v.params.getUnquoted('x-ext'), 'a b');
  });

  it('reads IPv6 sent-by and received with or without brackets (RFC 5118 sections 4.5, 4.7)', () => {
    const v = parseVia('SIP/2.0/TCP [2001:db8::9:1]:5061;received=[2001:db8::9:255];branch=z9hG4bKas3-111');
    assert.equal(v.host, '[2001:db8::9:1]');
    assert.equal(v.port, 5061);
    assert.equal(v.received, '[2001:db8::9:255]');
    assert.equal(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255').received, '2001:db8::9:255');
    assert.equal(parseVia('SIP/2.0/UDP [::ffff:192.0.2.10]:19823').host, '[::ffff:192.0.2.10]');
  });

  it('accepts transports beyond UDP/TCP/TLS/SCTP (RFC 4475 transports, RFC 7118 WS)', () => {
    for (const t of ['SCTP', 'TLS-SCTP', 'WS', 'WSS', 'NEWTRANSPORT']) {
      assert.equal(parseVia(`SIP/2.0/${t} host.example`).transport, t);
    }
  });

  it('rejects malformed values with 400, another SIP version with 505', () => {
    const bad = [
      'SIP/2.0/UDP',
      'SIP/2.0 host.example',
      'SIP/2.0/UDP host.example:',
      'SIP/2.0/UDP host.example:65536',
      'SIP/2.0/UDP host.example:123456',
      'SIP/2.0/UDP host.example junk',
      'SIP/2.0/UDP host.example;;branch=1',
      'SIP/2.0/UDP host.example;branch=',
      'SIP/2.0/UDP host_1!.example',
      'SIP/2.0/UDP [2001:db8::1',
      'SIP/2.0/U"DP host.example',
    ];
    for (const text of bad) {
      assert.throws(
        () => parseVia(text),
        (e: unknown) => e instanceof SipParseError && e.status === 400,
        text,
      );
    }
    assert.throws(
      () => parseVia('SIP/7.0/UDP host.example'),
      (e: unknown) => e instanceof SipParseError && e.status === 505,
    );
  });
});

describe('Via', () => {
  it('builds, changes and prints values', () => {
    const v = new Via({
      transport: 'tcp',
      host: 'pc33.atlanta.example.com',
      params: Params.of({ branch: 'z9hG4bK776', rport: null }),
    });
    assert.equal(v.toString(), 'SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776;rport');
    const filled = v.withParam('received', '192.0.2.1').withParam('rport', 5071);
    assert.equal(
      filled.toString(),
      'SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776;rport=5071;received=192.0.2.1',
    );
    assert.equal(filled.rport, 5071);
    assert.equal(
      v.with({ port: 5061, transport: 'TLS' }).toString(),
      'SIP/2.0/TLS pc33.atlanta.example.com:5061;branch=z9hG4bK776;rport',
    );
    assert.equal(v.rport, true);
  });
});
