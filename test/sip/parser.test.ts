/**
 * The message parser (RFC 3261 sections 7, 18.3 and 25): start lines, folding, leading CRLFs,
 * unknown headers kept raw and in order, bodies kept byte for byte, datagram and stream framing
 * rules for Content-Length, the headers checked eagerly, what a failure carries for a stateless
 * answer, and immutability of what was received.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Flow,
  IncomingRequest,
  IncomingResponse,
  parseMessage,
  parseOrThrow,
  SipParseError,
} from '../../src/sip/index.js';
import { corpusBytes } from './support/corpus.js';

const HEAD = [
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Max-Forwards: 70',
];

function invite(
  extra: readonly string[] = [],
  body = '',
  contentLength: number | null = Buffer.byteLength(body),
): string {
  const cl = contentLength === null ? [] : [`Content-Length: ${contentLength}`];
  return `INVITE sip:bob@biloxi.example.com SIP/2.0\r\n${[...HEAD, ...extra, ...cl].join('\r\n')}\r\n\r\n${body}`;
}

function req(input: string | Uint8Array, datagram = true): IncomingRequest {
  const m = parseOrThrow(input, { datagram });
  assert.ok(m instanceof IncomingRequest);
  return m;
}

function res(input: string | Uint8Array): IncomingResponse {
  const m = parseOrThrow(input);
  assert.ok(m instanceof IncomingResponse);
  return m;
}

function failure(input: string | Uint8Array, datagram = true): SipParseError {
  const r = parseMessage(input, { datagram });
  assert.ok(!r.ok, 'must be rejected');
  return r.error;
}

describe('start lines', () => {
  it('reads a request line', () => {
    const m = req(invite());
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uri.toString(), 'sip:bob@biloxi.example.com');
    assert.equal(m.startLine, 'INVITE sip:bob@biloxi.example.com SIP/2.0');
  });

  it('keeps the method case (methods are case-sensitive, section 7.1)', () => {
    const m = req(invite().replace('INVITE sip', 'invite sip').replace('314159 INVITE', '314159 invite'));
    assert.equal(m.method, 'invite');
  });

  it('reads status lines, with empty, spaced and UTF-8 reason phrases (RFC 4475 noreason, unreason)', () => {
    const body = HEAD.join('\r\n');
    assert.equal(res(`SIP/2.0 180 Ringing\r\n${body}\r\n\r\n`).reason, 'Ringing');
    assert.equal(res(`SIP/2.0 100 \r\n${body}\r\n\r\n`).reason, '');
    assert.equal(res(`SIP/2.0 100\r\n${body}\r\n\r\n`).reason, '');
    assert.equal(res(`SIP/2.0 486 Busy  Here \r\n${body}\r\n\r\n`).reason, 'Busy  Here ');
    assert.equal(res(`SIP/2.0 200 Très bien ✓\r\n${body}\r\n\r\n`).reason, 'Très bien ✓');
    const un = res(corpusBytes('rfc4475/unreason'));
    assert.equal(un.status, 200);
    assert.ok(un.reason.startsWith('= 2**3 * 5**2 но сто девяносто девять'));
  });

  it('refuses malformed start lines with 400 and other SIP versions with 505', () => {
    const body = `\r\n${HEAD.join('\r\n')}\r\n\r\n`;
    const cases: readonly [string, number, RegExp][] = [
      ['INVITE  sip:bob@biloxi.example.com SIP/2.0', 400, /malformed request line/],
      ['INVITE sip:bob@biloxi.example.com SIP/2.0 ', 400, /malformed request line/],
      ['INVITE sip:bob@biloxi.example.com', 400, /malformed request line/],
      ['INV(TE sip:bob@biloxi.example.com SIP/2.0', 400, /bad method/],
      ['INVITE sip:bob@biloxi.example.com SIP/7.0', 505, /version 7.0/],
      ['INVITE sip:bob@biloxi.example.com HTTP/1.1', 400, /bad SIP version/],
      ['INVITE <sip:bob@biloxi.example.com> SIP/2.0', 400, /bad URI/],
      ['SIP/2.0 99 Too Small', 400, /malformed status line/],
      ['SIP/2.0 700 Too Big', 400, /out of range/],
      ['SIP/2.0 4294967301 better not break the receiver', 400, /malformed status line/],
      ['SIP/3.0 200 OK', 505, /version 3.0/],
      ['SIP/2.0 2OO OK', 400, /malformed status line/],
    ];
    for (const [line, status, why] of cases) {
      const e = failure(line + body);
      assert.equal(e.status, status, line);
      assert.match(e.message, why, line);
    }
  });

  it('refuses a Request-URI with headers (section 19.1.5, RFC 4475 escruri)', () => {
    assert.match(
      failure(invite().replace('sip:bob@biloxi.example.com SIP', 'sip:bob@biloxi.example.com?Route=%3Csip:x%3E SIP'))
        .message,
      /must not carry headers/,
    );
  });

  it('accepts a Request-URI of any scheme, so that validation can answer 416', () => {
    assert.equal(req(invite().replace('sip:bob@biloxi.example.com SIP', 'tel:+1-201-555-0123 SIP')).uri.scheme, 'tel');
    assert.equal(req(invite().replace('sip:bob@biloxi.example.com SIP', 'urn:service:sos SIP')).uri.scheme, 'urn');
  });
});

describe('header section', () => {
  it('unfolds continuation lines into one space (section 7.3.1, RFC 4475 wsinv)', () => {
    const m = req(
      invite([
        "Subject: I know you're there,\r\n         pick up the phone\r\n\tand talk to me!",
        'X-Folded: a\r\n b\r\n  c',
      ]),
    );
    assert.equal(m.get('subject'), "I know you're there, pick up the phone and talk to me!");
    assert.deepEqual(m.getRaw('x-folded'), ['a b c']);
    const ws = req(corpusBytes('rfc4475/wsinv'));
    assert.equal(ws.to.tag, '1918181833n');
    assert.equal(ws.from.displayName, 'J Rosenberg \\"');
    assert.equal(ws.cseq.seq, 9);
    assert.equal(ws.get('max-forwards'), 68);
    assert.deepEqual(
      ws.get('via').map((v) => v.transport),
      ['UDP', 'TCP', 'UDP'],
    );
    assert.equal(ws.get('via')[2]?.branch, 'z9hG4bK30239');
    assert.deepEqual(ws.getRaw('NewFangledHeader'), ['newfangled value continued newfangled value']);
    assert.deepEqual(ws.getRaw('UnknownHeaderWithUnusualValue'), [';;,,;;,;']);
    assert.equal(ws.get('subject'), '');
  });

  it('refuses a folded line right after the start line, a line without a colon, a bad name', () => {
    assert.match(failure(`INVITE sip:a@b.example SIP/2.0\r\n ${HEAD.join('\r\n')}\r\n\r\n`).message, /bad header name/);
    assert.match(failure(invite(['NoColonHere'])).message, /without a name and ':'/);
    assert.match(failure(invite([': value'])).message, /without a name/);
    assert.match(failure(invite(['Bad Name: value'])).message, /bad header name/);
    assert.match(failure(invite(['Bad"Name: value'])).message, /bad header name/);
  });

  it('keeps unknown headers raw, with their name as written, in order among known ones', () => {
    const m = req(invite(['X-First:   one  ', 'Subject: s', 'x-first: two', 'P-Weird: ;;,,"unbalanced']));
    assert.deepEqual(m.getRaw('X-FIRST'), ['one', 'two']);
    const names = m.headerLines().map((l) => l.name);
    assert.deepEqual(names.slice(6), ['X-First', 'Subject', 'x-first', 'P-Weird', 'Content-Length']);
    assert.deepEqual(
      m
        .headerLines()
        .filter((l) => !l.known)
        .map((l) => l.value),
      ['one', 'two', ';;,,"unbalanced'],
    );
    const out = m.toString();
    assert.ok(out.indexOf('X-First: one') < out.indexOf('Subject: s'));
    assert.ok(out.indexOf('Subject: s') < out.indexOf('x-first: two'));
    assert.ok(out.includes('\r\nP-Weird: ;;,,"unbalanced\r\n'));
  });

  it('accepts bare LF line endings and skips CRLFs before the start line (section 7.5)', () => {
    const lf = req(invite(['Subject: lf'], 'hello').replace(/\r\n/g, '\n'));
    assert.equal(lf.get('subject'), 'lf');
    assert.equal(lf.bodyText, 'hello');
    const lead = req(`\r\n\r\n\n${invite()}`);
    assert.equal(lead.method, 'INVITE');
    assert.match(failure('\r\n\r\n').message, /empty message/);
    assert.match(failure('').message, /empty message/);
  });

  it('checks Via, From, To, Call-ID, CSeq, Max-Forwards and Content-Length at parse time', () => {
    const swaps: readonly [string, string, RegExp][] = [
      [
        'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
        'Via: SIP/2.0/UDP pc33.atlanta.example.com;;',
        /^Via: /,
      ],
      ['To: Bob <sip:bob@biloxi.example.com>', 'To: Bob <sip:bob@biloxi.example.com', /^To: /],
      [
        'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
        'From: "Alice <sip:alice@atlanta.example.com>',
        /^From: /,
      ],
      ['Call-ID: a84b4c76e66710@pc33.atlanta.example.com', 'Call-ID: a b', /^Call-ID: /],
      ['CSeq: 314159 INVITE', 'CSeq: 36893488147419103232 INVITE', /^CSeq: /],
      ['Max-Forwards: 70', 'Max-Forwards: 300', /^Max-Forwards: /],
    ];
    for (const [from, to, why] of swaps) {
      const e = failure(invite().replace(from, to));
      assert.equal(e.status, 400);
      assert.match(e.message, why);
    }
    assert.match(
      failure(invite([], '', null).replace('Max-Forwards: 70', 'Content-Length: five')).message,
      /^Content-Length: /,
    );
  });

  it('parses other known headers only when asked, and reports them as header errors', () => {
    const m = req(invite(['Date: Fri, 01 Jan 2010 16:00:00 EST', 'Expires: soon']));
    assert.deepEqual(
      m.headerErrors().map((e) => [e.name, e.error.status]),
      [
        ['Date', 400],
        ['Expires', 400],
      ],
    );
    assert.equal(m.tryGet('date').ok, false);
    assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  });

  it('refuses a CSeq method that differs from the request method: 400, or 501 for an unknown method (RFC 4475 mismatch01/02)', () => {
    assert.equal(failure(invite().replace('314159 INVITE', '314159 OPTIONS')).status, 400);
    const unknown = invite().replace('INVITE sip:', 'NEWMETHOD sip:');
    assert.equal(failure(unknown).status, 501);
  });
});

describe('bodies and Content-Length', () => {
  it('keeps a multipart body byte for byte, CRLFCRLF and NULs included', () => {
    const body = Buffer.concat([
      Buffer.from(
        '--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a, 0]),
      Buffer.from('\r\n--b1--\r\n'),
    ]);
    const head = Buffer.from(invite(['Content-Type: multipart/mixed;boundary=b1'], '', body.length));
    const m = req(Buffer.concat([head, body]));
    assert.deepEqual(Buffer.from(m.body), body);
    const again = req(m.toBuffer());
    assert.deepEqual(Buffer.from(again.body), body);
  });

  it('keeps a message/sipfrag body as bytes, never as headers', () => {
    const frag = 'SIP/2.0 200 OK\r\nContact: <sip:x@y.example>\r\n\r\n';
    const notify = invite(['Event: refer', 'Content-Type: message/sipfrag;version=2.0'], frag)
      .replace('INVITE sip:', 'NOTIFY sip:')
      .replace('314159 INVITE', '314159 NOTIFY');
    const m = req(notify);
    assert.equal(m.bodyText, frag);
    assert.equal(m.get('contact').length, 0);
    assert.equal(m.contentType, 'message/sipfrag');
    assert.equal(req(m.toBuffer()).bodyText, frag);
  });

  it('in a datagram: no Content-Length takes the rest, a shorter one truncates, a larger one is a 400 (section 18.3)', () => {
    assert.equal(req(invite([], 'hello', null)).bodyText, 'hello');
    assert.equal(req(invite([], 'hello world', 5)).bodyText, 'hello');
    const e = failure(invite([], 'hello', 9999));
    assert.equal(e.status, 400);
    assert.match(e.message, /Content-Length 9999 is larger than the 5 body bytes/);
  });

  it('in a framed stream message: no Content-Length means no body', () => {
    assert.equal(req(invite([], 'hello', null), false).body.length, 0);
    assert.equal(req(invite([], 'hello', 5), false).bodyText, 'hello');
  });

  it('accepts repeated equal Content-Length values and refuses different ones (RFC 4475 mcl01)', () => {
    assert.equal(req(invite(['l: 5'], 'hello')).bodyText, 'hello');
    assert.match(failure(invite(['Content-Length: 4'], 'hello')).message, /conflicting Content-Length/);
    assert.match(failure(invite([], 'hello', -5)).message, /Content-Length/);
  });

  it('keeps a datagram that ends after the last header line without the empty line', () => {
    const m = req(
      `OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n${HEAD.join('\r\n').replace('INVITE', 'OPTIONS')}\r\n`,
    );
    assert.equal(m.method, 'OPTIONS');
    assert.equal(m.body.length, 0);
  });
});

describe('failures', () => {
  it('never throw, whatever the bytes', () => {
    for (const junk of [
      Buffer.from([0, 0, 0]),
      Buffer.from('\u0000INVITE'),
      Buffer.from([0xff, 0xfe, 0x0d, 0x0a]),
      'SIP/',
      ' ',
      ':',
    ]) {
      const r = parseMessage(junk);
      assert.equal(r.ok, false);
    }
  });

  it('keep the request lines a stateless error response copies (section 8.2.6.2)', () => {
    const r = parseMessage(invite().replace('SIP/2.0\r\n', 'SIP/3.0\r\n'));
    assert.ok(!r.ok);
    assert.equal(r.error.status, 505);
    assert.equal(r.request?.method, 'INVITE');
    assert.deepEqual(
      r.request?.lines.map((l) => l.name),
      ['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length'],
    );
    const noColon = parseMessage(invite(['Broken line']));
    assert.ok(!noColon.ok);
    assert.equal(noColon.request?.lines.find((l) => l.name === 'Via')?.value, HEAD[0]?.slice(5));
  });

  it('carry no request for responses: nothing answers a response', () => {
    const r = parseMessage(`SIP/2.0 200 OK\r\n${HEAD.join('\r\n')}\r\nContent-Length: 99\r\n\r\n`);
    assert.ok(!r.ok);
    assert.equal(r.request, undefined);
  });

  it('parseOrThrow throws the SipParseError with its status', () => {
    assert.throws(
      () => parseOrThrow('INVITE sip:x SIP/2.0\r\n\r\n'.replace('sip:x', 'sip:')),
      (e: unknown) => e instanceof SipParseError && e.status === 400 && e.code === 'ERR_SIP_PARSE',
    );
  });
});

describe('received messages', () => {
  const flow: Flow = {
    transport: 'udp',
    localAddress: '127.0.0.1',
    localPort: 5060,
    remoteAddress: '127.0.0.1',
    remotePort: 5070,
    connectionId: undefined,
  };

  it('parse the same from a string, a Buffer and a plain Uint8Array', () => {
    const text = invite(['Subject: é'], 'body\0');
    const bytes = Buffer.from(text);
    const plainArray = new Uint8Array(bytes.length + 3).subarray(3);
    plainArray.set(bytes);
    for (const input of [text, bytes, plainArray]) {
      const m = req(input);
      assert.equal(m.get('subject'), 'é');
      assert.equal(m.bodyText, 'body\0');
      assert.deepEqual(m.toBuffer(), bytes);
    }
  });

  it('carry their flow and arrival time', () => {
    const m = parseOrThrow(invite(), { flow, receivedAt: 1234 });
    assert.equal(m.flow, flow);
    assert.equal(m.receivedAt, 1234);
  });

  it('are immutable; toOutgoing gives an independent copy', () => {
    const m = req(invite(['Subject: original']));
    for (const editing of [
      'set',
      'append',
      'prepend',
      'shift',
      'remove',
      'appendRaw',
      'setRaw',
      'copyFrom',
      'setBody',
    ]) {
      assert.equal(editing in m, false, `an incoming message has no ${editing}()`);
    }
    const copy = m.headerLines();
    (copy[0] as { value: string }).value = 'tampered';
    copy.pop();
    assert.deepEqual(
      m
        .headerLines()
        .map((l) => l.value)
        .slice(0, 1),
      [HEAD[0]?.slice(5)],
    );
    assert.equal(m.headerLines().length, copy.length + 1);
    const out = m.toOutgoing();
    out.set('subject', 'changed').remove('max-forwards');
    assert.equal(m.get('subject'), 'original');
    assert.equal(m.get('max-forwards'), 70);
    assert.equal(out.get('subject'), 'changed');
    assert.equal(out.method, 'INVITE');
  });

  it('serialize with the Content-Length of their body, once, where it was', () => {
    const m = req(invite(['l: 5'], 'hello world', 5));
    const text = m.toString();
    assert.equal(text.match(/Content-Length|\r\nl:/g)?.length, 1);
    assert.ok(text.endsWith('Max-Forwards: 70\r\nl: 5\r\n\r\nhello'), text);
    const noCl = req(invite([], 'abc', null));
    assert.ok(noCl.toString().endsWith('Max-Forwards: 70\r\nContent-Length: 3\r\n\r\nabc'));
  });
});
