import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { computeAllHa1, HA1_HASHES, hashFor } from '../../src/store/index.js';

describe('account HA1s (RFC 2617, RFC 7616)', () => {
  it('computes one HA1 per hash function, matching the RFC 2617 example for MD5', () => {
    const ha1 = computeAllHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
    assert.deepEqual(Object.keys(ha1), ['MD5', 'SHA-256', 'SHA-512-256']);
    assert.deepEqual(HA1_HASHES, ['MD5', 'SHA-256', 'SHA-512-256']);
    assert.equal(ha1.MD5, '939e7578ed9e3c518a452acee763bce9');
    const a1 = 'Mufasa:testrealm@host.com:Circle Of Life';
    assert.equal(ha1['SHA-256'], createHash('sha256').update(a1).digest('hex'));
    // SHA-512/256 has its own initial values (FIPS 180-4): not SHA-512 cut to 256 bits.
    assert.equal(ha1['SHA-512-256'], createHash('sha512-256').update(a1).digest('hex'));
    assert.notEqual(ha1['SHA-512-256'], createHash('sha512').update(a1).digest('hex').slice(0, 64));
  });

  it('hashes the UTF-8 bytes of non-ASCII names and passwords (RFC 7616 section 4)', () => {
    assert.equal(
      computeAllHa1('ü', 'r', 'pässword').MD5,
      createHash('md5').update(Buffer.from('ü:r:pässword', 'utf8')).digest('hex'),
    );
  });

  it('maps challenge algorithm tokens to the hash function whose HA1 they use', () => {
    assert.equal(hashFor('md5'), 'MD5');
    assert.equal(hashFor('MD5-sess'), 'MD5');
    assert.equal(hashFor('SHA-256-sess'), 'SHA-256');
    assert.equal(hashFor('sha-512-256'), 'SHA-512-256');
    assert.equal(hashFor('SHA-1'), undefined);
    assert.equal(hashFor('AKAv1-MD5'), undefined);
  });
});
