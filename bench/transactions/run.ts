/**
 * Transaction benchmark (issue 3, item 7): the call rate SIPp's UAC sustains against a Switchboard
 * UAS that answers every call (INVITE/100/180/200/ACK/BYE/200 over UDP on 127.0.0.1), with no
 * failed call and no retransmission growth, against the rate it sustains against SIPp as the UAS
 * in the same run (the generator's own ceiling); both, and the ratio, are printed. Each UAS runs
 * in a process of its own, so the two cores are shared by SIPp's UAC and the UAS as in a
 * deployment; the CPU time of each per call is printed. Then the memory per established dialog,
 * with 10,000 calls held open, and optionally a CPU profile of the Switchboard UAS at load.
 *
 *   node --import tsx bench/transactions/run.ts [--impl ua|lean|both] [--start N] [--max N]
 *        [--short-s S] [--confirm-s S] [--memory-calls N] [--no-memory] [--no-rate] [--profile] [--tsx]
 *        [--rates R1,R2,...]   (fixed-rate steps of --confirm-s seconds instead of the search)
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSipp, sipp } from '../../test/helpers/sipp.js';
import { formatProfile, summarizeProfile } from '../common/cpu-profile.js';
import { compileForBench } from './compile.js';
import { measureMemory } from './memory.js';
import { UAS_LAYERS } from './profile-summary.js';
import { formatStep, runStep, type SearchResult, searchRate } from './rate-search.js';
import { SippUasTarget, SwitchboardTarget, type Target } from './targets.js';

const { values } = parseArgs({
  options: {
    impl: { type: 'string' },
    start: { type: 'string' },
    max: { type: 'string' },
    'short-s': { type: 'string' },
    'confirm-s': { type: 'string' },
    'memory-calls': { type: 'string' },
    'no-memory': { type: 'boolean' },
    'no-rate': { type: 'boolean' },
    profile: { type: 'boolean' },
    tsx: { type: 'boolean' },
    rates: { type: 'string' },
  },
});
const impls: ('ua' | 'lean')[] = values.impl === 'ua' ? ['ua'] : values.impl === 'lean' ? ['lean'] : ['ua', 'lean'];
const options = {
  start: Number(values.start ?? 200),
  max: Number(values.max ?? 12_800),
  shortSeconds: Number(values['short-s'] ?? 8),
  confirmSeconds: Number(values['confirm-s'] ?? 40),
  log: (line: string) => console.log(line),
};
const memoryCalls = Number(values['memory-calls'] ?? 10_000);

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

console.log(
  `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${sipp().version}`,
);
console.log(`load average at start: ${load()}`);
// The UAS runs compiled (plain JavaScript, as deployed) unless --tsx.
const compiled = values.tsx ? undefined : compileForBench();
console.log(`Switchboard UAS: ${compiled ? `compiled with tsc into ${compiled}` : 'TypeScript through tsx'}`);

async function withTarget<T>(start: () => Promise<Target>, run: (t: Target) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await run(target);
  } finally {
    await target.stop();
  }
}

const results: SearchResult[] = [];
if (values.rates !== undefined) {
  const rates = values.rates.split(',').map(Number);
  for (const impl of impls) {
    console.log(`\nSIPp UAC -> Switchboard UAS (${impl}), fixed rates, ${options.confirmSeconds} s each`);
    for (const rate of rates) {
      // A fresh process per rate, so that no step inherits another's calls or heap.
      const s = await withTarget(
        () => SwitchboardTarget.start(impl, undefined, compiled),
        (t) => runStep(t, rate, options.confirmSeconds, 0),
      );
      console.log(`  ${formatStep(s)}`);
    }
  }
} else if (!values['no-rate']) {
  console.log('\nSIPp UAC -> SIPp UAS (the generator ceiling)');
  results.push(await searchRate(() => SippUasTarget.start(), options));
  for (const impl of impls) {
    const name = impl === 'ua' ? 'UA core' : 'lean';
    console.log(`\nSIPp UAC -> Switchboard UAS (${name})`);
    results.push(await searchRate(() => SwitchboardTarget.start(impl, undefined, compiled), options));
  }
  const ceiling = results[0] as SearchResult;
  console.log('\nsustained call rate (0 failed calls, no retransmission growth, confirmed over a long step):');
  for (const r of results) {
    const c = r.confirmation;
    const cpu = c
      ? `  CPU per call: UAS ${(c.uasCpuPerCall * 1000).toFixed(0)} us, SIPp UAC ${(c.uacCpuPerCall * 1000).toFixed(0)} us`
      : '';
    const ratio = r === ceiling ? '' : `  ratio ${(r.sustained / Math.max(1, ceiling.sustained)).toFixed(2)}`;
    console.log(`  ${r.target.padEnd(28)} ${String(r.sustained).padStart(6)} cps${ratio}${cpu}`);
  }
}

if (!values['no-memory']) {
  console.log(`\nmemory per established call (${memoryCalls} calls held open; heap after gc, RSS):`);
  for (const impl of impls) {
    const m = await measureMemory(impl, memoryCalls, 500, options.log, compiled);
    console.log(
      `  ${m.target}: with INVITE transactions (Accepted, Timer L) heap ${kb(m.heapPerCall)}, RSS ${kb(m.rssPerCall)}; ` +
        `dialog and call only heap ${kb(m.heapPerDialogOnly)}, RSS ${kb(m.rssPerDialogOnly)}`,
    );
  }
}

if (values.profile) {
  const found = results.find((r) => r.target.includes('UA core'))?.sustained ?? 0;
  const rate = Math.max(100, Math.round((found || 800) * 0.8));
  for (const impl of impls) {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-prof-'));
    console.log(`\nCPU profile of the Switchboard UAS (${impl}) at ${rate} cps for 15 s (${dir}):`);
    await withTarget(
      () => SwitchboardTarget.start(impl, dir, compiled),
      async (t) => {
        await runSipp({
          scenario: { builtin: 'uac' },
          remote: `127.0.0.1:${t.port}`,
          transport: 'udp',
          calls: 500,
          rate: 250,
        });
        const s = await runStep(t, rate, 15, undefined);
        console.log(`  ${s.sipp.successful}/${s.calls} calls, retransmissions ${s.sipp.retransmissions}`);
      },
    );
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) console.log(formatProfile(summarizeProfile(join(dir, file), UAS_LAYERS, 15)));
    else console.log('  (no profile written)');
  }
}
console.log(`\nload average at end: ${load()}`);
