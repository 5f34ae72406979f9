import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dialog, DialogTable, targetRequest } from '../../src/dialog/index.js';
import {
  createRequest,
  type IncomingRequest,
  type IncomingResponse,
  NameAddr,
  parseNameAddr,
  parseOrThrow,
  parseUri,
  responseTo,
} from '../../src/sip/index.js';

function crlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

const INVITE = crlf(`INVITE sip:bob@192.0.2.20 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKaaa
Max-Forwards: 68
Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>
From: "Alice" <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>
Call-ID: dlg-1@192.0.2.10
CSeq: 314 INVITE
Contact: <sip:alice@192.0.2.10:5060>
Content-Length: 0

`);

describe('Dialog (RFC 3261 section 12)', () => {
  it('UAS side: route set in order, remote target from Contact, remote CSeq, local tag in To', () => {
    const req = parseOrThrow(INVITE) as IncomingRequest;
    const d = Dialog.asUas(req, 'b1', parseNameAddr('<sip:bob@192.0.2.20:5060>'), false, 'invite');
    assert.equal(d.state, 'Confirmed');
    assert.deepEqual(
      d.routeSet.map((r) => r.uri.toString()),
      ['sip:p2.example.com;lr', 'sip:p1.example.com;lr'],
    );
    assert.equal(d.remoteTarget.toString(), 'sip:alice@192.0.2.10:5060');
    assert.equal(d.remoteSeq, 314);
    const bye = d.createRequest('BYE');
    assert.equal(bye.uri.toString(), 'sip:alice@192.0.2.10:5060');
    assert.deepEqual(
      bye.get('route').map((r) => r.uri.toString()),
      ['sip:p2.example.com;lr', 'sip:p1.example.com;lr'],
    );
    assert.equal(bye.fromTag, 'b1');
    assert.equal(bye.toTag, 'a1');
    assert.equal(bye.callId, 'dlg-1@192.0.2.10');
    assert.equal(bye.cseq.method, 'BYE');
    assert.equal(d.target().nextHop.toString(), 'sip:p2.example.com;lr');
  });

  it('UAC side: route set reversed from the response, early on 1xx, confirmed on 2xx', () => {
    const req = parseOrThrow(INVITE) as IncomingRequest;
    const ringing = parseOrThrow(
      responseTo(req, 180, { toTag: 'b1', contact: parseNameAddr('<sip:bob@192.0.2.20>') }).toString(),
    ) as IncomingResponse;
    const out = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      from: '<sip:alice@example.com>;tag=a1',
      to: '<sip:bob@example.com>',
      callId: 'dlg-1@192.0.2.10',
      cseq: 314,
      contact: '<sip:alice@192.0.2.10:5060>',
    });
    const d = Dialog.asUac(out, ringing, 'invite');
    assert.equal(d.state, 'Early');
    assert.deepEqual(
      d.routeSet.map((r) => r.uri.toString()),
      ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
    );
    assert.equal(d.remoteTarget.toString(), 'sip:bob@192.0.2.20');
    const ok = parseOrThrow(
      responseTo(req, 200, { toTag: 'b1', contact: parseNameAddr('<sip:bob@192.0.2.21>') }).toString(),
    ) as IncomingResponse;
    d.confirm(ok);
    assert.equal(d.state, 'Confirmed');
    assert.equal(d.remoteTarget.toString(), 'sip:bob@192.0.2.21', 'the 2xx Contact is the remote target');
    assert.equal(d.createRequest('BYE').cseq.seq, 315);
    const ack = d.createRequest('ACK', { cseq: 314 });
    assert.deepEqual(ack.cseq, { seq: 314, method: 'ACK' });
  });

  it('uses strict routing when the first route has no lr parameter', () => {
    const target = parseUri('sip:alice@192.0.2.10');
    const t = targetRequest(target, [
      parseNameAddr('<sip:old-proxy.example.com>'),
      parseNameAddr('<sip:p2.example.com;lr>'),
    ]);
    assert.equal(t.requestUri.toString(), 'sip:old-proxy.example.com');
    assert.deepEqual(
      t.route.map((r) => r.uri.toString()),
      ['sip:p2.example.com;lr', 'sip:alice@192.0.2.10'],
    );
    assert.equal(t.nextHop.toString(), 'sip:old-proxy.example.com');
  });

  it('rejects requests with lower CSeq (500) and refreshes the target on re-INVITE', () => {
    const req = parseOrThrow(INVITE) as IncomingRequest;
    const d = Dialog.asUas(req, 'b1', parseNameAddr('<sip:bob@192.0.2.20>'), false, 'invite');
    const reinvite = parseOrThrow(
      INVITE.replace('To: <sip:bob@example.com>', 'To: <sip:bob@example.com>;tag=b1')
        .replace('CSeq: 314', 'CSeq: 315')
        .replace('Contact: <sip:alice@192.0.2.10:5060>', 'Contact: <sip:alice@192.0.2.99:5060>'),
    ) as IncomingRequest;
    assert.equal(d.matches(reinvite), true);
    assert.equal(d.receiveRequest(reinvite), true);
    assert.equal(d.remoteTarget.toString(), 'sip:alice@192.0.2.99:5060');
    const old = parseOrThrow(
      INVITE.replace('To: <sip:bob@example.com>', 'To: <sip:bob@example.com>;tag=b1')
        .replace('CSeq: 314 INVITE', 'CSeq: 200 BYE')
        .replace('INVITE sip', 'BYE sip'),
    ) as IncomingRequest;
    assert.equal(d.receiveRequest(old), false);
  });

  it('keeps the dialog while a REFER subscription outlives the INVITE usage (RFC 5057)', () => {
    const req = parseOrThrow(INVITE) as IncomingRequest;
    const d = Dialog.asUas(req, 'b1', parseNameAddr('<sip:bob@192.0.2.20>'), false, 'invite');
    const table = new DialogTable();
    table.add(d);
    d.addUsage('refer;id=315');
    d.removeUsage('invite'); // BYE
    assert.equal(d.state, 'Confirmed');
    assert.equal(table.size, 1);
    const notify = d.createRequest('NOTIFY');
    assert.equal(notify.cseq.method, 'NOTIFY');
    d.removeUsage('refer;id=315'); // final NOTIFY
    assert.equal(d.state, 'Terminated');
    assert.equal(table.size, 0);
    assert.throws(() => d.createRequest('BYE'), /terminated/);
  });

  it('finds the early dialogs of each fork of one INVITE', () => {
    const out = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      from: '<sip:alice@example.com>;tag=a1',
      to: '<sip:bob@example.com>',
      callId: 'fork@x',
      contact: '<sip:alice@192.0.2.10>',
    });
    const table = new DialogTable();
    for (const tag of ['f1', 'f2']) {
      const res = parseOrThrow(
        `SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=${tag}\r\nCall-ID: fork@x\r\nCSeq: ${out.cseq.seq} INVITE\r\nContact: <sip:bob@${tag}.example.com>\r\nContent-Length: 0\r\n\r\n`,
      ) as IncomingResponse;
      if (!table.forResponse(res)) table.add(Dialog.asUac(out, res, 'invite'));
    }
    const early = table.ofCall('fork@x', 'a1');
    assert.deepEqual(early.map((d) => d.remoteTag).sort(), ['f1', 'f2']);
    assert.ok(early.every((d) => d.state === 'Early'));
    assert.equal(early.find((d) => d.remoteTag === 'f2')?.remoteTarget.toString(), 'sip:bob@f2.example.com');
    assert.ok(new NameAddr(parseUri('sip:x@y')).toString());
  });
});
