/** Stateless nonces: bound to realm and time by an HMAC with the server secret. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonceIssuer } from '../../src/auth/index.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const T0 = Date.UTC(2026, 0, 1);

describe('NonceIssuer', () => {
  const issuer = new NonceIssuer({ secret, lifetimeMs: 300_000 });

  it('issues 48 base64 characters that differ every time and verify for their realm', () => {
    const a = issuer.issue('example.com', T0);
    const b = issuer.issue('example.com', T0);
    assert.match(a, /^[A-Za-z0-9+/]{48}$/);
    assert.notEqual(a, b);
    const check = issuer.check(a, 'example.com', T0 + 1000);
    assert.equal(check.status, 'valid');
    assert.equal(check.issuedAt, T0);
    assert.ok((check.order ?? 0n) < (issuer.check(b, 'example.com', T0).order ?? 0n), 'issue order within one ms');
  });

  it('is expired after the lifetime, and valid up to it', () => {
    const n = issuer.issue('example.com', T0);
    assert.equal(issuer.check(n, 'example.com', T0 + 300_000).status, 'valid');
    assert.equal(issuer.check(n, 'example.com', T0 + 300_001).status, 'expired');
  });

  it('is invalid for another realm, another secret, when altered, or when not ours at all', () => {
    const n = issuer.issue('example.com', T0);
    assert.equal(issuer.check(n, 'example.org', T0).status, 'invalid');
    const other = new NonceIssuer({ secret: Buffer.from('another secret of 32 bytes......'), lifetimeMs: 300_000 });
    assert.equal(other.check(n, 'example.com', T0).status, 'invalid');
    const bytes = Buffer.from(n, 'base64');
    bytes[0] = (bytes[0] as number) ^ 1; // move the timestamp
    assert.equal(issuer.check(bytes.toString('base64'), 'example.com', T0).status, 'invalid');
    assert.equal(issuer.check('dcd98b7102dd2f0e8b11d0f600bfb0c093', 'example.com', T0).status, 'invalid');
    assert.equal(issuer.check('', 'example.com', T0).status, 'invalid');
  });

  it('rejects a nonce dated more than a minute in the future', () => {
    const n = issuer.issue('example.com', T0 + 120_000);
    assert.equal(issuer.check(n, 'example.com', T0).status, 'invalid');
  });

  it('answers nonces of a previous secret as expired (key rotation)', () => {
    const oldIssuer = new NonceIssuer({ secret, lifetimeMs: 300_000 });
    const n = oldIssuer.issue('example.com', T0);
    const rotated = new NonceIssuer({
      secret: Buffer.from('the new secret, 32 bytes long...'),
      previousSecrets: [secret],
      lifetimeMs: 300_000,
    });
    assert.equal(rotated.check(n, 'example.com', T0).status, 'expired');
    assert.equal(rotated.check(n, 'example.com', T0).issuedAt, T0);
  });
});
