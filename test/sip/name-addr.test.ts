/**
 * name-addr and addr-spec (RFC 3261 sections 20.10, 20.20, 20.39, 25.1): display names quoted and
 * unquoted, the header parameters that follow, the rule that parameters after a bare addr-spec
 * belong to the header (RFC 4475 cparam01), the Contact wildcard, and the printer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NameAddr,
  Params,
  parseContact,
  parseNameAddr,
  parseUri,
  SipParseError,
  type SipUri,
} from '../../src/sip/index.js';

describe('parseNameAddr', () => {
  const cases: readonly [string, string | undefined, string, readonly (readonly [string, string | null])[]][] = [
    ['Bob <sip:bob@biloxi.com>', 'Bob', 'sip:bob@biloxi.com', []],
    ['"Bob" <sip:bob@biloxi.com>;tag=a6c85cf', 'Bob', 'sip:bob@biloxi.com', [['tag', 'a6c85cf']]],
    ['<sip:bob@biloxi.com>', undefined, 'sip:bob@biloxi.com', []],
    [
      'sip:+12125551212@server.phone2net.com;tag=887s',
      undefined,
      'sip:+12125551212@server.phone2net.com',
      [['tag', '887s']],
    ],
    [
      '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s',
      'A. G. Bell',
      'sip:agb@bell-telephone.com',
      [['tag', 'a48s']],
    ],
    ['A.  G.\tBell <sip:agb@bell-telephone.com>', 'A. G. Bell', 'sip:agb@bell-telephone.com', []],
    ['caller<sip:caller@example.com>;tag=323', 'caller', 'sip:caller@example.com', [['tag', '323']]],
    ['"Bob \\"B\\" \\\\ Smith" <sip:bob@x.example>', 'Bob "B" \\ Smith', 'sip:bob@x.example', []],
    ['"" <sip:anon@anonymous.invalid>', '', 'sip:anon@anonymous.invalid', []],
    ['"Émilie Ω" <sip:e@example.fr>', 'Émilie Ω', 'sip:e@example.fr', []],
    ['  <tel:+1-201-555-0123>  ;  q = 0.5 ', undefined, 'tel:+1-201-555-0123', [['q', '0.5']]],
    [
      '<sip:u@192.0.2.4;ob>;reg-id=1;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"',
      undefined,
      'sip:u@192.0.2.4;ob',
      [
        ['reg-id', '1'],
        ['+sip.instance', '"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"'],
      ],
    ],
    ['<mailto:watson@bell-telephone.com>;q=0.1', undefined, 'mailto:watson@bell-telephone.com', [['q', '0.1']]],
    ['"BEL:\\\u0007 NUL:\\\u0000" <sip:x@example.com>', 'BEL:\u0007 NUL:\u0000', 'sip:x@example.com', []],
  ];
  for (const [text, display, uri, params] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      const na = parseNameAddr(text, 'From');
      assert.equal(na.displayName, display);
      assert.equal(na.uri.toString(), uri);
      assert.deepEqual(na.params.entries(), params);
    });
  }

  it('gives the parameters after a bare addr-spec to the header, inside <> to the URI (RFC 4475 cparam01/02)', () => {
    const bare = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=1');
    assert.deepEqual(bare.params.entries(), [
      ['unknownparam', null],
      ['tag', '1'],
    ]);
    assert.equal((bare.uri as SipUri).params.size, 0);
    const bracketed = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>;tag=1');
    assert.deepEqual((bracketed.uri as SipUri).params.entries(), [['unknownparam', null]]);
    assert.deepEqual(bracketed.params.entries(), [['tag', '1']]);
  });

  it('reads the tag unquoted and compares parameter names in any case', () => {
    assert.equal(parseNameAddr('<sip:a@b.example>;TAG=x1').tag, 'x1');
    assert.equal(parseNameAddr('<sip:a@b.example>;expires=60').params.get('EXPIRES'), '60');
    assert.equal(parseNameAddr('<sip:a@b.example>').tag, undefined);
  });

  it('rejects what the grammar does not allow, with a 400 naming the header', () => {
    const bad: readonly [string, RegExp][] = [
      ['', /empty value/],
      ['   ', /empty value/],
      ['Bob <sip:bob@biloxi.com', /missing '>'/],
      ['"Bob <sip:bob@biloxi.com>', /unterminated quoted string/],
      ['"Bob" sip:bob@biloxi.com', /expected '<'/],
      ['Bell, Alexander <sip:a.g.bell@example.com>', /must be quoted/],
      ['sip:user@example.com?Route=%3Csip:x%3E', /angle brackets/],
      ['sip:a@b.example,sip:c@d.example', /angle brackets/],
      ['<sip:bob@biloxi.com> junk', /unexpected/],
      ['<sip:bob@biloxi.com>;tag="unterminated', /unterminated/],
      ['< sip:bob@biloxi.com >', /bad URI/],
      ['<sip:bob@biloxi.com>;=x', /empty parameter/],
    ];
    for (const [text, why] of bad) {
      assert.throws(
        () => parseNameAddr(text, 'To'),
        (e: unknown) => e instanceof SipParseError && e.status === 400 && why.test(e.message),
        text,
      );
    }
  });
});

describe('Contact', () => {
  it('reads the wildcard of a REGISTER that removes every binding (section 10.2.2)', () => {
    for (const t of ['*', ' * ']) {
      const c = parseContact(t);
      assert.equal(c.isWildcard, true);
      assert.equal(c.toString(), '*');
    }
    assert.equal(parseContact('<sip:a@b.example>').isWildcard, false);
    assert.equal(NameAddr.wildcard.isWildcard, true);
  });
});

describe('NameAddr', () => {
  it('prints one token bare, several words or specials quoted, and always the URI in <>', () => {
    const uri = parseUri('sip:bob@biloxi.com');
    assert.equal(new NameAddr(uri).toString(), '<sip:bob@biloxi.com>');
    assert.equal(new NameAddr(uri, { displayName: 'Bob' }).toString(), 'Bob <sip:bob@biloxi.com>');
    assert.equal(new NameAddr(uri, { displayName: 'Bob Smith' }).toString(), '"Bob Smith" <sip:bob@biloxi.com>');
    assert.equal(new NameAddr(uri, { displayName: 'Bell, A.' }).toString(), '"Bell, A." <sip:bob@biloxi.com>');
    assert.equal(
      new NameAddr(uri, { displayName: 'say "hi" \\o/' }).toString(),
      '"say \\"hi\\" \\\\o/" <sip:bob@biloxi.com>',
    );
    assert.equal(new NameAddr(uri, { displayName: '' }).toString(), '<sip:bob@biloxi.com>');
    const tel = new NameAddr(parseUri('tel:+15551234'), { params: Params.of({ tag: 'x' }) });
    assert.equal(tel.toString(), '<tel:+15551234>;tag=x');
  });

  it('prints what it parsed so that parsing again gives the same address', () => {
    for (const t of [
      '"Bob \\"B\\" Smith" <sip:bob@x.example>;tag=1',
      'sip:+19725552222@gw1.example.net;unknownparam',
      '"Émilie" <sip:%C3%A9milie@example.fr;transport=tcp>;expires=0',
    ]) {
      const a = parseNameAddr(t);
      const b = parseNameAddr(a.toString());
      assert.equal(b.displayName, a.displayName);
      assert.ok(b.uri.equals(a.uri));
      assert.deepEqual(b.params.entries(), a.params.entries());
    }
  });

  it('makes changed copies and leaves the original alone', () => {
    const a = parseNameAddr('Bob <sip:bob@biloxi.com>;expires=60');
    const tagged = a.withTag('abc');
    assert.equal(tagged.tag, 'abc');
    assert.equal(tagged.toString(), 'Bob <sip:bob@biloxi.com>;expires=60;tag=abc');
    assert.equal(tagged.withTag('def').toString(), 'Bob <sip:bob@biloxi.com>;expires=60;tag=def');
    assert.equal(a.withoutParam('expires').toString(), 'Bob <sip:bob@biloxi.com>');
    assert.equal(a.withParam('q', '0.5').toString(), 'Bob <sip:bob@biloxi.com>;expires=60;q=0.5');
    assert.equal(a.withUri(parseUri('sip:bob@192.0.2.4')).toString(), 'Bob <sip:bob@192.0.2.4>;expires=60');
    assert.equal(a.tag, undefined);
    assert.equal(a.toString(), 'Bob <sip:bob@biloxi.com>;expires=60');
  });
});
