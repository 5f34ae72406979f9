/**
 * Checks the messages between two parties against a seed's step table, written in the seed's
 * own words: `['A->B INVITE', 'B->A 180', 'B->A 200', 'A->B ACK', ...]`. A step names the sender,
 * the receiver, and a method (requests) or a status optionally followed by the CSeq method
 * (responses: "B->A 200" matches any 200, "B->A 200 BYE" only the 200 to a BYE).
 *
 * The recorded messages must contain the steps in order; any other message between the two is
 * allowed only if it matches one of the explicit `extras` (by default only "*->* 100": the seeds
 * often leave 100 Trying out). `*` stands for any party on either side of the arrow.
 */
import assert from 'node:assert/strict';
import type { WireMessage, WireRecorder } from './wire.js';

export interface LadderOptions {
  /** Messages the seed leaves out that may appear anywhere between its steps. */
  readonly extras?: readonly string[];
}

interface Pattern {
  readonly from: string;
  readonly to: string;
  readonly what: string;
  readonly method: string | undefined;
}

function parsePattern(text: string): Pattern {
  const m = /^\s*([^\s-]+)->([^\s]+)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(text);
  if (!m) throw new Error(`bad ladder step "${text}" (want "A->B INVITE" or "B->A 200 [METHOD]")`);
  return { from: m[1] as string, to: m[2] as string, what: m[3] as string, method: m[4] };
}

function matches(p: Pattern, m: WireMessage): boolean {
  if (p.from !== '*' && p.from !== m.from) return false;
  if (p.to !== '*' && p.to !== m.to) return false;
  if (/^\d{3}$/.test(p.what)) {
    if (m.status !== Number(p.what)) return false;
    return p.method === undefined || p.method === m.method;
  }
  return m.status === undefined && m.method === p.what;
}

/** The parties a step list talks about. */
function partiesOf(steps: readonly Pattern[]): [string, string] {
  const names = new Set<string>();
  for (const s of steps) {
    names.add(s.from);
    names.add(s.to);
  }
  const list = [...names].filter((n) => n !== '*');
  if (list.length !== 2) throw new Error(`a ladder is between two parties, these steps name ${list.join(', ')}`);
  return list as [string, string];
}

/** Asserts the seed's steps between two parties, in order, with only the allowed extras besides. */
export function expectLadder(wire: WireRecorder, steps: readonly string[], options: LadderOptions = {}): void {
  const expected = steps.map(parsePattern);
  const extras = ['*->* 100', ...(options.extras ?? [])].map(parsePattern);
  const [a, b] = partiesOf(expected);
  const actual = wire.between(a, b);
  let next = 0;
  const problems: string[] = [];
  for (const m of actual) {
    const want = expected[next];
    if (want && matches(want, m)) {
      next++;
      continue;
    }
    if (extras.some((x) => matches(x, m))) continue;
    problems.push(`unexpected ${m.label} (message ${m.index}) while waiting for "${steps[next] ?? '(end)'}"`);
    break;
  }
  if (problems.length === 0 && next < expected.length)
    problems.push(`missing "${steps[next]}" (and ${expected.length - next - 1} step(s) after it)`);
  if (problems.length > 0) {
    assert.fail(
      `${a}<->${b} does not follow the seed: ${problems.join('; ')}\nexpected:\n${steps.map((s) => `  ${s}`).join('\n')}\nrecorded:\n${wire.ladder(a, b)}`,
    );
  }
}
