/** Parsing and printing challenges (RFC 7616 section 3.3, RFC 3261 section 25.1). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { challengeValue, parseChallenge } from '../../src/auth/index.js';
import { parseAuthValue, printAuthValue } from '../../src/sip/index.js';

describe('parseChallenge', () => {
  it('reads the RFC 7616 section 3.9.1 challenge', () => {
    const c = parseChallenge(
      parseAuthValue(
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ' +
          'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      ),
    );
    assert.deepEqual(c, {
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      algorithmName: 'SHA-256',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      stale: false,
      userhash: false,
    });
  });

  it('defaults to MD5 without qop, and reads quoted and odd-case values as servers send them', () => {
    const old = parseChallenge(parseAuthValue('Digest realm="asterisk",nonce="1a2b3c"'));
    assert.equal(old?.algorithm, 'MD5');
    assert.equal(old?.qop, undefined);
    const odd = parseChallenge(
      parseAuthValue('DIGEST realm="r", nonce="n", algorithm="md5", qop=auth, stale="TRUE", userhash=true'),
    );
    assert.equal(odd?.algorithm, 'MD5');
    assert.deepEqual(odd?.qop, ['auth']);
    assert.equal(odd?.stale, true);
    assert.equal(odd?.userhash, true);
  });

  it('keeps an unknown algorithm by name and ignores other schemes and incomplete challenges', () => {
    const aka = parseChallenge(parseAuthValue('Digest realm="ims", nonce="n", algorithm=AKAv1-MD5'));
    assert.equal(aka?.algorithm, undefined);
    assert.equal(aka?.algorithmName, 'AKAv1-MD5');
    assert.equal(parseChallenge(parseAuthValue('Basic realm="r"')), undefined);
    assert.equal(parseChallenge(parseAuthValue('Digest realm="r"')), undefined);
    assert.equal(parseChallenge(parseAuthValue('Digest nonce="n"')), undefined);
  });
});

describe('challengeValue', () => {
  it('prints realm, nonce, opaque, algorithm, qop and stale in RFC 7616 form', () => {
    const v = challengeValue({
      realm: 'example.com',
      nonce: 'abc+/=',
      opaque: 'op',
      algorithm: 'SHA-256',
      qop: ['auth'],
      stale: true,
    });
    assert.equal(
      printAuthValue(v),
      'Digest realm="example.com", nonce="abc+/=", opaque="op", algorithm=SHA-256, qop="auth", stale=true',
    );
    const round = parseChallenge(parseAuthValue(printAuthValue(v)));
    assert.equal(round?.nonce, 'abc+/=');
    assert.equal(round?.stale, true);
  });

  it('escapes a realm with quotes and omits qop when none is offered', () => {
    const v = challengeValue({ realm: 'the "best" realm', nonce: 'n', algorithm: 'MD5', qop: [] });
    assert.equal(printAuthValue(v), 'Digest realm="the \\"best\\" realm", nonce="n", algorithm=MD5');
    assert.equal(parseChallenge(parseAuthValue(printAuthValue(v)))?.realm, 'the "best" realm');
  });
});
