/**
 * Proxy and registrar benchmark (issue 6): Switchboard's `server` (proxy + registrar on one UDP
 * port) against Kamailio configured by the bench as a transaction-stateful, record-routing proxy
 * and registrar with an in-memory location table, in the same run, on the same machine, with
 * the same SIPp scenarios and the same UDP receive buffer. Three tests, each server started
 * fresh for each (for the register tests, fresh for each step: every step starts from an empty
 * location table, after a warm-up of 3,000 registrations):
 *
 * - calls: SIPp UAC -> proxy -> SIPp UAS (registered at the proxy): INVITE, 100, 180, 200, ACK,
 *   pause, BYE, 200, with Record-Route so that ACK and BYE traverse the proxy;
 * - register: REGISTER transactions without digest, one unique user each;
 * - register-digest: registrations with digest (401, then REGISTER with Authorization).
 *
 * For each, the highest rate sustained with no failed call and no retransmission growth
 * (search.ts, steps.ts), the server's CPU time per call (all its processes), and the ratio
 * Switchboard / Kamailio. Optionally (--ceiling, on by default for calls) SIPp UAC -> SIPp UAS
 * directly: the generator's own limit on this machine. Exits 1 when a test could not run.
 *
 *   node --import tsx bench/proxy/run.ts [--duration S] [--short S] [--only switchboard|kamailio]
 *        [--tests calls,register,register-digest] [--rcvbuf BYTES] [--children N] [--workers N]
 *        [--hold-ms MS] [--no-ceiling] [--profile [--profile-rate R]] [--show-config] [--tsx]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../test/helpers/paths.js';
import { freePort, sipp } from '../../test/helpers/sipp.js';
import { formatProfile, summarizeProfile } from '../common/cpu-profile.js';
import { compileServer } from './compile.js';
import {
  formatPerf,
  PERF_MISSING,
  type PerfRecording,
  perfAvailable,
  startPerf,
  summarizePerf,
} from './perf-profile.js';
import { PROXY_LAYERS } from './profile-summary.js';
import { type SearchResult, searchRate } from './search.js';
import {
  type AuthMode,
  KamailioServer,
  kamailioBinary,
  receiveBuffers,
  type ServerUnderTest,
  SwitchboardServer,
} from './servers.js';
import { formatStep, registerCallee, runStep, type StepContext, type TestKind } from './steps.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    short: { type: 'string' },
    only: { type: 'string' },
    tests: { type: 'string' },
    rcvbuf: { type: 'string' },
    children: { type: 'string' },
    workers: { type: 'string' },
    'hold-ms': { type: 'string' },
    'start-calls': { type: 'string' },
    'start-register': { type: 'string' },
    max: { type: 'string' },
    'no-ceiling': { type: 'boolean' },
    profile: { type: 'boolean' },
    'profile-rate': { type: 'string' },
    'show-config': { type: 'boolean' },
    tsx: { type: 'boolean' },
  },
});

const TESTS: readonly TestKind[] = ['calls', 'register', 'register-digest'];
const only = values.only;
if (only !== undefined && only !== 'switchboard' && only !== 'kamailio') {
  console.error('--only: expected switchboard or kamailio');
  process.exit(2);
}
const tests = (values.tests ?? TESTS.join(',')).split(',').map((t) => t.trim()) as TestKind[];
for (const t of tests) {
  if (!TESTS.includes(t)) {
    console.error(`--tests: unknown test "${t}" (expected ${TESTS.join(', ')})`);
    process.exit(2);
  }
}
const confirmSeconds = Number(values.duration ?? 40);
const shortSeconds = Number(values.short ?? Math.min(6, confirmSeconds));
const receiveBuffer = Number(values.rcvbuf ?? 4 * 1024 * 1024);
const children = Number(values.children ?? 2);
const workers = Number(values.workers ?? 1);
const holdMs = Number(values['hold-ms'] ?? 1000);
const password = 'bench-secret';
const servers = only === undefined ? (['switchboard', 'kamailio'] as const) : ([only] as const);

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const readProc = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return 'n/a';
  }
};

// Peers first: a missing program is one line saying how to install it.
let sippVersion: string;
let kamailioVersion = 'not used';
try {
  sippVersion = sipp().version;
  if (servers.includes('kamailio' as never)) kamailioVersion = kamailioBinary().version;
} catch (err) {
  console.error(`bench/proxy: ${(err as Error).message}`);
  process.exit(1);
}

console.log(
  `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${sippVersion}; ${kamailioVersion}`,
);
console.log(
  `net.core.rmem_max ${readProc('/proc/sys/net/core/rmem_max')}, rmem_default ${readProc('/proc/sys/net/core/rmem_default')}; ` +
    `UDP receive buffer asked of both servers: ${receiveBuffer} bytes (SO_RCVBUF; Kamailio maxbuffer)`,
);
console.log(`load average at start: ${load()}`);

const script = values.tsx ? join(repoRoot, 'bench', 'proxy', 'switchboard-server.ts') : compileServer();
console.log(`Switchboard server: ${values.tsx ? 'TypeScript through tsx' : `compiled with tsc: ${script}`}`);
if (values['show-config']) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-kamailio-cfg-'));
  const cfg = KamailioServer.writeConfig(dir, 5060, { mode: 'digest', receiveBuffer, password, children });
  console.log(
    `\n--- generated kamailio.cfg (port 5060; digest with -A WITH_AUTH) ---\n${readFileSync(cfg, 'utf8')}---`,
  );
  rmSync(dir, { recursive: true, force: true });
}

const scratch = mkdtempSync(join(tmpdir(), 'switchboard-bench-proxy-'));
const modeOf = (t: TestKind): AuthMode => (t === 'register-digest' ? 'digest' : 'plain');

async function startServer(which: 'switchboard' | 'kamailio', mode: AuthMode): Promise<ServerUnderTest> {
  const common = { mode, receiveBuffer, password };
  return which === 'switchboard'
    ? SwitchboardServer.start(script, { ...common, workers })
    : KamailioServer.start({ ...common, children });
}

/** SIPp UAC straight to SIPp UAS, for the generator's ceiling: the UAS is the "server". */
function directTarget(port: number): ServerUnderTest {
  return { name: 'SIPp UAS directly', port, layout: 'no proxy', pids: () => [], cpuMs: () => 0, stop: async () => {} };
}

