/**
 * Builders: a new request (RFC 3261 section 8.1.1), a response (section 8.2.6), CANCEL (section
 * 9.1) and the ACK of a non-2xx final response (section 17.1.1.3).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ackForNon2xx,
  cancelFor,
  createRequest,
  type IncomingRequest,
  NameAddr,
  Params,
  parseNameAddr,
  parseOrThrow,
  parseUri,
  responseTo,
  SipParseError,
  Via,
} from '../../src/sip/index.js';

const VIA = new Via({
  transport: 'UDP',
  host: 'pc33.atlanta.example.com',
  params: Params.of({ branch: 'z9hG4bK776asdhds' }),
});

function incoming(text: string): IncomingRequest {
  const m = parseOrThrow(text);
  assert.equal(m.kind, 'request');
  return m as IncomingRequest;
}

const INVITE = incoming(
  [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'v: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3',
    'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds ;received=192.0.2.1',
    'Max-Forwards: 68',
    'Record-Route: <sip:server10.biloxi.example.com;lr>, <sip:bigbox3.site3.atlanta.example.com;lr>',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: "A. G. Bell"   <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    'CSeq: 00314159 INVITE',
    'Timestamp: 54.21',
    'Route: <sip:p1.example.com;lr>',
    'Contact: <sip:alice@pc33.atlanta.example.com>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);

describe('createRequest (section 8.1.1)', () => {
  it('adds a From tag, Max-Forwards 70, a Call-ID and a CSeq with the method', () => {
    const r = createRequest({
      method: 'OPTIONS',
      uri: 'sip:bob@biloxi.example.com',
      from: 'Alice <sip:alice@atlanta.example.com>',
      to: 'Bob <sip:bob@biloxi.example.com>',
    });
    assert.equal(r.method, 'OPTIONS');
    assert.equal(r.uri.toString(), 'sip:bob@biloxi.example.com');
    assert.match(r.fromTag ?? '', /^[0-9A-Za-z]{10}$/);
    assert.equal(r.toTag, undefined);
    assert.equal(r.get('max-forwards'), 70);
    assert.ok(r.callId.length >= 16);
    assert.equal(r.cseq.method, 'OPTIONS');
    assert.ok(r.cseq.seq >= 1 && r.cseq.seq < 2 ** 31);
    const other = createRequest({
      method: 'OPTIONS',
      uri: 'sip:bob@biloxi.example.com',
      from: 'sip:a@b.example',
      to: 'sip:c@d.example',
    });
    assert.notEqual(other.callId, r.callId);
    assert.notEqual(other.fromTag, r.fromTag);
  });

  it('keeps a given From tag, Call-ID, CSeq and Max-Forwards', () => {
    const r = createRequest({
      method: 'INVITE',
      uri: parseUri('sip:bob@biloxi.example.com'),
      from: parseNameAddr('<sip:alice@atlanta.example.com>;tag=abc'),
      to: new NameAddr(parseUri('sip:bob@biloxi.example.com')),
      callId: 'call-1@host',
      cseq: 7,
      maxForwards: 10,
    });
    assert.equal(r.fromTag, 'abc');
    assert.equal(r.callId, 'call-1@host');
    assert.deepEqual(r.cseq, { seq: 7, method: 'INVITE' });
    assert.equal(r.get('max-forwards'), 10);
  });

  it('puts Via on top, the route set in order, Contact, extra headers and the body with its Content-Length', () => {
    const r = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@biloxi.example.com',
      from: '<sip:alice@atlanta.example.com>',
      to: '<sip:bob@biloxi.example.com>',
      via: VIA,
      route: ['<sip:p1.example.com;lr>', parseNameAddr('<sip:p2.example.com;lr>')],
      contact: '<sip:alice@pc33.atlanta.example.com>',
      headers: [
        ['Supported', 'replaces'],
        ['X-Trace', 'abc'],
      ],
      body: 'v=0\r\n',
      contentType: 'application/sdp',
      callId: 'c1',
      cseq: 1,
    });
    assert.deepEqual(
      r.headerLines().map((l) => l.name),
      [
        'Via',
        'Max-Forwards',
        'Route',
        'From',
        'To',
        'Call-ID',
        'CSeq',
        'Contact',
        'Supported',
        'X-Trace',
        'Content-Type',
      ],
    );
    assert.deepEqual(
      r.get('route').map((x) => x.uri.toString()),
      ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
    );
    const text = r.toString();
    assert.ok(
      text.startsWith(
        'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n',
      ),
    );
    assert.ok(text.endsWith('Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n'));
    const back = parseOrThrow(r.toBuffer());
    assert.equal(back.bodyText, 'v=0\r\n');
    assert.equal(back.get('contact')[0]?.uri.toString(), 'sip:alice@pc33.atlanta.example.com');
  });

  it('refuses malformed addresses', () => {
    assert.throws(
      () =>
        createRequest({ method: 'INVITE', uri: 'sip:b@b.example', from: 'Alice <sip:alice@', to: '<sip:b@b.example>' }),
      SipParseError,
    );
  });
});

describe('responseTo (section 8.2.6)', () => {
  it('copies every Via in order, as received, with From, Call-ID and CSeq', () => {
    const r = responseTo(INVITE, 486);
    assert.equal(r.status, 486);
    assert.equal(r.reason, 'Busy Here');
    assert.deepEqual(
      r.get('via').map((v) => v.branch),
      ['z9hG4bK4b43c2ff8.1', 'z9hG4bK77ef4c2312983.1', 'z9hG4bK776asdhds'],
    );
    const text = r.toString();
    assert.ok(
      text.includes('\r\nv: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3\r\n'),
    );
    assert.ok(text.includes('\r\nFrom: "A. G. Bell"   <sip:alice@atlanta.example.com>;tag=1928301774\r\n'));
    assert.ok(text.includes('\r\nCSeq: 00314159 INVITE\r\n'));
    assert.equal(r.callId, INVITE.callId);
    assert.deepEqual(r.cseq, { seq: 314159, method: 'INVITE' });
    assert.equal(r.get('max-forwards'), undefined);
    assert.equal(r.get('contact').length, 0);
    assert.equal(r.get('route').length, 0);
  });

  it('adds a To tag to every response but 100, the given one or a fresh one (section 8.2.6.2)', () => {
    assert.equal(responseTo(INVITE, 100).toTag, undefined);
    assert.equal(responseTo(INVITE, 180, { toTag: 'b1' }).toTag, 'b1');
    assert.equal(responseTo(INVITE, 200, { toTag: 'b1' }).toTag, 'b1');
    const fresh = [responseTo(INVITE, 404).toTag, responseTo(INVITE, 404).toTag];
    assert.match(fresh[0] ?? '', /^[0-9A-Za-z]{10}$/);
    assert.notEqual(fresh[0], fresh[1]);
    const inDialog = incoming(
      INVITE.toString().replace(
        'To: Bob <sip:bob@biloxi.example.com>',
        'To: Bob <sip:bob@biloxi.example.com>;tag=existing',
      ),
    );
    assert.equal(responseTo(inDialog, 200, { toTag: 'other' }).toTag, 'existing');
  });

  it('echoes Timestamp in 100 Trying only (section 8.2.6.1)', () => {
    assert.deepEqual(responseTo(INVITE, 100).get('timestamp'), { time: '54.21', delay: undefined });
    assert.equal(responseTo(INVITE, 180).get('timestamp'), undefined);
  });

  it('copies Record-Route into dialog-creating 1xx/2xx only (section 12.1.1)', () => {
    const rr = (status: number) => responseTo(INVITE, status).get('record-route').length;
    assert.equal(rr(100), 0);
    assert.equal(rr(180), 2);
    assert.equal(rr(200), 2);
    assert.equal(rr(486), 0);
    assert.deepEqual(
      responseTo(INVITE, 200)
        .get('record-route')
        .map((x) => x.uri.toString()),
      ['sip:server10.biloxi.example.com;lr', 'sip:bigbox3.site3.atlanta.example.com;lr'],
    );
    const options = incoming(
      INVITE.toString().replace('INVITE sip', 'OPTIONS sip').replace('00314159 INVITE', '1 OPTIONS'),
    );
    assert.equal(responseTo(options, 200).get('record-route').length, 0);
    assert.equal(responseTo(options, 200, { recordRoute: true }).get('record-route').length, 2);
  });

  it('adds the reason, Contact, extra headers and body it is given', () => {
    const r = responseTo(INVITE, 200, {
      reason: 'Fine',
      toTag: 't',
      contact: parseNameAddr('<sip:bob@192.0.2.4>'),
      headers: [['Server', 'Switchboard']],
      body: 'v=0\r\n',
      contentType: 'application/sdp',
    });
    assert.equal(r.startLine, 'SIP/2.0 200 Fine');
    assert.equal(r.get('contact')[0]?.uri.toString(), 'sip:bob@192.0.2.4');
    assert.equal(r.get('server'), 'Switchboard');
    assert.equal(r.contentType, 'application/sdp');
    assert.ok(r.toString().endsWith('Content-Length: 5\r\n\r\nv=0\r\n'));
    assert.equal(responseTo(INVITE, 299).reason, 'OK', 'an unknown code gets its class phrase');
  });
});

describe('cancelFor (section 9.1)', () => {
  it('copies Request-URI, Call-ID, From, To, CSeq number and Route, with the top Via only', () => {
    const c = cancelFor(INVITE);
    assert.equal(c.method, 'CANCEL');
    assert.equal(c.uri.toString(), INVITE.uri.toString());
    assert.equal(c.get('via').length, 1);
    assert.equal(c.topVia.toString(), INVITE.topVia.toString());
    assert.deepEqual(c.cseq, { seq: 314159, method: 'CANCEL' });
    assert.equal(c.callId, INVITE.callId);
    assert.equal(c.fromTag, '1928301774');
    assert.equal(c.toTag, undefined);
    assert.deepEqual(
      c.get('route').map((r) => r.uri.toString()),
      ['sip:p1.example.com;lr'],
    );
    assert.equal(c.get('max-forwards'), 70);
    assert.equal(c.get('record-route').length, 0);
    assert.equal(c.get('contact').length, 0);
    assert.ok(c.toString().includes('\r\nFrom: "A. G. Bell"   <sip:alice@atlanta.example.com>;tag=1928301774\r\n'));
  });

  it('carries a Reason when given (RFC 3326)', () => {
    assert.deepEqual(
      cancelFor(INVITE, 'SIP;cause=200;text="Call completed elsewhere"').get('reason')[0]?.params.get('cause'),
      '200',
    );
  });
});

describe('ackForNon2xx (section 17.1.1.3)', () => {
  it('takes Request-URI, Call-ID, From, top Via and Route from the request and To from the response', () => {
    const response = parseOrThrow(responseTo(INVITE, 486, { toTag: 'busy1' }).toBuffer());
    assert.equal(response.kind, 'response');
    const ack = ackForNon2xx(INVITE, response as never);
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.uri.toString(), 'sip:bob@biloxi.example.com');
    assert.equal(ack.get('via').length, 1);
    assert.equal(ack.topVia.branch, 'z9hG4bK4b43c2ff8.1');
    assert.equal(ack.toTag, 'busy1');
    assert.equal(ack.fromTag, '1928301774');
    assert.equal(ack.callId, INVITE.callId);
    assert.deepEqual(ack.cseq, { seq: 314159, method: 'ACK' });
    assert.equal(ack.get('route').length, 1);
    assert.equal(ack.body.length, 0);
  });
});
