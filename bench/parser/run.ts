/**
 * Parser benchmark: messages per CPU second (one core) for Switchboard and three npm SIP parsers
 * (jssip, sip.js, sip), on the same messages, in the same run. Each parser parses, reads the
 * fields a proxy or UA needs first (peers.ts), and serializes. After a warm-up, each
 * (message, parser) pair runs ROUNDS timed rounds, interleaved so that machine noise hits all
 * parsers alike; the median round is reported with the ratio Switchboard / fastest peer.
 *
 *   node --import tsx bench/parser/run.ts [--rounds N] [--ms M]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { MESSAGES } from './messages.js';
import { type ParserAdapter, PEERS, switchboard, switchboardReprint } from './peers.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, ms: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 7);
const ROUND_MS = Number(values.ms ?? 400);
const PARSERS: readonly ParserAdapter[] = [switchboard, switchboardReprint, ...PEERS];

let sink = 0;

/**
 * Runs `run(input)` in batches for about `ms` milliseconds of this process's CPU time; returns
 * operations per CPU second. CPU time (process.cpuUsage) rather than wall time, so that other
 * processes sharing the machine do not count against the parser being measured.
 */
function measure(p: ParserAdapter, input: unknown, ms: number): number {
  let ops = 0;
  let batch = 64;
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < batch; i++) sink += p.run(input);
    ops += batch;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
    if (batch < 65536 && used < ms * 100) batch *= 2;
  }
  return ops / (used / 1e6);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10);

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${ROUNDS} rounds x ${ROUND_MS} ms`);
const results = new Map<string, Map<string, number>>();
for (const m of MESSAGES) {
  const inputs = PARSERS.map((p) => p.prepare(m.text));
  // Check every adapter reads the message, then warm up (JIT) before timing.
  for (const [i, p] of PARSERS.entries()) {
    p.run(inputs[i]);
    measure(p, inputs[i], ROUND_MS);
  }
  const rounds = PARSERS.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, p] of PARSERS.entries()) rounds[i]?.push(measure(p, inputs[i], ROUND_MS));
  }
  results.set(m.name, new Map(PARSERS.map((p, i) => [p.name, median(rounds[i] ?? [])])));
}

const header = ['message'.padEnd(14), ...PARSERS.map((p) => p.name.padStart(12)), '  ratio vs fastest peer'];
console.log(`\nmessages/s (median)\n${header.join('')}`);
const ratios: number[] = [];
const reprintRatios: number[] = [];
for (const [name, row] of results) {
  const best = PEERS.reduce((a, p) => ((row.get(p.name) ?? 0) > (row.get(a.name) ?? 0) ? p : a));
  const bestRate = row.get(best.name) ?? 1;
  const ratio = (row.get(switchboard.name) ?? 0) / bestRate;
  ratios.push(ratio);
  reprintRatios.push((row.get(switchboardReprint.name) ?? 0) / bestRate);
  const cells = PARSERS.map((p) => `  ${fmt(row.get(p.name) ?? 0)}`);
  console.log(`${name.padEnd(14)}${cells.join('')}  ${ratio.toFixed(2)}x (${best.name})`);
}
const geo = (xs: readonly number[]) => Math.exp(xs.reduce((a, r) => a + Math.log(r), 0) / xs.length);
console.log(
  `\nSwitchboard / fastest peer: min ${Math.min(...ratios).toFixed(2)}x, geometric mean ${geo(ratios).toFixed(2)}x`,
);
console.log(
  `Switchboard re-printing / fastest peer: min ${Math.min(...reprintRatios).toFixed(2)}x, geometric mean ${geo(reprintRatios).toFixed(2)}x`,
);
if (sink === 0) console.log('(no work measured)');
