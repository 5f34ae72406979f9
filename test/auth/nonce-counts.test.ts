/** nc replay protection with bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonceCountTracker } from '../../src/auth/index.js';

const LIFE = 300_000;

describe('NonceCountTracker', () => {
  it('accepts increasing counts and rejects repeated or decreasing ones', () => {
    const t = new NonceCountTracker(10);
    assert.equal(t.accept('n1', 1, 0n, LIFE, 10), 'ok');
    assert.equal(t.accept('n1', 1, 0n, LIFE, 11), 'replay');
    assert.equal(t.accept('n1', 3, 0n, LIFE, 12), 'ok');
    assert.equal(t.accept('n1', 2, 0n, LIFE, 13), 'replay');
    assert.equal(t.accept('n1', 4, 0n, LIFE, 14), 'ok');
    assert.equal(t.accept('n2', 1, 0n, LIFE, 15), 'ok', 'counts are per nonce');
  });

  it('drops the entries of expired nonces', () => {
    const t = new NonceCountTracker(10);
    t.accept('n1', 1, 0n, LIFE, 0);
    t.accept('n2', 1, 1000n, 1000 + LIFE, 1000);
    assert.equal(t.size, 2);
    t.accept('n3', 1, BigInt(LIFE), 2 * LIFE, LIFE + 1);
    assert.equal(t.size, 2, 'n1 expired and was dropped');
  });

  it('stays within capacity, and does not trust a live nonce it had to forget', () => {
    const t = new NonceCountTracker(2);
    t.accept('n1', 5, 100n, 100 + LIFE, 200);
    t.accept('n2', 1, 110n, 110 + LIFE, 200);
    t.accept('n3', 1, 120n, 120 + LIFE, 200);
    assert.equal(t.size, 2);
    assert.equal(
      t.accept('n1', 1, 100n, 100 + LIFE, 300),
      'forgotten',
      'n1 was evicted while alive: no replay of nc 1..5',
    );
    assert.equal(t.accept('n0', 1, 90n, 90 + LIFE, 300), 'forgotten', 'older than an evicted live nonce');
    assert.equal(t.accept('n4', 1, 130n, 130 + LIFE, 300), 'ok', 'issued after the eviction point');
  });

  it('keeps recently used nonces when evicting', () => {
    const t = new NonceCountTracker(2);
    t.accept('n1', 1, 100n, 100 + LIFE, 200);
    t.accept('n2', 1, 110n, 110 + LIFE, 200);
    t.accept('n1', 2, 100n, 100 + LIFE, 201); // n1 is now the most recent
    t.accept('n3', 1, 120n, 120 + LIFE, 202); // evicts n2
    assert.equal(t.accept('n1', 2, 100n, 100 + LIFE, 203), 'replay', 'n1 still tracked');
    assert.equal(t.accept('n2', 2, 110n, 110 + LIFE, 203), 'forgotten');
  });
});