interface Outcome {
  readonly test: TestKind;
  readonly server: string;
  readonly result?: SearchResult;
  readonly error?: string;
}

const outcomes: Outcome[] = [];
const startFor = (t: TestKind): number =>
  t === 'calls' ? Number(values['start-calls'] ?? 100) : Number(values['start-register'] ?? 200);
const searchOptions = (t: TestKind) => ({
  start: startFor(t),
  max: Number(values.max ?? 25_600),
  shortSeconds,
  confirmSeconds,
  log: (line: string) => console.log(line),
});

for (const test of tests) {
  if (test === 'calls' && !values['no-ceiling']) {
    console.log(`\n[calls] SIPp UAC -> SIPp UAS, no proxy (the generator's ceiling); load ${load()}`);
    const calleePort = await freePort();
    const ctx: StepContext = {
      kind: 'calls',
      server: directTarget(calleePort),
      calleePort,
      holdMs,
      userPrefix: 'direct',
      password,
      dir: scratch,
    };
    try {
      outcomes.push({ test, server: 'SIPp only', result: await searchRate(ctx, searchOptions(test)) });
    } catch (err) {
      outcomes.push({ test, server: 'SIPp only', error: (err as Error).message });
      console.log(`  could not run: ${(err as Error).message}`);
    }
  }
  for (const which of servers) {
    const label = which === 'switchboard' ? 'Switchboard' : 'Kamailio';
    console.log(`\n[${test}] ${label}; load ${load()}`);
    let ctx: StepContext | undefined;
    let first: ServerUnderTest | undefined;
    try {
      const server = await startServer(which, modeOf(test));
      first = server;
      console.log(
        `  ${server.layout}; port ${server.port}; socket receive buffer (ss rb) ${receiveBuffers(server.port).join(', ') || 'n/a'}`,
      );
      const calleePort = await freePort();
      if (test === 'calls') await registerCallee(server, calleePort, scratch);
      const fresh = async (): Promise<ServerUnderTest> => {
        await ctx?.server.stop();
        return startServer(which, modeOf(test));
      };
      ctx = {
        kind: test,
        server,
        ...(test === 'calls' ? {} : { restart: fresh }),
        calleePort,
        holdMs,
        userPrefix: which === 'switchboard' ? 'sb' : 'ka',
        password,
        dir: scratch,
      };
      outcomes.push({ test, server: label, result: await searchRate(ctx, searchOptions(test)) });
    } catch (err) {
      const message = (err as Error).message;
      outcomes.push({ test, server: label, error: message });
      console.log(`  could not run: ${message}`);
    } finally {
      await (ctx?.server ?? first)?.stop();
    }
  }
}

