/**
 * URIs: SIP and SIPS (RFC 3261 sections 19.1.1-19.1.3, 25.1), IPv6 references (RFC 5118), tel
 * (RFC 3966), other schemes kept opaque; escaping in both directions; and comparison with every
 * example of section 19.1.4.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapePercent,
  GenericUri,
  Params,
  parseSipUri,
  parseUri,
  SipParseError,
  SipUri,
  TelUri,
  unescapePercent,
} from '../../src/sip/index.js';

function sip(text: string): SipUri {
  const u = parseUri(text);
  assert.ok(u instanceof SipUri, `${text} is a SIP URI`);
  return u;
}

describe('SIP and SIPS URIs (section 19.1.3 examples)', () => {
  const cases: readonly [
    string,
    Partial<Record<'scheme' | 'user' | 'password' | 'host' | 'port', unknown>>,
    [string, string | null][],
    [string, string | null][],
  ][] = [
    ['sip:alice@atlanta.com', { scheme: 'sip', user: 'alice', host: 'atlanta.com', port: undefined }, [], []],
    [
      'sip:alice:secretword@atlanta.com;transport=tcp',
      { user: 'alice', password: 'secretword' },
      [['transport', 'tcp']],
      [],
    ],
    [
      'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
      { scheme: 'sips', user: 'alice', host: 'atlanta.com' },
      [],
      [
        ['subject', 'project%20x'],
        ['priority', 'urgent'],
      ],
    ],
    [
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      { user: '+1-212-555-1212', password: '1234' },
      [['user', 'phone']],
      [],
    ],
    ['sips:1212@gateway.com', { scheme: 'sips', user: '1212', host: 'gateway.com' }, [], []],
    ['sip:alice@192.0.2.4', { host: '192.0.2.4' }, [], []],
    [
      'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
      { user: undefined, host: 'atlanta.com' },
      [['method', 'REGISTER']],
      [['to', 'alice%40atlanta.com']],
    ],
    ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday', host: 'atlanta.com' }, [], []],
    [
      'sip:proxy.example.com:5061;lr;transport=tls',
      { host: 'proxy.example.com', port: 5061 },
      [
        ['lr', null],
        ['transport', 'tls'],
      ],
      [],
    ],
    [
      'sip:[2001:db8::10]:5070;maddr=[2001:db8::1]',
      { host: '[2001:db8::10]', port: 5070 },
      [['maddr', '[2001:db8::1]']],
      [],
    ],
  ];
  for (const [text, fields, params, headers] of cases) {
    it(`parses ${text} and prints it back unchanged`, () => {
      const u = sip(text);
      for (const [k, v] of Object.entries(fields)) assert.equal(u[k as keyof SipUri], v, k);
      assert.deepEqual(u.params.entries(), params);
      assert.deepEqual(u.headers.entries(), headers);
      assert.equal(u.toString(), text);
      assert.equal(u.kind, 'sip');
    });
  }

  it('reads the scheme in any case and prints it in lower case', () => {
    const u = sip('SIPS:Bob@Biloxi.Example.COM');
    assert.equal(u.scheme, 'sips');
    assert.equal(u.toString(), 'sips:Bob@Biloxi.Example.COM');
  });

  it('gives URI headers unescaped through header()', () => {
    const u = sip('sip:bob@biloxi.example.com?Replaces=12345%40192.0.2.3%3Bto-tag%3D1%3Bfrom-tag%3D2&Subject=a%20b');
    assert.equal(u.header('replaces'), '12345@192.0.2.3;to-tag=1;from-tag=2');
    assert.equal(u.header('Subject'), 'a b');
    assert.equal(u.header('missing'), undefined);
  });

  it('rejects malformed SIP URIs with a 400 naming the problem', () => {
    const bad: readonly [string, RegExp][] = [
      ['sip:', /nothing after the scheme/],
      ['sip:@example.com', /empty user/],
      ['sip:alice@', /empty host/],
      ['sip:alice@example.com:65536', /port 65536 out of range/],
      ['sip:alice@example.com:', /bad port/],
      ['sip:alice@example.com:50x', /bad port/],
      ['sip:alice@exa mple.com', /white space/],
      ['sip:al"ice@example.com', /quote/],
      ['sip:<alice@example.com>', /bracket/],
      ['sip:alice@exa!mple.com', /not allowed in host/],
      ['sip:al%ZZice@example.com', /bad escape/],
      ['sip:al%4@example.com', /bad escape/],
      ['sip:alice@example.com;;lr', /empty parameter/],
      ['sip:alice@example.com;=x', /empty parameter name/],
      ['sip:alice@example.com;x=a,b', /not allowed in parameter value/],
      ['sip:alice@example.com?subject', /bad URI header/],
      ['sip:[2001:db8::10', /unterminated IPv6/],
      ['sip:[2001:db8::10]x', /junk after IPv6/],
      ['sip:[2001:db8::zz]', /bad IPv6/],
      ['sip:[]', /bad IPv6/],
      ['sip:2001:db8::10', /bad port/],
      ['alice@example.com', /no scheme/],
      ['1sip:alice@example.com', /bad scheme/],
    ];
    for (const [text, why] of bad) {
      assert.throws(
        () => parseUri(text),
        (err: unknown) => err instanceof SipParseError && err.status === 400 && why.test(err.message),
        text,
      );
    }
  });

  it('parseSipUri refuses other schemes with 416', () => {
    assert.equal(parseSipUri('sip:a@b.example.com').host, 'b.example.com');
    assert.throws(
      () => parseSipUri('tel:+1234'),
      (e: unknown) => e instanceof SipParseError && e.status === 416,
    );
  });
});

describe('escaping', () => {
  it('unescapes the user and password once, never recursively (RFC 4475 esc01)', () => {
    assert.equal(sip('sip:%61lice@atlanta.com').user, 'alice');
    assert.equal(sip('sip:value%2541@example.com').user, 'value%41');
    assert.equal(sip('sip:a:p%40ss@example.com').password, 'p@ss');
    assert.equal(unescapePercent('%2541'), '%41');
  });

  it('prints a parsed user as received, a changed one escaped as the grammar requires', () => {
    const u = sip('sip:%61lice:p%41ss@atlanta.com;transport=tcp');
    assert.equal(u.toString(), 'sip:%61lice:p%41ss@atlanta.com;transport=tcp');
    assert.equal(u.withParam('lr').toString(), 'sip:%61lice:p%41ss@atlanta.com;transport=tcp;lr');
    assert.equal(u.with({ user: 'bob' }).toString(), 'sip:bob:pAss@atlanta.com;transport=tcp');
    assert.equal(u.with({ password: undefined }).toString(), 'sip:alice@atlanta.com;transport=tcp');
    assert.equal(sip('sip:%E9@example.com').toString(), 'sip:%E9@example.com');
  });

  it('escapes on output exactly what the user grammar does not allow', () => {
    const u = new SipUri({ user: 'john doe@home', password: 'p:w', host: 'example.com' });
    assert.equal(u.toString(), 'sip:john%20doe%40home:p%3Aw@example.com');
    assert.equal(sip(u.toString()).user, 'john doe@home');
    assert.equal(sip(u.toString()).password, 'p:w');
    assert.equal(new SipUri({ user: "a-_.!~*'()&=+$,;?/b", host: 'h' }).toString(), "sip:a-_.!~*'()&=+$,;?/b@h");
  });

  it('escapes non-ASCII as UTF-8 bytes and reads them back', () => {
    const u = sip('sip:%C3%A9milie@example.com');
    assert.equal(u.user, 'émilie');
    assert.equal(u.toString(), 'sip:%C3%A9milie@example.com');
    assert.equal(escapePercent('ü x', new Uint8Array(128)), '%C3%BC%20%78');
  });

  it('keeps escaped NULs (RFC 4475 escnull) and latin-1 bytes that are not UTF-8', () => {
    assert.equal(sip('sip:%00%00@example.com').user, '\u0000\u0000');
    assert.equal(sip('sip:%00%00@example.com').toString(), 'sip:%00%00@example.com');
    assert.equal(sip('sip:%E9@example.com').user, 'é');
  });

  it('keeps parameters and URI headers as written (still escaped)', () => {
    const u = sip('sip:alice@example.com;x=%41b?h=%3Cv%3E');
    assert.equal(u.params.get('x'), '%41b');
    assert.equal(u.headers.get('h'), '%3Cv%3E');
    assert.equal(u.toString(), 'sip:alice@example.com;x=%41b?h=%3Cv%3E');
  });
});

describe('IPv6 references (RFC 5118)', () => {
  it('keeps the brackets in host and strips them in hostname', () => {
    const u = sip('sip:alice@[2001:db8::10]:5060');
    assert.equal(u.host, '[2001:db8::10]');
    assert.equal(u.hostname, '2001:db8::10');
    assert.equal(u.port, 5060);
  });

  it('reads a port-like last group inside the brackets as part of the address (section 4.4)', () => {
    const amb = sip('sip:[2001:db8::10:5070]');
    assert.equal(amb.host, '[2001:db8::10:5070]');
    assert.equal(amb.port, undefined);
    assert.equal(sip('sip:[2001:db8::10]:5070').port, 5070);
  });

  it('accepts IPv4-mapped and the three-colon form the RFC 3261 ABNF allows (sections 4.7, 4.9)', () => {
    assert.equal(sip('sip:[::ffff:192.0.2.10]:19823').hostname, '::ffff:192.0.2.10');
    assert.equal(sip('sip:user@[2001:db8:::192.0.2.1]').host, '[2001:db8:::192.0.2.1]');
    assert.equal(sip('sip:user@[2001:db8::192.0.2.1]').host, '[2001:db8::192.0.2.1]');
  });

  it('compares IPv6 hosts case-insensitively', () => {
    assert.ok(sip('sip:[2001:DB8::A]').equals(sip('sip:[2001:db8::a]')));
  });
});

describe('tel URIs (RFC 3966)', () => {
  it('parses global and local numbers with parameters', () => {
    const g = parseUri('tel:+1-201-555-0123');
    assert.ok(g instanceof TelUri);
    assert.equal(g.isGlobal, true);
    assert.equal(g.digits, '+12015550123');
    assert.equal(g.toString(), 'tel:+1-201-555-0123');
    const l = parseUri('tel:7042;phone-context=example.com');
    assert.ok(l instanceof TelUri);
    assert.equal(l.isGlobal, false);
    assert.equal(l.params.get('phone-context'), 'example.com');
    assert.equal(l.kind, 'tel');
    assert.equal(parseUri('TEL:863-1234;phone-context=+1-914-555').toString(), 'tel:863-1234;phone-context=+1-914-555');
  });

  it('compares numbers without visual separators, parameters in any order (section 4)', () => {
    assert.ok(parseUri('tel:+1-201-555-0123').equals(parseUri('tel:+1(201)5550123')));
    assert.ok(
      parseUri('tel:7042;phone-context=example.com;isub=1').equals(
        parseUri('tel:7042;isub=1;Phone-Context=EXAMPLE.com'),
      ),
    );
    assert.ok(!parseUri('tel:+12015550123').equals(parseUri('tel:12015550123')));
    assert.ok(!parseUri('tel:7042;phone-context=a.example').equals(parseUri('tel:7042;phone-context=b.example')));
    assert.ok(!parseUri('tel:+12015550123').equals(parseUri('sip:+12015550123@example.com')));
  });

  it('rejects what is not a phone number', () => {
    for (const t of ['tel:', 'tel:+', 'tel:call me', 'tel:12;;a', 'tel:--'])
      assert.throws(() => parseUri(t), SipParseError, t);
  });
});

describe('other schemes', () => {
  it('keeps them opaque so that a server can answer 416 (RFC 4475 unkscm, novelsc)', () => {
    for (const text of [
      'mailto:watson@bell-telephone.com',
      'urn:service:sos',
      'http://example.com/a?b=c',
      'nobodyKnowsThisScheme:totallyopaque',
    ]) {
      const u = parseUri(text);
      assert.ok(u instanceof GenericUri, text);
      assert.equal(
        u.toString(),
        text.replace(/^[^:]+/, (s) => s.toLowerCase()),
      );
      assert.equal(u.kind, 'generic');
    }
    assert.ok(parseUri('urn:service:sos').equals(parseUri('URN:service:sos')));
    assert.ok(!parseUri('urn:service:sos').equals(parseUri('urn:service:police')));
  });
});

describe('URI comparison (section 19.1.4)', () => {
  const equal: readonly [string, string][] = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
  ];
  const unequal: readonly [string, string, string][] = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP', 'different usernames'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060', 'can resolve to different ports'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp', 'can resolve to different transports'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp', 'different port and transport'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting', 'different header component'],
    [
      'sip:bob@phone21.boxesbybob.com',
      'sip:bob@192.0.2.4',
      'even though that is what phone21.boxesbybob.com resolves to',
    ],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off', 'a parameter both have differs'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com', 'sip and sips differ'],
    ['sip:alice:a@atlanta.com', 'sip:alice:b@atlanta.com', 'passwords differ'],
    ['sip:alice@atlanta.com;maddr=192.0.2.1', 'sip:alice@atlanta.com', 'maddr in one only'],
  ];
  for (const [a, b] of equal) {
    it(`${a} == ${b}`, () => {
      assert.ok(sip(a).equals(sip(b)));
      assert.ok(sip(b).equals(sip(a)));
    });
  }
  for (const [a, b, why] of unequal) {
    it(`${a} != ${b} (${why})`, () => {
      assert.ok(!sip(a).equals(parseUri(b)));
      assert.ok(!parseUri(b).equals(sip(a)));
    });
  }
});

describe('SipUri helpers', () => {
  it('builds variants without touching the original', () => {
    const u = sip('sip:alice@Atlanta.example.com:5070;transport=tcp;lr?subject=x');
    assert.equal(u.withParam('ob').toString(), 'sip:alice@Atlanta.example.com:5070;transport=tcp;lr;ob?subject=x');
    assert.equal(
      u.withParam('transport', 'udp').toString(),
      'sip:alice@Atlanta.example.com:5070;transport=udp;lr?subject=x',
    );
    assert.equal(u.withoutParam('LR').toString(), 'sip:alice@Atlanta.example.com:5070;transport=tcp?subject=x');
    assert.equal(
      u.with({ port: undefined, user: undefined }).toString(),
      'sip:Atlanta.example.com;transport=tcp;lr?subject=x',
    );
    assert.equal(u.toAddressOfRecord().toString(), 'sip:alice@atlanta.example.com:5070');
    assert.equal(u.toString(), 'sip:alice@Atlanta.example.com:5070;transport=tcp;lr?subject=x');
    assert.equal(
      new SipUri({ host: 'h', params: Params.of({ lr: null, ttl: 5, skip: undefined }) }).toString(),
      'sip:h;lr;ttl=5',
    );
  });
});
