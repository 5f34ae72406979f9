/** Parsing and printing credentials (RFC 7616 section 3.4, RFC 3261 section 25.1). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialsValue, parseCredentials } from '../../src/auth/index.js';
import { parseAuthValue, printAuthValue } from '../../src/sip/index.js';

function parse(text: string) {
  return parseCredentials(parseAuthValue(text));
}

describe('parseCredentials', () => {
  it('reads the credentials of RFC 2617 section 3.5 (quoted qop, as some clients send)', () => {
    const r = parse(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", qop="auth", nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.ok(r.ok);
    assert.equal(r.credentials.username, 'Mufasa');
    assert.equal(r.credentials.algorithm, 'MD5');
    assert.equal(r.credentials.qop, 'auth');
    assert.equal(r.credentials.nc, 1);
    assert.equal(r.credentials.ncText, '00000001');
    assert.equal(r.credentials.cnonce, '0a4f113b');
    assert.equal(r.credentials.opaque, '5ccc069c403ebaf9f0171e9517f40e41');
  });

  it('reads RFC 2069 credentials (no qop, no nc, no cnonce)', () => {
    const r = parse(
      'Digest username="bob", realm="r", nonce="n", uri="sip:r", response="0123456789abcdef0123456789abcdef"',
    );
    assert.ok(r.ok);
    assert.equal(r.credentials.qop, undefined);
    assert.equal(r.credentials.nc, undefined);
  });

  for (const [what, text] of [
    ['a missing username', 'Digest realm="r", nonce="n", uri="u", response="ab"'],
    ['a missing response', 'Digest username="u", realm="r", nonce="n", uri="u"'],
    ['a response that is not hex', 'Digest username="u", realm="r", nonce="n", uri="u", response="xyz"'],
    ['qop without cnonce', 'Digest username="u", realm="r", nonce="n", uri="u", response="ab", qop=auth, nc=00000001'],
    ['qop without nc', 'Digest username="u", realm="r", nonce="n", uri="u", response="ab", qop=auth, cnonce="c"'],
    [
      'an nc of 7 digits',
      'Digest username="u", realm="r", nonce="n", uri="u", response="ab", qop=auth, cnonce="c", nc=0000001',
    ],
    [
      'an unknown qop',
      'Digest username="u", realm="r", nonce="n", uri="u", response="ab", qop=auth-conf, cnonce="c", nc=00000001',
    ],
    ['another scheme', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
  ] as const) {
    it(`rejects ${what}`, () => {
      const r = parse(text);
      assert.equal(r.ok, false);
    });
  }
});

describe('credentialsValue', () => {
  it('prints in the order phones use, qop and nc as bare tokens', () => {
    const v = credentialsValue({
      username: 'alice',
      realm: 'example.com',
      nonce: 'n1',
      uri: 'sip:example.com',
      response: 'abcd',
      algorithm: 'MD5',
      qop: 'auth',
      cnonce: 'c1',
      nc: 2,
      opaque: 'o1',
    });
    assert.equal(
      printAuthValue(v),
      'Digest username="alice", realm="example.com", nonce="n1", uri="sip:example.com", response="abcd", ' +
        'algorithm=MD5, cnonce="c1", opaque="o1", qop=auth, nc=00000002',
    );
  });

  it('prints RFC 2069 credentials without cnonce, qop and nc, and round-trips through the parser', () => {
    const v = credentialsValue({
      username: 'a"b',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:r',
      response: 'ff',
      algorithm: 'SHA-256',
    });
    assert.equal(
      printAuthValue(v),
      'Digest username="a\\"b", realm="r", nonce="n", uri="sip:r", response="ff", algorithm=SHA-256',
    );
    const back = parseCredentials(parseAuthValue(printAuthValue(v)));
    assert.ok(back.ok);
    assert.equal(back.credentials.username, 'a"b');
  });
});
