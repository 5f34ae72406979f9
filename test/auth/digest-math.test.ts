/**
 * The digest computations against published vectors: RFC 2617 section 3.5, RFC 7616 section
 * 3.9.1 (MD5 and SHA-256), FIPS 180-4 for SHA-512/256, and the RFC 7616 section 3.9.2 request
 * recomputed with SHA-512/256 as FIPS defines it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  algorithmOf,
  algorithmStrength,
  computeHa1,
  computeResponse,
  computeRspauth,
  computeUserhash,
  DigestAlgorithmError,
  DigestHa1Error,
  formatNc,
  hashHex,
  hashOf,
  isHa1,
  parseAlgorithm,
  parseNc,
  sessionHa1,
  timingSafeEqualHex,
} from '../../src/auth/index.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

describe('RFC 2617 section 3.5 example', () => {
  it('gives response 6629fae49393a05397450978507c4ef1', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = computeResponse({
      algorithm: 'MD5',
      ha1,
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });
});

describe('RFC 7616 section 3.9.1 examples (Mufasa, "Circle of Life")', () => {
  const base = {
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  it('MD5 gives 8ca523f5e9506fed4657c9700eebdbec', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', 'http-auth@example.org', 'Circle of Life');
    assert.equal(computeResponse({ ...base, algorithm: 'MD5', ha1 }), '8ca523f5e9506fed4657c9700eebdbec');
  });
  it('SHA-256 gives 753927fa...56cb6c1', () => {
    const ha1 = computeHa1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life');
    assert.equal(
      computeResponse({ ...base, algorithm: 'SHA-256', ha1 }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });
});

describe('SHA-512-256', () => {
  it('is FIPS 180-4 SHA-512/256, not truncated SHA-512 (NIST example "abc")', () => {
    assert.equal(hashHex('SHA-512-256', 'abc'), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
    assert.equal(hashHex('SHA-256', 'abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashHex('MD5', 'abc'), '900150983cd24fb0d6963f7d28e17f72');
  });

  it('reproduces the RFC 7616 section 3.9.2 request with FIPS SHA-512/256', () => {
    // The RFC's printed username hash (488869...) and response (ae66e6...) are what SHA-512
    // truncated to 256 bits gives; SHA-512/256 as FIPS 180-4 defines it (the algorithm RFC 7616
    // names) gives the values below, as do OpenSSL-based implementations.
    const username = 'Jäsøn Doe';
    const realm = 'api@example.org';
    assert.equal(
      computeUserhash('SHA-512-256', username, realm),
      createHash('sha512-256').update(`${username}:${realm}`).digest('hex'),
    );
    assert.equal(
      computeUserhash('SHA-512-256', username, realm),
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    );
    const truncated = createHash('sha512').update(`${username}:${realm}`).digest('hex').slice(0, 64);
    assert.equal(truncated, '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec');
    const ha1 = computeHa1('SHA-512-256', username, realm, 'Secret, or not?');
    const response = computeResponse({
      algorithm: 'SHA-512-256',
      ha1,
      nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
      method: 'GET',
      uri: '/doe.json',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
    });
    assert.equal(response, '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
  });
});

describe('the forms of the computation', () => {
  const ha1 = computeHa1('MD5', 'alice', 'example.com', 'secret');

  it('HA1 is H(username:realm:password)', () => {
    assert.equal(ha1, md5('alice:example.com:secret'));
    assert.equal(computeHa1('MD5-sess', 'alice', 'example.com', 'secret'), ha1, '-sess stores the same HA1');
  });

  it('without qop uses the RFC 2069 form H(HA1:nonce:HA2)', () => {
    const r = computeResponse({ algorithm: 'MD5', ha1, nonce: 'n1', method: 'REGISTER', uri: 'sip:example.com' });
    assert.equal(r, md5(`${ha1}:n1:${md5('REGISTER:sip:example.com')}`));
  });

  it('MD5-sess hashes HA1 with nonce and cnonce (RFC 7616 section 3.4.2)', () => {
    const sess = md5(`${ha1}:n1:c1`);
    assert.equal(sessionHa1('MD5-sess', ha1, 'n1', 'c1'), sess);
    assert.equal(sessionHa1('MD5', ha1, 'n1', 'c1'), ha1);
    const r = computeResponse({
      algorithm: 'MD5-sess',
      ha1,
      nonce: 'n1',
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c1',
    });
    assert.equal(r, md5(`${sess}:n1:00000001:c1:auth:${md5('INVITE:sip:bob@example.com')}`));
  });

  it('auth-int adds H(body) to HA2 (RFC 7616 section 3.4.3)', () => {
    const body = Buffer.from('v=0\r\n');
    const r = computeResponse({
      algorithm: 'MD5',
      ha1,
      nonce: 'n1',
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      qop: 'auth-int',
      nc: '00000002',
      cnonce: 'c1',
      body,
    });
    const ha2 = md5(`INVITE:sip:bob@example.com:${md5('v=0\r\n')}`);
    assert.equal(r, md5(`${ha1}:n1:00000002:c1:auth-int:${ha2}`));
  });

  it('rspauth leaves the method empty (RFC 7616 section 3.5)', () => {
    const r = computeRspauth({
      algorithm: 'MD5',
      ha1,
      nonce: 'n1',
      uri: 'sip:example.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c1',
    });
    assert.equal(r, md5(`${ha1}:n1:00000001:c1:auth:${md5(':sip:example.com')}`));
  });

  it('refuses a HA1 of the wrong length or case', () => {
    assert.throws(() => sessionHa1('SHA-256', ha1, 'n', 'c'), DigestHa1Error);
    assert.throws(() => sessionHa1('MD5', ha1.toUpperCase(), 'n', 'c'), DigestHa1Error);
    assert.equal(isHa1('MD5', ha1), true);
    assert.equal(isHa1('SHA-256', ha1), false);
  });
});

describe('algorithms and nc', () => {
  it('parses algorithm names case-insensitively, absent meaning MD5', () => {
    assert.equal(parseAlgorithm(undefined), 'MD5');
    assert.equal(parseAlgorithm('md5'), 'MD5');
    assert.equal(parseAlgorithm('sha-256-SESS'), 'SHA-256-sess');
    assert.equal(parseAlgorithm('SHA-1'), undefined);
    assert.equal(algorithmOf('sha-512-256'), 'SHA-512-256');
    assert.throws(
      () => algorithmOf('AKAv1-MD5'),
      (e: unknown) => e instanceof DigestAlgorithmError && e.code === 'ERR_AUTH_ALGORITHM',
    );
  });

  it('ranks SHA-512-256 over SHA-256 over MD5, "-sess" with its hash', () => {
    assert.ok(algorithmStrength('SHA-512-256') > algorithmStrength('SHA-256'));
    assert.ok(algorithmStrength('SHA-256') > algorithmStrength('MD5'));
    assert.equal(algorithmStrength('SHA-256-sess'), algorithmStrength('SHA-256'));
    assert.equal(hashOf('SHA-512-256-sess'), 'SHA-512-256');
  });

  it('formats nc as 8 lower-case hex digits and parses only that', () => {
    assert.equal(formatNc(1), '00000001');
    assert.equal(formatNc(0xabc), '00000abc');
    assert.equal(formatNc(0xffffffff), 'ffffffff');
    assert.equal(parseNc('0000000A'), 10);
    assert.equal(parseNc('1'), undefined);
    assert.equal(parseNc('00000001 '), undefined);
    assert.equal(parseNc('0000000g'), undefined);
  });

  it('compares digests in constant time, ignoring hex case', () => {
    assert.equal(timingSafeEqualHex('abcdef', 'ABCDEF'), true);
    assert.equal(timingSafeEqualHex('abcdef', 'abcdee'), false);
    assert.equal(timingSafeEqualHex('abcdef', 'abcde'), false);
  });
});
