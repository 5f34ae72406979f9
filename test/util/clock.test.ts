import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../src/util/clock.js';
import { MAGIC_COOKIE, newBranch, newTag, randomToken } from '../../src/util/ids.js';

describe('VirtualClock', () => {
  it('fires timers in due order, ties in the order they were set, with now() at the due time', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(500, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(500, () => fired.push(`c@${clock.now()}`));
    clock.advance(499);
    assert.deepEqual(fired, ['b@100']);
    clock.advance(1);
    assert.deepEqual(fired, ['b@100', 'a@500', 'c@500']);
    assert.equal(clock.now(), 500);
  });

  it('runs timers set by callbacks during one advance, and cancelled ones never', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const h = clock.setTimer(50, () => fired.push(-1));
    clock.setTimer(10, () => clock.setTimer(10, () => fired.push(clock.now())));
    h.cancel();
    clock.advance(100);
    assert.deepEqual(fired, [20]);
    assert.equal(clock.pending(), 0);
  });

  it('keeps wall time in step with monotonic time', () => {
    const clock = new VirtualClock(0, 1_000_000);
    clock.advance(2500);
    assert.equal(clock.wallTime(), 1_002_500);
  });
});

describe('ids', () => {
  it('makes branches with the magic cookie and distinct random tokens', () => {
    const b = newBranch();
    assert.ok(b.startsWith(MAGIC_COOKIE));
    assert.ok(b.length >= MAGIC_COOKIE.length + 16);
    const seen = new Set<string>();
    for (let i = 0; i < 10000; i++) seen.add(newTag());
    assert.equal(seen.size, 10000);
    assert.match(randomToken(30), /^[0-9A-Za-z]{30}$/);
  });
});
