/**
 * Registry-wide rules (RFC 3261 section 7.3): compact forms and any letter case name the same
 * header, list headers may spread over several lines and read as one list in order, 'lines'
 * headers (credentials, challenges) keep one value per line, and a single-valued header that
 * appears twice is refused by validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRequest,
  HEADERS,
  type HeaderKey,
  headerKeyOf,
  type IncomingRequest,
  isKnownHeader,
  parseAuthValue,
  parseOrThrow,
  validateRequest,
  validateResponse,
} from '../../src/sip/index.js';
import { plain } from './support/plain.js';

const COMPACT: Readonly<Record<string, HeaderKey>> = {
  // RFC 3261 section 7.3.3 and the extensions that define one.
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event', // RFC 6665
  u: 'allow-events', // RFC 6665
  r: 'refer-to', // RFC 3515
  b: 'referred-by', // RFC 3892
  x: 'session-expires', // RFC 4028
};

function request(headers: readonly string[], body = ''): IncomingRequest {
  const text = `OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n${headers.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const m = parseOrThrow(text);
  assert.equal(m.kind, 'request');
  return m as IncomingRequest;
}

const MANDATORY = [
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'To: <sip:bob@biloxi.example.com>',
  'From: <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 63104 OPTIONS',
  'Max-Forwards: 70',
];

describe('registry names', () => {
  it('maps every compact form the RFCs define, in both cases', () => {
    for (const [compact, key] of Object.entries(COMPACT)) {
      assert.equal(headerKeyOf(compact), key, compact);
      assert.equal(headerKeyOf(compact.toUpperCase()), key, compact.toUpperCase());
      assert.equal(HEADERS[key].compact, compact);
    }
    const withCompact = Object.values(HEADERS).filter((s) => s.compact !== undefined);
    assert.equal(withCompact.length, Object.keys(COMPACT).length, 'no compact form outside the table');
  });

  it('maps every canonical name in any letter case to its key, and nothing else', () => {
    for (const [key, spec] of Object.entries(HEADERS)) {
      assert.equal(key, spec.name.toLowerCase());
      for (const form of [
        spec.name,
        key,
        spec.name.toUpperCase(),
        spec.name.replace(/[a-z]/g, (c) => c.toUpperCase()),
      ]) {
        assert.equal(headerKeyOf(form), key, form);
      }
      assert.match(spec.rfc, /^(RFC [0-9]+|draft-)/);
    }
    assert.equal(headerKeyOf('X-Custom'), undefined);
    assert.equal(headerKeyOf('Vía'), undefined);
    assert.equal(isKnownHeader('C%6Fntact'), false);
    assert.equal(isKnownHeader('mAx-FoRwArDs'), true);
  });

  it('reads a message written with compact and odd-case names like its long form', () => {
    const long = request(
      [
        ...MANDATORY,
        'Contact: <sip:alice@pc33.atlanta.example.com>',
        'Supported: replaces',
        'Subject: lunch',
        'Event: refer',
        'Refer-To: <sip:carol@chicago.example.com>',
        'Content-Type: text/plain',
      ],
      'hi',
    );
    const short = request(
      [
        'v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
        't: <sip:bob@biloxi.example.com>',
        'F: <sip:alice@atlanta.example.com>;tag=1928301774',
        'i: a84b4c76e66710',
        'cseq: 63104 OPTIONS',
        'MAX-FORWARDS: 70',
        'm: <sip:alice@pc33.atlanta.example.com>',
        'K: replaces',
        's: lunch',
        'o: refer',
        'r: <sip:carol@chicago.example.com>',
        'c: text/plain',
      ],
      'hi',
    );
    for (const key of [
      'via',
      'to',
      'from',
      'call-id',
      'cseq',
      'max-forwards',
      'contact',
      'supported',
      'subject',
      'event',
      'refer-to',
      'content-type',
      'content-length',
    ] as const) {
      assert.deepEqual(plain(short.get(key)), plain(long.get(key)), key);
      assert.ok(plain(short.get(key)) !== null, key);
    }
    assert.equal(short.count('Via'), 1);
    assert.ok(short.has('VIA') && short.has('v') && short.has('via'));
    // Names are kept as written for forwarding.
    assert.deepEqual(
      short
        .headerLines()
        .slice(0, 2)
        .map((l) => l.name),
      ['v', 't'],
    );
  });
});

describe('list headers over several lines', () => {
  it('concatenates Via values across lines and forms, in order', () => {
    const m = request([
      'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
      'v: SIP/2.0/UDP c.example.com;branch=z9hG4bK3',
      ...MANDATORY.slice(1),
      'VIA: SIP/2.0/TLS d.example.com;branch=z9hG4bK4',
    ]);
    assert.deepEqual(
      m.get('via').map((v) => `${v.transport} ${v.host} ${v.branch}`),
      [
        'UDP a.example.com z9hG4bK1',
        'TCP b.example.com z9hG4bK2',
        'UDP c.example.com z9hG4bK3',
        'TLS d.example.com z9hG4bK4',
      ],
    );
    assert.equal(m.topVia.host, 'a.example.com');
    assert.equal(m.count('via'), 3);
  });

  it('concatenates Route, Supported and Allow lines; commas inside quotes and <> do not split', () => {
    const m = request([
      ...MANDATORY,
      'Route: <sip:p1.example.com;lr>',
      'Supported: replaces, timer',
      'Route: "Proxy, Two" <sip:p2.example.com;lr>, <sip:p3.example.com;lr>;x="a,b"',
      'Supported: 100rel',
      'Allow: INVITE',
      'Allow: ACK,BYE',
    ]);
    assert.deepEqual(
      m.get('route').map((r) => r.uri.toString()),
      ['sip:p1.example.com;lr', 'sip:p2.example.com;lr', 'sip:p3.example.com;lr'],
    );
    assert.equal(m.get('route')[1]?.displayName, 'Proxy, Two');
    assert.equal(m.get('route')[2]?.params.getUnquoted('x'), 'a,b');
    assert.deepEqual(m.get('supported'), ['replaces', 'timer', '100rel']);
    assert.deepEqual(m.get('allow'), ['INVITE', 'ACK', 'BYE']);
  });

  it("keeps one credential per line for 'lines' headers, commas included", () => {
    const m = request([
      ...MANDATORY,
      'WWW-Authenticate: Digest realm="a.example.com", nonce="1", qop="auth,auth-int"',
      'WWW-Authenticate: Digest realm="b.example.com", nonce="2", algorithm=SHA-256',
    ]);
    const ch = m.get('www-authenticate');
    assert.equal(ch.length, 2);
    assert.equal(ch[0]?.params.getUnquoted('qop'), 'auth,auth-int');
    assert.equal(ch[1]?.params.get('algorithm'), 'SHA-256');
  });

  it("prints several 'lines' values set at once on lines of their own, so that they parse back", () => {
    const out = createRequest({
      method: 'REGISTER',
      uri: 'sip:a.example.com',
      from: '<sip:u@a.example.com>',
      to: '<sip:u@a.example.com>',
    });
    out.set('authorization', [
      parseAuthValue('Digest username="u", realm="a", nonce="1", uri="sip:a.example.com", response="00"'),
      parseAuthValue('Digest username="u", realm="b", nonce="2", uri="sip:a.example.com", response="11"'),
    ]);
    out.append('authorization', [
      parseAuthValue('Digest username="u", realm="c", nonce="3", uri="sip:a.example.com", response="22"'),
    ]);
    const back = parseOrThrow(out.toBuffer());
    assert.equal(back.count('authorization'), 3);
    assert.deepEqual(
      back.get('authorization').map((c) => c.params.getUnquoted('realm')),
      ['a', 'b', 'c'],
    );
  });

  it('returns an empty list for an absent list header and undefined for an absent single one', () => {
    const m = request(MANDATORY);
    assert.deepEqual(m.get('route'), []);
    assert.equal(m.get('subject'), undefined);
    assert.equal(m.get('expires'), undefined);
  });
});

describe('single-valued headers appearing twice', () => {
  const singles = (Object.keys(HEADERS) as HeaderKey[]).filter((k) => HEADERS[k].cardinality === 'single');
  const SAMPLE: Partial<Record<HeaderKey, string>> = {
    'authentication-info': 'qop=auth',
    'call-id': 'x@y',
    'content-disposition': 'session',
    'content-length': '0',
    'content-type': 'application/sdp',
    cseq: '63104 OPTIONS',
    date: 'Sat, 13 Nov 2010 23:29:00 GMT',
    event: 'refer',
    expires: '60',
    from: '<sip:alice@atlanta.example.com>;tag=1928301774',
    'max-forwards': '70',
    'mime-version': '1.0',
    'min-expires': '60',
    'min-se': '90',
    privacy: 'id',
    rack: '1 1 INVITE',
    'refer-to': '<sip:carol@chicago.example.com>',
    'referred-by': '<sip:alice@atlanta.example.com>',
    replaces: 'a@b;to-tag=1;from-tag=2',
    'reply-to': '<sip:alice@atlanta.example.com>',
    'requested-by': '<sip:alice@atlanta.example.com>',
    'retry-after': '60',
    rseq: '1',
    'session-expires': '1800',
    'subscription-state': 'active',
    timestamp: '54',
    to: '<sip:bob@biloxi.example.com>',
  };

  for (const key of singles) {
    it(`${HEADERS[key].name} twice is a 400 for a UAS`, () => {
      const value = SAMPLE[key] ?? 'text';
      const name = HEADERS[key].name;
      const base = MANDATORY.filter((l) => headerKeyOf(l.slice(0, l.indexOf(':'))) !== key);
      const lines = [...base, `${name}: ${value}`, `${name}: ${value}`];
      const text = `OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`;
      const m = parseOrThrow(text) as IncomingRequest;
      assert.equal(m.count(key), 2);
      const p = validateRequest(m);
      assert.equal(p?.status, 400, `${name}: ${p?.reason}`);
      assert.match(p?.reason ?? '', new RegExp(`more than one ${name}`));
    });
  }

  it('a proxy ignores a repeated header it does not use, but not a repeated To', () => {
    const twiceSubject = request([...MANDATORY, 'Subject: a', 'Subject: b']);
    assert.equal(validateRequest(twiceSubject, { role: 'proxy' }), undefined);
    assert.equal(validateRequest(twiceSubject)?.status, 400);
    const twiceTo = request([...MANDATORY, 'To: <sip:carol@chicago.example.com>']);
    assert.equal(validateRequest(twiceTo, { role: 'proxy' })?.status, 400);
  });

  it('a response with two CSeq lines cannot be matched; two Server lines do not matter', () => {
    const res = (extra: string) =>
      parseOrThrow(`SIP/2.0 200 OK\r\n${MANDATORY.slice(0, 5).join('\r\n')}\r\n${extra}\r\nContent-Length: 0\r\n\r\n`);
    const twoCSeq = res('CSeq: 1 OPTIONS');
    assert.ok(twoCSeq.kind === 'response');
    assert.match(validateResponse(twoCSeq)?.reason ?? '', /more than one CSeq/);
    const twoServer = res('Server: a\r\nServer: b');
    assert.ok(twoServer.kind === 'response');
    assert.equal(validateResponse(twoServer), undefined);
  });
});
