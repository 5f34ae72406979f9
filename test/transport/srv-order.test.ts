import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderSrv } from '../../src/transport/index.js';

const rec = (name: string, priority: number, weight: number) => ({ name, priority, weight, port: 5060 });

describe('RFC 2782 SRV ordering', () => {
  it('orders by priority and drops "." targets', () => {
    const out = orderSrv([rec('c', 30, 5), rec('a', 10, 5), rec('.', 5, 0), rec('b', 20, 5)]);
    assert.deepEqual(
      out.map((r) => r.name),
      ['a', 'b', 'c'],
    );
  });

  it('picks within a priority in proportion to weight', () => {
    const records = [rec('heavy', 1, 90), rec('light', 1, 10), rec('zero', 1, 0), rec('backup', 2, 100)];
    const firsts = new Map<string, number>();
    const runs = 2000;
    for (let i = 0; i < runs; i++) {
      const out = orderSrv(records);
      assert.equal(out.length, 4);
      assert.equal(out[3]?.name, 'backup');
      const first = out[0]?.name as string;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // Expected shares of the first place: 90/101, 10/101, 1/101 (the zero-weight record wins only on 0).
    const heavy = (firsts.get('heavy') ?? 0) / runs;
    const light = (firsts.get('light') ?? 0) / runs;
    const zero = (firsts.get('zero') ?? 0) / runs;
    assert.ok(heavy > 0.84 && heavy < 0.94, `heavy first ${heavy}`);
    assert.ok(light > 0.06 && light < 0.14, `light first ${light}`);
    assert.ok(zero < 0.03, `zero first ${zero}`);
  });
});
