/**
 * One table row per registry header: a valid value as it appears on the wire, the typed value it
 * must parse to (as plain data), the text the registry printer gives back, and values that must
 * be rejected. test/sip/header-values.test.ts runs every row and checks that every registry
 * entry has one.
 */
import type { HeaderKey } from '../../../src/sip/index.js';
import type { Plain } from './plain.js';

export interface HeaderCase {
  readonly key: HeaderKey;
  /** The value text of one header line. */
  readonly raw: string;
  /** The plain form of msg.get(key). */
  readonly value: Plain;
  /** What the registry printer writes for that value. */
  readonly printed: string;
  /** Values that must make the header malformed. */
  readonly invalid: readonly string[];
}

const na = (
  display: string | null,
  uri: string,
  params: readonly (readonly [string, string | null])[] = [],
): Plain => ({
  display,
  uri,
  params,
});

export const HEADER_CASES: readonly HeaderCase[] = [
  {
    key: 'accept',
    raw: 'application/sdp;level=1, application/* ; q=0.5,*/*',
    value: [
      { type: 'application', subtype: 'sdp', params: [['level', '1']] },
      { type: 'application', subtype: '*', params: [['q', '0.5']] },
      { type: '*', subtype: '*', params: [] },
    ],
    printed: 'application/sdp;level=1, application/*;q=0.5, */*',
    invalid: ['application', 'application/sdp;', 'text/(html)'],
  },
  {
    key: 'accept-encoding',
    raw: 'gzip, identity;q=0.5, *',
    value: ['gzip', 'identity;q=0.5', '*'],
    printed: 'gzip, identity;q=0.5, *',
    invalid: ['gzip deflate', 'gz@p', 'gzip;'],
  },
  {
    key: 'accept-language',
    raw: 'da, en-gb;q=0.8, en;q=0.7, *',
    value: ['da', 'en-gb;q=0.8', 'en;q=0.7', '*'],
    printed: 'da, en-gb;q=0.8, en;q=0.7, *',
    invalid: ['englishlanguage', 'en_GB', 'fr;q='],
  },
  {
    key: 'alert-info',
    raw: '<http://www.example.com/sounds/moo.wav>;appearance=2',
    value: [na(null, 'http://www.example.com/sounds/moo.wav', [['appearance', '2']])],
    printed: '<http://www.example.com/sounds/moo.wav>;appearance=2',
    invalid: ['<http://www.example.com/moo.wav', '<>', ','],
  },
  {
    key: 'allow',
    raw: 'INVITE, ACK,OPTIONS , CANCEL',
    value: ['INVITE', 'ACK', 'OPTIONS', 'CANCEL'],
    printed: 'INVITE, ACK, OPTIONS, CANCEL',
    invalid: ['INVITE BYE', 'INVITE, "ACK"'],
  },
  {
    key: 'allow-events',
    raw: 'presence, dialog,refer',
    value: ['presence', 'dialog', 'refer'],
    printed: 'presence, dialog, refer',
    invalid: ['presence dialog', 'message-summary/2'],
  },
  {
    key: 'also',
    raw: 'Carol <sip:carol@chicago.example.com>',
    value: [na('Carol', 'sip:carol@chicago.example.com')],
    printed: 'Carol <sip:carol@chicago.example.com>',
    invalid: ['Carol <sip:carol@chicago.example.com', 'Carol, Jr <sip:c@example.com>'],
  },
  {
    key: 'authentication-info',
    raw: 'nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="6629fae4", cnonce="0a4f113b", nc=00000001',
    value: [
      ['nextnonce', '"47364c23432d2e131a5fb210812c"'],
      ['qop', 'auth'],
      ['rspauth', '"6629fae4"'],
      ['cnonce', '"0a4f113b"'],
      ['nc', '00000001'],
    ],
    printed: 'nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="6629fae4", cnonce="0a4f113b", nc=00000001',
    invalid: ['nextnonce="abc', 'qop=auth rspauth="x"', '=x'],
  },
  {
    key: 'authorization',
    raw: 'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", response="245f23415f11432b3434341c022"',
    value: [
      {
        scheme: 'Digest',
        params: [
          ['username', '"bob"'],
          ['realm', '"biloxi.com"'],
          ['nonce', '"dcd98b7102dd2f0e8b11d0f600bfb0c093"'],
          ['uri', '"sip:bob@biloxi.com"'],
          ['response', '"245f23415f11432b3434341c022"'],
        ],
      },
    ],
    printed:
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", response="245f23415f11432b3434341c022"',
    invalid: ['"Digest" username="bob"', 'Digest username="bob', 'Digest username="a" realm="b"'],
  },
  {
    key: 'call-id',
    raw: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com',
    value: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com',
    printed: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com',
    invalid: ['a b', ''],
  },
  {
    key: 'call-info',
    raw: '<http://wwww.example.com/alice/photo.jpg> ;purpose=icon, <http://www.example.com/alice/> ;purpose=info',
    value: [
      na(null, 'http://wwww.example.com/alice/photo.jpg', [['purpose', 'icon']]),
      na(null, 'http://www.example.com/alice/', [['purpose', 'info']]),
    ],
    printed: '<http://wwww.example.com/alice/photo.jpg>;purpose=icon, <http://www.example.com/alice/>;purpose=info',
    invalid: ['<http://example.com/photo.jpg;purpose=icon', '<http://example.com/a.jpg>;purpose=icon,'],
  },
  {
    key: 'contact',
    raw: '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600, "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1',
    value: [
      na('Mr. Watson', 'sip:watson@worcester.bell-telephone.com', [
        ['q', '0.7'],
        ['expires', '3600'],
      ]),
      na('Mr. Watson', 'mailto:watson@bell-telephone.com', [['q', '0.1']]),
    ],
    printed:
      '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7;expires=3600, "Mr. Watson" <mailto:watson@bell-telephone.com>;q=0.1',
    invalid: ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', '<sip:a@b>;q=', 'Watson: <sip:w@b>'],
  },
  {
    key: 'content-disposition',
    raw: 'session;handling=optional',
    value: 'session;handling=optional',
    printed: 'session;handling=optional',
    invalid: ['early session', 'session;handling=', '"session"'],
  },
  {
    key: 'content-encoding',
    raw: 'gzip, deflate',
    value: ['gzip', 'deflate'],
    printed: 'gzip, deflate',
    invalid: ['gzip deflate', 'x/y'],
  },
  {
    key: 'content-language',
    raw: 'fr, es-419',
    value: ['fr', 'es-419'],
    printed: 'fr, es-419',
    invalid: ['*', 'frenchlanguage', 'fr_FR'],
  },
  {
    key: 'content-length',
    raw: '0000',
    value: 0,
    printed: '0',
    invalid: ['-1', 'five', '1 2', ''],
  },
  {
    key: 'content-type',
    raw: 'multipart/mixed ; boundary="unique-boundary-1"',
    value: { type: 'multipart', subtype: 'mixed', params: [['boundary', '"unique-boundary-1"']] },
    printed: 'multipart/mixed;boundary="unique-boundary-1"',
    invalid: ['application', 'application/sdp, text/plain', '/sdp'],
  },
  {
    key: 'cseq',
    raw: '04711   INVITE',
    value: { seq: 4711, method: 'INVITE' },
    printed: '4711 INVITE',
    invalid: ['INVITE', '4294967296 INVITE', '1 INV ITE', '-1 INVITE'],
  },
  {
    key: 'date',
    raw: 'Sat, 13 Nov 2010 23:29:00 GMT',
    value: '2010-11-13T23:29:00.000Z',
    printed: 'Sat, 13 Nov 2010 23:29:00 GMT',
    invalid: ['Fri, 01 Jan 2010 16:00:00 EST', '2010-11-13T23:29:00Z', 'Sat, 13 Foo 2010 23:29:00 GMT'],
  },
  {
    key: 'diversion',
    raw: '<sip:2005551234@example.com>;reason=unconditional;counter=1;privacy=off',
    value: [
      na(null, 'sip:2005551234@example.com', [
        ['reason', 'unconditional'],
        ['counter', '1'],
        ['privacy', 'off'],
      ]),
    ],
    printed: '<sip:2005551234@example.com>;reason=unconditional;counter=1;privacy=off',
    invalid: ['<sip:2005551234@example.com;reason=unconditional', '<sip:a@b>;reason=""x'],
  },
  {
    key: 'error-info',
    raw: '<sip:not-in-service-recording@atlanta.com>',
    value: [na(null, 'sip:not-in-service-recording@atlanta.com')],
    printed: '<sip:not-in-service-recording@atlanta.com>',
    invalid: ['<sip:not-in-service-recording@atlanta.com', '<>'],
  },
  {
    key: 'event',
    raw: 'refer;id=93809824',
    value: { type: 'refer', params: [['id', '93809824']] },
    printed: 'refer;id=93809824',
    invalid: ['presence winfo', ';id=1', 'refer;id=1;'],
  },
  {
    key: 'expires',
    raw: '3600',
    value: 3600,
    printed: '3600',
    invalid: ['Thu, 01 Dec 1994 16:00:00 GMT', '-1', '4294967296'],
  },
  {
    key: 'from',
    raw: '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s',
    value: na('A. G. Bell', 'sip:agb@bell-telephone.com', [['tag', 'a48s']]),
    printed: '"A. G. Bell" <sip:agb@bell-telephone.com>;tag=a48s',
    invalid: ['"A. G. Bell <sip:agb@bell-telephone.com>', 'sip:agb@bell-telephone.com;tag', '<sip:agb@>'],
  },
  {
    key: 'in-reply-to',
    raw: '70710@saturn.bell-tel.com, 17320@saturn.bell-tel.com',
    value: ['70710@saturn.bell-tel.com', '17320@saturn.bell-tel.com'],
    printed: '70710@saturn.bell-tel.com, 17320@saturn.bell-tel.com',
    invalid: ['70710 @saturn.bell-tel.com', '70710@saturn.bell-tel.com,'],
  },
  {
    key: 'max-forwards',
    raw: '070',
    value: 70,
    printed: '70',
    invalid: ['256', '-1', 'seventy'],
  },
  {
    key: 'mime-version',
    raw: '1.0',
    value: '1.0',
    printed: '1.0',
    invalid: ['1', 'one.zero'],
  },
  {
    key: 'min-expires',
    raw: '60',
    value: 60,
    printed: '60',
    invalid: ['sixty', '60s'],
  },
  {
    key: 'min-se',
    raw: '90',
    value: { seconds: 90, params: [] },
    printed: '90',
    invalid: ['ninety', '90;'],
  },
  {
    key: 'organization',
    raw: 'Boxes by Bob',
    value: 'Boxes by Bob',
    printed: 'Boxes by Bob',
    invalid: ['Boxes\u0000by Bob', 'Bob\u001b[31m'],
  },
  {
    key: 'p-asserted-identity',
    raw: '"Cullen Jennings" <sip:fluffy@cisco.com>, tel:+14085264000',
    value: [na('Cullen Jennings', 'sip:fluffy@cisco.com'), na(null, 'tel:+14085264000')],
    printed: '"Cullen Jennings" <sip:fluffy@cisco.com>, <tel:+14085264000>',
    invalid: ['"Cullen Jennings" <sip:fluffy@cisco.com', 'tel:+1408 5264000'],
  },
  {
    key: 'p-preferred-identity',
    raw: '"Cullen Jennings" <sip:fluffy@cisco.com>',
    value: [na('Cullen Jennings', 'sip:fluffy@cisco.com')],
    printed: '"Cullen Jennings" <sip:fluffy@cisco.com>',
    invalid: ['<sip:fluffy@cisco.com'],
  },
  {
    key: 'path',
    raw: '<sip:P3.EXAMPLEHOME.COM;lr>,<sip:P1.EXAMPLEVISITED.COM;lr>',
    value: [na(null, 'sip:P3.EXAMPLEHOME.COM;lr'), na(null, 'sip:P1.EXAMPLEVISITED.COM;lr')],
    printed: '<sip:P3.EXAMPLEHOME.COM;lr>, <sip:P1.EXAMPLEVISITED.COM;lr>',
    invalid: ['<sip:P3.EXAMPLEHOME.COM;lr>,,<sip:P1.EXAMPLEVISITED.COM;lr>', '<sip:P3.EXAMPLEHOME.COM;lr'],
  },
  {
    key: 'priority',
    raw: 'emergency',
    value: 'emergency',
    printed: 'emergency',
    invalid: ['very urgent', '"urgent"'],
  },
  {
    key: 'privacy',
    raw: 'id; header;user',
    value: ['id', 'header', 'user'],
    printed: 'id;header;user',
    invalid: ['id;;user', 'id, header'],
  },
  {
    key: 'proxy-authenticate',
    raw: 'Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
    value: [
      {
        scheme: 'Digest',
        params: [
          ['realm', '"atlanta.com"'],
          ['domain', '"sip:ss1.carrier.com"'],
          ['qop', '"auth"'],
          ['nonce', '"f84f1cec41e6cbe5aea9c8e88d359"'],
          ['opaque', '""'],
          ['stale', 'FALSE'],
          ['algorithm', 'MD5'],
        ],
      },
    ],
    printed:
      'Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
    invalid: ['Digest realm="atlanta.com', 'Digest realm="a" nonce="b"'],
  },
  {
    key: 'proxy-authorization',
    raw: 'Digest username="alice", realm="atlanta.com", nonce="c60f3082ee1212b402a21831ae", response="245f23415f11432b3434341c022"',
    value: [
      {
        scheme: 'Digest',
        params: [
          ['username', '"alice"'],
          ['realm', '"atlanta.com"'],
          ['nonce', '"c60f3082ee1212b402a21831ae"'],
          ['response', '"245f23415f11432b3434341c022"'],
        ],
      },
    ],
    printed:
      'Digest username="alice", realm="atlanta.com", nonce="c60f3082ee1212b402a21831ae", response="245f23415f11432b3434341c022"',
    invalid: ['Digest username="alice', '(Digest) username="alice"'],
  },
  {
    key: 'proxy-require',
    raw: 'foo, sec-agree',
    value: ['foo', 'sec-agree'],
    printed: 'foo, sec-agree',
    invalid: ['foo bar', 'foo;bar'],
  },
  {
    key: 'rack',
    raw: '776656 1 INVITE',
    value: { rseq: 776656, cseq: 1, method: 'INVITE' },
    printed: '776656 1 INVITE',
    invalid: ['776656 INVITE', '1 2 3 4', 'x 1 INVITE'],
  },
  {
    key: 'reason',
    raw: 'SIP ;cause=200 ;text="Call completed elsewhere", Q.850;cause=16',
    value: [
      {
        protocol: 'SIP',
        params: [
          ['cause', '200'],
          ['text', '"Call completed elsewhere"'],
        ],
      },
      { protocol: 'Q.850', params: [['cause', '16']] },
    ],
    printed: 'SIP;cause=200;text="Call completed elsewhere", Q.850;cause=16',
    invalid: ['"SIP";cause=200', 'SIP;text="unterminated', 'SIP cause=200'],
  },
  {
    key: 'record-route',
    raw: '<sip:server10.biloxi.com;lr>, <sip:bigbox3.site3.atlanta.com;lr>',
    value: [na(null, 'sip:server10.biloxi.com;lr'), na(null, 'sip:bigbox3.site3.atlanta.com;lr')],
    printed: '<sip:server10.biloxi.com;lr>, <sip:bigbox3.site3.atlanta.com;lr>',
    invalid: ['<sip:server10.biloxi.com;lr>,', '<sip:server10.biloxi.com;;lr>'],
  },
  {
    key: 'refer-to',
    raw: '<sip:bob@biloxi.example.net?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>',
    value: na(
      null,
      'sip:bob@biloxi.example.net?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994',
    ),
    printed: '<sip:bob@biloxi.example.net?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>',
    invalid: ['sip:bob@biloxi.example.net?Replaces=1', '<sip:bob@biloxi.example.net'],
  },
  {
    key: 'referred-by',
    raw: '<sip:referrer@referrer.example>;cid="20398823.2UWQFN309shb3@referrer.example"',
    value: na(null, 'sip:referrer@referrer.example', [['cid', '"20398823.2UWQFN309shb3@referrer.example"']]),
    printed: '<sip:referrer@referrer.example>;cid="20398823.2UWQFN309shb3@referrer.example"',
    invalid: ['<sip:referrer@referrer.example;cid=1', '<sip:referrer@referrer.example>;cid="x'],
  },
  {
    key: 'replaces',
    raw: '98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only',
    value: {
      callId: '98732@sip.example.com',
      params: [
        ['from-tag', 'r33th4x0r'],
        ['to-tag', 'ff87ff'],
        ['early-only', null],
      ],
    },
    printed: '98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only',
    invalid: ['98732@sip.example.com;from-tag=r33th4x0r', '98732@sip.example.com;to-tag=a', ';from-tag=a;to-tag=b'],
  },
  {
    key: 'reply-to',
    raw: 'Bob <sip:bob@biloxi.com>',
    value: na('Bob', 'sip:bob@biloxi.com'),
    printed: 'Bob <sip:bob@biloxi.com>',
    invalid: ['Bob <sip:bob@biloxi.com', 'Bob@home <sip:bob@biloxi.com>'],
  },
  {
    key: 'requested-by',
    raw: '<sip:alice@atlanta.example.com>',
    value: na(null, 'sip:alice@atlanta.example.com'),
    printed: '<sip:alice@atlanta.example.com>',
    invalid: ['<sip:alice@atlanta.example.com', '<sip:alice@>'],
  },
  {
    key: 'require',
    raw: '100rel',
    value: ['100rel'],
    printed: '100rel',
    invalid: ['100rel timer', '100rel, "timer"'],
  },
  {
    key: 'retry-after',
    raw: '18000 (in five hours) ;duration=3600',
    value: { seconds: 18000, comment: 'in five hours', params: [['duration', '3600']] },
    printed: '18000 (in five hours);duration=3600',
    invalid: ['soon', '120 seconds', '-5'],
  },
  {
    key: 'route',
    raw: '<sip:bigbox3.site3.atlanta.com;lr>,\t<sip:server10.biloxi.com;lr>',
    value: [na(null, 'sip:bigbox3.site3.atlanta.com;lr'), na(null, 'sip:server10.biloxi.com;lr')],
    printed: '<sip:bigbox3.site3.atlanta.com;lr>, <sip:server10.biloxi.com;lr>',
    invalid: ['<sip:bigbox3.site3.atlanta.com;lr', ',<sip:a.example.com;lr>', '<sip:a b.example.com>'],
  },
  {
    key: 'rseq',
    raw: '988789',
    value: 988789,
    printed: '988789',
    invalid: ['-1', '4294967296', 'one'],
  },
  {
    key: 'server',
    raw: 'HomeServer v2 (Switchboard/0.1)',
    value: 'HomeServer v2 (Switchboard/0.1)',
    printed: 'HomeServer v2 (Switchboard/0.1)',
    invalid: ['Home\u0000Server'],
  },
  {
    key: 'service-route',
    raw: '<sip:orig@scscf.example.com;lr>',
    value: [na(null, 'sip:orig@scscf.example.com;lr')],
    printed: '<sip:orig@scscf.example.com;lr>',
    invalid: ['<sip:orig@scscf.example.com;lr', '<sip:orig@scscf.example.com;lr>,'],
  },
  {
    key: 'session-expires',
    raw: '1800 ; refresher=uas',
    value: { seconds: 1800, params: [['refresher', 'uas']] },
    printed: '1800;refresher=uas',
    invalid: ['half an hour', '1800;;refresher=uas', '-1'],
  },
  {
    key: 'subject',
    raw: 'Need more boxes',
    value: 'Need more boxes',
    printed: 'Need more boxes',
    invalid: ['Need\u0007more boxes'],
  },
  {
    key: 'subscription-state',
    raw: 'terminated;reason=timeout;retry-after=60',
    value: {
      state: 'terminated',
      params: [
        ['reason', 'timeout'],
        ['retry-after', '60'],
      ],
    },
    printed: 'terminated;reason=timeout;retry-after=60',
    invalid: ['', 'not active', ';reason=timeout'],
  },
  {
    key: 'supported',
    raw: 'replaces, timer, 100rel,path',
    value: ['replaces', 'timer', '100rel', 'path'],
    printed: 'replaces, timer, 100rel, path',
    invalid: ['replaces timer', 'path/2'],
  },
  {
    key: 'timestamp',
    raw: '54.21 0.3',
    value: { time: '54.21', delay: '0.3' },
    printed: '54.21 0.3',
    invalid: ['yesterday', '54.21 0.3 7', '.5'],
  },
  {
    key: 'to',
    raw: 'The Operator <sip:operator@cs.columbia.edu>;tag=287447',
    value: na('The Operator', 'sip:operator@cs.columbia.edu', [['tag', '287447']]),
    printed: '"The Operator" <sip:operator@cs.columbia.edu>;tag=287447',
    invalid: ['The Operator <sip:operator@cs.columbia.edu', 'sip:op@cs.columbia.edu?subject=x', ''],
  },
  {
    key: 'unsupported',
    raw: 'foo, bar',
    value: ['foo', 'bar'],
    printed: 'foo, bar',
    invalid: ['foo bar', 'foo=bar'],
  },
  {
    key: 'user-agent',
    raw: 'Softphone Beta1.5',
    value: 'Softphone Beta1.5',
    printed: 'Softphone Beta1.5',
    invalid: ['Soft\u0000phone'],
  },
  {
    key: 'via',
    raw: 'SIP / 2.0 / UDP first.example.com: 4000;ttl=16;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1, SIP/2.0/TCP [2001:db8::9:1]:5061;rport;branch=z9hG4bK77',
    value: [
      {
        protocol: 'SIP',
        version: '2.0',
        transport: 'UDP',
        host: 'first.example.com',
        port: 4000,
        params: [
          ['ttl', '16'],
          ['maddr', '224.2.0.1'],
          ['branch', 'z9hG4bKa7c6a8dlze.1'],
        ],
      },
      {
        protocol: 'SIP',
        version: '2.0',
        transport: 'TCP',
        host: '[2001:db8::9:1]',
        port: 5061,
        params: [
          ['rport', null],
          ['branch', 'z9hG4bK77'],
        ],
      },
    ],
    printed:
      'SIP/2.0/UDP first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1, SIP/2.0/TCP [2001:db8::9:1]:5061;rport;branch=z9hG4bK77',
    invalid: [
      'SIP/2.0/UDP first.example.com:4000;branch=z9hG4bK1,',
      'SIP/2.0/UDP',
      'SIP/2.0/UDP first.example.com:99999',
      'SIP/2.0/UDP first.example.com;;branch=1',
    ],
  },
  {
    key: 'warning',
    raw: '307 isi.edu "Session parameter \'foo\' not understood", 301 isi.edu "Incompatible network address type \\"E.164\\""',
    value: [
      { code: 307, agent: 'isi.edu', text: "Session parameter 'foo' not understood" },
      { code: 301, agent: 'isi.edu', text: 'Incompatible network address type "E.164"' },
    ],
    printed:
      '307 isi.edu "Session parameter \'foo\' not understood", 301 isi.edu "Incompatible network address type \\"E.164\\""',
    invalid: ['307 isi.edu no quotes', '3070 isi.edu "x"', '307 "x"'],
  },
  {
    key: 'www-authenticate',
    raw: 'Digest realm="biloxi.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    value: [
      {
        scheme: 'Digest',
        params: [
          ['realm', '"biloxi.com"'],
          ['qop', '"auth,auth-int"'],
          ['nonce', '"dcd98b7102dd2f0e8b11d0f600bfb0c093"'],
          ['opaque', '"5ccc069c403ebaf9f0171e9517f40e41"'],
        ],
      },
    ],
    printed:
      'Digest realm="biloxi.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    invalid: ['Digest realm="biloxi.com', 'Digest realm="a",, nonce="b"'],
  },
];
