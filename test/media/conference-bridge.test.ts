import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BridgePort, ConferenceBridge, FRAME_SAMPLES, FrameTicker } from '../../src/media/index.js';
import { VirtualClock } from '../../src/util/index.js';

/** A port that says a constant value and remembers the first sample of what it heard. */
function port(name: string, says: number): BridgePort & { heard: number[] } {
  const heard: number[] = [];
  return {
    name,
    heard,
    getFrame(frame: Int16Array): boolean {
      frame.fill(says);
      return says !== 0;
    },
    putFrame(frame: Int16Array): void {
      heard.push(frame[0] as number);
      assert.ok(frame.every((x) => x === frame[0]));
    },
  };
}

function setup(): { clock: VirtualClock; bridge: ConferenceBridge; tick: () => void } {
  const clock = new VirtualClock();
  const bridge = new ConferenceBridge(new FrameTicker({ clock }));
  let t = 0;
  return { clock, bridge, tick: () => clock.advanceTo(20 * t++) };
}

describe('conference bridge', () => {
  it('gives each participant the mix of the others (N-1)', () => {
    const { bridge, tick } = setup();
    const a = port('a', 100);
    const b = port('b', 20);
    const c = port('c', 3);
    for (const p of [a, b, c]) bridge.addPort(p, { connectAll: true });
    tick();
    assert.deepEqual([a.heard, b.heard, c.heard], [[23], [103], [120]]);
    assert.equal(FRAME_SAMPLES, 160);
  });

  it('sums in 32 bits and clips once to 16 bits', () => {
    const { bridge, tick } = setup();
    const loud = [port('a', 30000), port('b', 30000), port('c', -30000), port('d', 0)];
    for (const p of loud) bridge.addPort(p, { connectAll: true });
    tick();
    // d hears 30000 + 30000 - 30000 = 30000 (no intermediate clipping); a hears 0; c hears 60000 -> 32767.
    assert.deepEqual(
      loud.map((p) => p.heard[0]),
      [0, 0, 32767, 30000],
    );
  });

  it('routes by connection: one-to-one, one-way, and swapping', () => {
    const { bridge, tick } = setup();
    const local = port('local', 1);
    const call1 = port('call1', 10);
    const call2 = port('call2', 100);
    const l = bridge.addPort(local);
    const c1 = bridge.addPort(call1);
    const c2 = bridge.addPort(call2);
    bridge.connect(l, c1);
    tick();
    assert.deepEqual([local.heard.at(-1), call1.heard.at(-1), call2.heard.at(-1)], [10, 1, 0]);
    bridge.disconnect(l, c1);
    bridge.connect(l, c2);
    bridge.connect(c1, c2, { oneWay: true }); // call2 also hears call1
    tick();
    assert.deepEqual([local.heard.at(-1), call1.heard.at(-1), call2.heard.at(-1)], [100, 0, 11]);
    assert.equal(bridge.isConnected(c1, c2), true);
    assert.equal(bridge.isConnected(c2, c1), false);
  });

  it('tells ports when they join and leave, and leaves the ticker with the last one', () => {
    const clock = new VirtualClock();
    const ticker = new FrameTicker({ clock });
    const bridge = new ConferenceBridge(ticker);
    const events: string[] = [];
    const p: BridgePort = {
      name: 'p',
      getFrame: (f) => {
        f.fill(0);
        return false;
      },
      putFrame: () => {},
      attached: () => events.push('attached'),
      detached: () => events.push('detached'),
    };
    const slot = bridge.addPort(p);
    assert.equal(ticker.size, 1);
    bridge.removePort(slot);
    assert.deepEqual(events, ['attached', 'detached']);
    assert.equal(ticker.size, 0);
    assert.throws(() => bridge.connect(slot, slot));
  });
});
