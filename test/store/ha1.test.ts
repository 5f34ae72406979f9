import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { baseAlgorithm, computeAllHa1, computeHa1, DIGEST_ALGORITHMS } from '../../src/store/index.js';

describe('HA1 (RFC 2617, RFC 7616)', () => {
  it('matches the RFC 2617 example', () => {
    assert.equal(
      computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'),
      '939e7578ed9e3c518a452acee763bce9',
    );
  });

  it('computes SHA-256 and SHA-512/256 as H(username:realm:password) in UTF-8', () => {
    const a1 = 'Mufasa:http-auth@example.org:Circle of Life';
    assert.equal(
      computeHa1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life'),
      createHash('sha256').update(a1).digest('hex'),
    );
    assert.ok(DIGEST_ALGORITHMS.includes('SHA-512-256'), 'Node 20 has sha512-256');
    // SHA-512/256 is not SHA-512 cut to 256 bits: it has its own initial values (FIPS 180-4).
    const s = computeHa1('SHA-512-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life');
    assert.equal(s.length, 64);
    assert.notEqual(s, createHash('sha512').update(a1).digest('hex').slice(0, 64));
    // Node's 'sha512-256' is FIPS 180-4 SHA-512/256 (its "abc" example vector), the hash RFC 7616 names.
    assert.equal(
      createHash('sha512-256').update('abc').digest('hex'),
      '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
    );
    assert.equal(
      computeHa1('MD5', 'ü', 'r', 'p'),
      createHash('md5').update(Buffer.from('ü:r:p', 'utf8')).digest('hex'),
    );
    assert.deepEqual(Object.keys(computeAllHa1('a', 'b', 'c')), ['MD5', 'SHA-256', 'SHA-512-256']);
  });

  it('maps challenge algorithm tokens to their base algorithm', () => {
    assert.equal(baseAlgorithm('md5'), 'MD5');
    assert.equal(baseAlgorithm('MD5-sess'), 'MD5');
    assert.equal(baseAlgorithm('SHA-256-sess'), 'SHA-256');
    assert.equal(baseAlgorithm('sha-512-256'), 'SHA-512-256');
    assert.equal(baseAlgorithm('SHA-1'), undefined);
    assert.equal(baseAlgorithm('AKAv1-MD5'), undefined);
  });
});
