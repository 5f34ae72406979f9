/**
 * Editing outgoing messages: typed set/append/prepend/shift/remove, raw lines, copying lines from
 * a received message, bodies, and the Content-Length the serializer computes (RFC 3261 section
 * 20.14) whatever the header said.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  OutgoingRequest,
  OutgoingResponse,
  Params,
  parseNameAddr,
  parseOrThrow,
  parseUri,
  parseVia,
  SipHeaderError,
  SipParseError,
  Via,
} from '../../src/sip/index.js';

function fresh(): OutgoingRequest {
  const r = new OutgoingRequest('MESSAGE', parseUri('sip:bob@biloxi.example.com'));
  r.set('via', parseVia('SIP/2.0/UDP a.example.com;branch=z9hG4bK1'));
  r.set('to', parseNameAddr('<sip:bob@biloxi.example.com>'));
  r.set('from', parseNameAddr('<sip:alice@atlanta.example.com>;tag=1'));
  r.set('call-id', 'c1');
  r.set('cseq', { seq: 1, method: 'MESSAGE' });
  return r;
}

const names = (r: OutgoingRequest | OutgoingResponse) => r.headerLines().map((l) => `${l.name}: ${l.value}`);

describe('typed editing', () => {
  it('set replaces every line of a header with one, where the first one was', () => {
    const r = fresh();
    r.appendRaw('Subject', 'one').appendRaw('X-A', 'a').appendRaw('subject', 'two');
    r.set('subject', 'three');
    assert.deepEqual(names(r).slice(5), ['Subject: three', 'X-A: a']);
    r.set('expires', 60);
    assert.equal(names(r).at(-1), 'Expires: 60');
  });

  it('prepend puts a new top Via first, append adds after the last line of the header', () => {
    const r = fresh();
    r.prepend(
      'via',
      new Via({ transport: 'TCP', host: 'proxy.example.com', params: Params.of({ branch: 'z9hG4bK2' }) }),
    );
    r.append('via', parseVia('SIP/2.0/UDP c.example.com;branch=z9hG4bK0'));
    assert.deepEqual(
      r.get('via').map((v) => v.branch),
      ['z9hG4bK2', 'z9hG4bK1', 'z9hG4bK0'],
    );
    assert.equal(r.topVia.host, 'proxy.example.com');
    r.append('route', [parseNameAddr('<sip:p1.example.com;lr>'), parseNameAddr('<sip:p2.example.com;lr>')]);
    r.prepend('route', parseNameAddr('<sip:p0.example.com;lr>'));
    assert.deepEqual(
      r.get('route').map((x) => x.uri.toString()),
      ['sip:p0.example.com;lr', 'sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
    );
    r.append('subject', 'single headers are replaced by append');
    r.append('subject', 'again');
    assert.equal(r.count('subject'), 1);
    assert.equal(r.get('subject'), 'again');
  });

  it('prepend on a new Via puts it first, whatever else is there', () => {
    const r = new OutgoingRequest('OPTIONS', parseUri('sip:x@y.example'));
    r.set('call-id', 'c');
    r.prepend('via', parseVia('SIP/2.0/UDP a.example.com;branch=z9hG4bK1'));
    assert.equal(r.headerLines()[0]?.name, 'Via');
  });

  it('shift removes the first value, re-printing the rest of a multi-value line', () => {
    const m = parseOrThrow(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\nTo: <sip:b@b.example>;tag=2\r\nFrom: <sip:a@a.example>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
    const out = m.toOutgoing();
    out.shift('via');
    assert.deepEqual(
      out.get('via').map((v) => v.host),
      ['b.example.com', 'c.example.com'],
    );
    out.shift('via');
    assert.deepEqual(
      out.get('via').map((v) => v.host),
      ['c.example.com'],
    );
    out.shift('via').shift('via');
    assert.deepEqual(out.get('via'), []);
    assert.equal(m.get('via').length, 3, 'the received message is untouched');
  });

  it('remove takes every line of a header under any of its names', () => {
    const r = fresh();
    r.appendRaw('v', 'SIP/2.0/UDP x.example.com;branch=z9hG4bK9').appendRaw('X-Custom', '1').appendRaw('x-custom', '2');
    r.remove('VIA').remove('X-CUSTOM');
    assert.equal(r.count('via'), 0);
    assert.equal(r.count('x-custom'), 0);
  });

  it('typed reads follow the edits (no stale cache)', () => {
    const r = fresh();
    assert.equal(r.callId, 'c1');
    r.set('call-id', 'c2');
    assert.equal(r.callId, 'c2');
    r.remove('call-id');
    assert.throws(() => r.callId, SipHeaderError);
    r.appendRaw('Call-ID', 'c3');
    assert.equal(r.callId, 'c3');
  });
});

describe('raw lines', () => {
  it('appendRaw keeps the text; a known header is parsed when read', () => {
    const r = fresh();
    r.appendRaw('Supported', 'replaces,  timer');
    assert.deepEqual(r.get('supported'), ['replaces', 'timer']);
    assert.ok(r.toString().includes('\r\nSupported: replaces,  timer\r\n'));
    r.appendRaw('Expires', 'never');
    assert.throws(() => r.get('expires'), SipHeaderError);
    r.setRaw('Expires', '30');
    assert.equal(r.get('expires'), 30);
  });

  it('appendRaw refuses header injection and bad names', () => {
    const r = fresh();
    assert.throws(() => r.appendRaw('X-A', 'a\r\nVia: evil'), SipParseError);
    assert.throws(() => r.appendRaw('X-A', 'a\nb'), SipParseError);
    assert.throws(() => r.appendRaw('X A', 'a'), SipParseError);
    assert.throws(() => r.appendRaw('', 'a'), SipParseError);
  });

  it('copyFrom appends the lines of a received header as written', () => {
    const m = parseOrThrow(
      'INVITE sip:b@b.example SIP/2.0\r\nv: SIP/2.0/UDP a.example.com ;branch=z9hG4bK1\r\nRecord-Route: <sip:p1.example.com;lr>\r\nrecord-route: <sip:p2.example.com;lr>\r\nTo: <sip:b@b.example>\r\nFrom: <sip:a@a.example>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n\r\n',
    );
    const out = new OutgoingResponse(200, 'OK');
    out.copyFrom(m, 'via').copyFrom(m, 'Record-Route').copyFrom(m, 'absent');
    assert.deepEqual(names(out), [
      'v: SIP/2.0/UDP a.example.com ;branch=z9hG4bK1',
      'Record-Route: <sip:p1.example.com;lr>',
      'record-route: <sip:p2.example.com;lr>',
    ]);
  });
});

describe('bodies and Content-Length', () => {
  it('computes Content-Length from the body, whatever the header says', () => {
    const r = fresh();
    r.set('content-length', 999);
    r.setBody('héllo', 'text/plain;charset=utf-8');
    const text = r.toString();
    assert.ok(text.includes('\r\nContent-Length: 6\r\n'), 'in place of the line that was set');
    assert.ok(text.endsWith('Content-Type: text/plain;charset=utf-8\r\n\r\nhéllo'), text);
    assert.equal(text.match(/Content-Length/g)?.length, 1);
  });

  it('writes Content-Length: 0 for an empty body and removes Content-Type with it', () => {
    const r = fresh();
    r.setBody('x', 'text/plain');
    r.setBody('');
    const text = r.toString();
    assert.ok(text.endsWith('CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n'), text);
    assert.equal(r.get('content-type'), undefined);
  });

  it('keeps binary bodies untouched', () => {
    const r = fresh();
    const bytes = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    r.setBody(bytes, 'application/octet-stream');
    const back = parseOrThrow(r.toBuffer());
    assert.deepEqual(Buffer.from(back.body), bytes);
    assert.equal(back.get('content-length'), 7);
  });

  it('clone gives an independent copy', () => {
    const r = fresh().setBody('a', 'text/plain');
    const c = r.clone();
    c.set('subject', 'only in the clone');
    c.uri = parseUri('sip:carol@chicago.example.com');
    c.setBody('bb');
    assert.equal(r.get('subject'), undefined);
    assert.equal(r.bodyText, 'a');
    assert.equal(r.uri.toString(), 'sip:bob@biloxi.example.com');
    assert.equal(c.bodyText, 'bb');
  });

  it('serializes responses with their start line', () => {
    const res = new OutgoingResponse(404, 'Not Found');
    res.set('call-id', 'x');
    assert.equal(res.toString(), 'SIP/2.0 404 Not Found\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n');
  });
});