// The table.
const perCall = (r: SearchResult | undefined): number | undefined => {
  const c = r?.confirmation;
  return c ? (c.serverCpuMs / c.calls) * 1000 : undefined;
};
const unitOf = (t: TestKind): string =>
  t === 'calls' ? 'calls/s' : t === 'register' ? 'REGISTER/s' : 'registrations/s (2 REGISTERs each)';
console.log(
  `\nsustained rates (0 failed, no retransmission growth, confirmed over ${confirmSeconds} s), server CPU time per call:`,
);
let failed = false;
for (const test of tests) {
  console.log(`  ${test} (${unitOf(test)}):`);
  const rows = outcomes.filter((o) => o.test === test);
  for (const o of rows) {
    if (o.error !== undefined || o.result === undefined) {
      failed = true;
      console.log(`    ${o.server.padEnd(18)} could not run: ${o.error?.split('\n')[0]}`);
      continue;
    }
    const c = o.result.confirmation;
    const cpu = perCall(o.result);
    const util = c ? ((c.serverCpuMs / 1000 / c.seconds) * 100).toFixed(0) : '-';
    console.log(
      `    ${o.server.padEnd(18)} ${String(o.result.sustained).padStart(6)}/s` +
        (o.server === 'SIPp only'
          ? ''
          : `  CPU ${cpu === undefined ? '-' : `${cpu.toFixed(0)} us`} per call (${util} % of one core at that rate)`) +
        (c
          ? `  SIPp ${((c.sippCpuMs / c.calls) * 1000).toFixed(0)} us/call  load ${c.load.map((l) => l.toFixed(1)).join('-')}`
          : ''),
    );
  }
  const sb = rows.find((o) => o.server === 'Switchboard')?.result;
  const ka = rows.find((o) => o.server === 'Kamailio')?.result;
  if (sb && ka && ka.sustained > 0) {
    const cpuSb = perCall(sb);
    const cpuKa = perCall(ka);
    console.log(
      `    ratio Switchboard/Kamailio: rate ${(sb.sustained / ka.sustained).toFixed(2)}` +
        (cpuSb !== undefined && cpuKa !== undefined ? `, CPU per call ${(cpuSb / cpuKa).toFixed(2)}` : ''),
    );
  }
}

if (values.profile && tests.includes('calls') && servers.includes('switchboard' as never)) {
  const found = outcomes.find((o) => o.test === 'calls' && o.server === 'Switchboard')?.result?.sustained ?? 0;
  const rate = Number(values['profile-rate'] ?? Math.max(50, Math.round((found || 150) * 0.8)));
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-proxy-prof-'));
  const withPerf = perfAvailable();
  console.log(`\nProfiles of the Switchboard server, calls at ${rate}/s for 15 s (${dir}):`);
  const server = await SwitchboardServer.start(script, {
    mode: 'plain',
    receiveBuffer,
    password,
    workers,
    profileDir: dir,
    perfMap: withPerf,
  });
  let perf: PerfRecording | undefined;
  try {
    const calleePort = await freePort();
    await registerCallee(server, calleePort, scratch);
    const ctx: StepContext = {
      kind: 'calls',
      server,
      calleePort,
      holdMs,
      userPrefix: 'prof',
      password,
      dir: scratch,
    };
    // Warm up (JIT) before recording.
    await runStep(ctx, rate, 5, undefined);
    if (withPerf) perf = startPerf(server.pids(), join(dir, 'perf.data'));
    console.log(`  ${formatStep(await runStep(ctx, rate, 15, undefined))}`);
    await perf?.stop();
    // Before the server stops: perf names JavaScript functions from its /tmp/perf-PID.map.
    if (withPerf) console.log(formatPerf(summarizePerf(join(dir, 'perf.data'))));
    else console.log(`  (${PERF_MISSING}: no on-CPU profile)`);
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  console.log(
    '  node --cpu-prof of the same run (the main thread only; its sampler counts time the thread was preempted,',
  );
  console.log('  e.g. right after a sendto woke the peer, to the function it stopped in, so doSend is overstated):');
  console.log(file ? formatProfile(summarizeProfile(join(dir, file), PROXY_LAYERS), '  ') : '  (no profile written)');
}

rmSync(scratch, { recursive: true, force: true });
console.log(`\nload average at end: ${load()}`);
process.exit(failed ? 1 : 0);
