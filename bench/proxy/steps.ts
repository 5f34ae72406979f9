/**
 * One step of bench/proxy: SIPp offers a fixed rate for a fixed time to a server and the step
 * passes or fails.
 *
 * - calls: SIPp UAS (uas.xml) on the callee's port, registered at the server as
 *   sip:callee@server before the test (register.xml run once from that port), and SIPp UAC
 *   (uac.xml) calling sip:callee@server at R calls/s for S seconds; a fresh UAS per step, told
 *   to expect exactly R x S calls, so that both sides' counters belong to the step.
 * - register / register-digest: SIPp (register.xml, register-auth.xml) registering R x S users
 *   unique in the whole run (injection file) at R registrations/s.
 *
 * A step passes when SIPp exits 0 with every call successful and none failed, the calls were
 * created at >= 90 % of R (from the periodic statistics: the time the last call was created,
 * not the tail of the last call), and the retransmissions per call (UAC and UAS together) are no
 * more than at the low-rate baseline + 1 per 1,000 calls (on loopback a retransmission means a
 * message waited 500 ms: overload). The server's CPU time over the step (until its CPU is quiet
 * again), the datagrams the kernel dropped on its socket, and the load average are recorded.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../src/util/clock.js';
import { type SippResult, startSipp } from '../../test/helpers/sipp.js';
import { pause, type ServerSample, type ServerUnderTest, udpDrops } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const clock = new RealClock();
const BUFF = ['-buff_size', String(4 * 1024 * 1024)];

export type TestKind = 'calls' | 'register' | 'register-digest';

export interface StepContext {
  readonly kind: TestKind;
  /** Replaced before each step when `restart` is given. */
  server: ServerUnderTest;
  /**
   * Stops the server and starts a fresh one (register tests: every step starts from an empty
   * location table, the same for both servers whatever their search path), warmed up with
   * WARMUP registrations before the step is measured.
   */
  readonly restart?: () => Promise<ServerUnderTest>;
  /** calls: the UAS's port (registered as sip:callee@server). */
  readonly calleePort: number;
  /** calls: ms between ACK and BYE. */
  readonly holdMs: number;
  /** Prefix that keeps user names unique in the run (register tests). */
  readonly userPrefix: string;
  readonly password: string;
  /** Scratch folder for injection files. */
  readonly dir: string;
}

export interface StepResult {
  readonly rate: number;
  readonly seconds: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  /** Calls created per second until the last one was created. */
  readonly created: number;
  readonly retransmissions: number;
  readonly retransPerCall: number;
  /** Server CPU ms over the step (until quiet). */
  readonly serverCpuMs: number;
  /** SIPp's CPU ms (UAC + UAS). */
  readonly sippCpuMs: number;
  readonly drops: number;
  /** 1-minute load average at the start and the end. */
  readonly load: readonly [number, number];
  /** The server's memory and state right after the step (Switchboard, one process). */
  readonly sample: ServerSample | undefined;
  readonly pass: boolean;
  readonly why: string;
}

let stepNumber = 0;

/** Waits until the server's CPU grows by less than 25 ms over 500 ms, at most maxMs. */
export async function waitQuiet(server: ServerUnderTest, maxMs = 30_000): Promise<void> {
  const deadline = clock.now() + maxMs;
  let last = server.cpuMs();
  while (clock.now() < deadline) {
    await pause(500);
    const now = server.cpuMs();
    if (now - last < 25) return;
    last = now;
  }
}

/** Epoch seconds of a SIPp time cell ("2026-11-21\t07:08:55.674532\t1795244935.674532"). */
function epoch(cell: string | undefined): number {
  const parts = (cell ?? '').split('\t');
  return Number(parts[parts.length - 1]);
}

/**
 * Calls per second until the last of `calls` was created, from SIPp's -trace_stat periodic lines
 * (one a second): the moment the total reached `calls` is interpolated between the two lines
 * around it.
 */
function creationRate(statsCsv: string, calls: number): number {
  const lines = statsCsv.split('\n').filter((l) => l.trim().length > 0);
  const header = (lines[0] ?? '').split(';');
  const iStart = header.indexOf('StartTime');
  const iNow = header.indexOf('CurrentTime');
  const iTotal = header.indexOf('TotalCallCreated');
  let before = { t: 0, total: 0 };
  for (const line of lines.slice(1)) {
    const cols = line.split(';');
    const t = epoch(cols[iNow]) - epoch(cols[iStart]);
    const total = Number(cols[iTotal]) || 0;
    if (total >= calls) {
      const last =
        total > before.total ? before.t + ((calls - before.total) / (total - before.total)) * (t - before.t) : t;
      // The first call is created at 0, the last at (calls - 1) / rate.
      return last > 0 ? (calls - 1) / last : 0;
    }
    before = { t, total };
  }
  return 0;
}

function readStats(r: SippResult): string {
  try {
    return readFileSync(join(r.dir, 'stats.csv'), 'utf8');
  } catch {
    return '';
  }
}

/** Registers sip:callee@server with Contact sip:callee@127.0.0.1:calleePort (SIPp from that port). */
export async function registerCallee(server: ServerUnderTest, calleePort: number, dir: string): Promise<void> {
  const inf = join(dir, 'callee.csv');
  writeFileSync(inf, 'SEQUENTIAL\ncallee\n');
  const run = await startSipp({
    scenario: { file: join(here, 'register.xml') },
    remote: `127.0.0.1:${server.port}`,
    transport: 'udp',
    port: calleePort,
    calls: 1,
    timeoutS: 10,
    extraArgs: ['-inf', inf],
  });
  const r = await run.result;
  if (r.exitCode !== 0 || r.successful !== 1) {
    throw new Error(
      `registering the callee at ${server.name} failed (SIPp exit ${r.exitCode}): ${r.errors.slice(-500)}`,
    );
  }
}

/** Registrations (at WARMUP_RATE/s) sent to a fresh server before a register step: JIT warm-up. */
const WARMUP = 3000;
const WARMUP_RATE = 1000;

function injectionFile(ctx: StepContext, name: string, prefix: string, count: number): string {
  const inf = join(ctx.dir, name);
  const users: string[] = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) {
    const user = `${prefix}u${i}`;
    users.push(`${user};[authentication username=${user} password=${ctx.password}]`);
  }
  writeFileSync(inf, `${users.join('\n')}\n`);
  return inf;
}

async function warmUp(ctx: StepContext, n: number): Promise<void> {
  const inf = injectionFile(ctx, `warmup-${n}.csv`, `${ctx.userPrefix}w${n}`, WARMUP);
  const r = await (
    await startSipp({
      scenario: { file: join(here, ctx.kind === 'register' ? 'register.xml' : 'register-auth.xml') },
      remote: `127.0.0.1:${ctx.server.port}`,
      transport: 'udp',
      calls: WARMUP,
      rate: WARMUP_RATE,
      timeoutS: 60,
      extraArgs: ['-inf', inf, ...BUFF],
    })
  ).result;
  rmSync(inf, { force: true });
  if (r.exitCode !== 0) throw new Error(`warm-up of ${ctx.server.name} failed: ${summarizeErrors(r.errors)}`);
}

/** What went wrong in a SIPp run, from its -trace_err log: counts by kind. */
export function summarizeErrors(text: string): string {
  const kinds = new Map<string, number>();
  const add = (k: string): void => {
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  };
  for (const m of text.matchAll(
    /Aborting call on unexpected message[^']*'[^']*' \(index \d+\), received '(SIP\/2\.0 \d+[^\r\n]*|[A-Z]+ )/g,
  )) {
    add(`unexpected ${(m[1] as string).trim()}`);
  }
  for (const _ of text.matchAll(/Aborting call on UDP retransmission timeout/g)) add('retransmission timeout');
  for (const _ of text.matchAll(/Dead call [^ ]+ \(successful\)/g)) add('message after the call ended');
  return (
    [...kinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${v}x ${k}`)
      .join('; ') || 'no SIPp error log'
  );
}

export async function runStep(
  ctx: StepContext,
  rate: number,
  seconds: number,
  baselineRetrans: number | undefined,
): Promise<StepResult> {
  const n = ++stepNumber;
  if (ctx.restart) {
    ctx.server = await ctx.restart();
    await warmUp(ctx, n);
  }
  await waitQuiet(ctx.server);
  const calls = Math.max(1, Math.round(rate * seconds));
  const load0 = loadavg()[0] ?? 0;
  const drops0 = udpDrops(ctx.server.port);
  const cpu0 = ctx.server.cpuMs();
  let uac: SippResult;
  let uas: SippResult | undefined;
  const timeoutS = seconds + 60;
  if (ctx.kind === 'calls') {
    const uasRun = await startSipp({
      scenario: { file: join(here, 'uas.xml') },
      transport: 'udp',
      port: ctx.calleePort,
      calls,
      durationMs: 1000,
      timeoutS: timeoutS + 30,
      extraArgs: ['-s', 'callee', ...BUFF],
    });
    await uasRun.ready;
    uac = await (
      await startSipp({
        scenario: { file: join(here, 'uac.xml') },
        remote: `127.0.0.1:${ctx.server.port}`,
        transport: 'udp',
        calls,
        rate,
        limit: Math.max(500, Math.round(rate * (ctx.holdMs / 1000 + 10))),
        durationMs: ctx.holdMs,
        timeoutS,
        keepFiles: true,
        extraArgs: ['-s', 'callee', ...BUFF],
      })
    ).result;
    // The UAS ends by itself after its last call's closing pause; a UAS still waiting for
    // calls that never came is stopped.
    const stopper = clock.setTimer(10_000, () => uasRun.kill('SIGTERM'));
    uas = await uasRun.result;
    stopper.cancel();
  } else {
    const inf = injectionFile(ctx, `users-${n}.csv`, `${ctx.userPrefix}s${n}`, calls);
    uac = await (
      await startSipp({
        scenario: { file: join(here, ctx.kind === 'register' ? 'register.xml' : 'register-auth.xml') },
        remote: `127.0.0.1:${ctx.server.port}`,
        transport: 'udp',
        calls,
        rate,
        limit: Math.max(500, rate * 10),
        timeoutS,
        keepFiles: true,
        extraArgs: ['-inf', inf, ...BUFF],
      })
    ).result;
    rmSync(inf, { force: true });
  }
  const created = creationRate(readStats(uac), calls);
  rmSync(uac.dir, { recursive: true, force: true });
  await waitQuiet(ctx.server);
  const serverCpuMs = ctx.server.cpuMs() - cpu0;
  const drops = udpDrops(ctx.server.port) - drops0;
  const retransmissions = uac.retransmissions + (uas?.retransmissions ?? 0);
  const retransPerCall = retransmissions / calls;
  const problems: string[] = [];
  if (uac.exitCode !== 0) problems.push(`sipp exit ${uac.exitCode ?? uac.signal}`);
  if (uac.failed > 0) problems.push(`${uac.failed} failed`);
  if (uac.successful !== calls) problems.push(`${uac.successful}/${calls} successful`);
  if (uas !== undefined && (uas.failed > 0 || uas.successful !== calls))
    problems.push(`UAS ${uas.successful}/${calls} ok, ${uas.failed} failed`);
  if (created < rate * 0.9) problems.push(`created ${created.toFixed(0)}/s`);
  if (baselineRetrans !== undefined && retransPerCall > baselineRetrans + 0.001)
    problems.push(`retransmissions ${retransmissions} (${(retransPerCall * 1000).toFixed(1)}/1000)`);
  if (uac.failed > 0 || uac.exitCode !== 0) problems.push(`SIPp: ${summarizeErrors(uac.errors)}`);
  const sample = await ctx.server.sample?.();
  return {
    rate,
    seconds,
    calls,
    successful: uac.successful,
    failed: uac.failed,
    created,
    retransmissions,
    retransPerCall,
    serverCpuMs,
    sippCpuMs: (uac.cpuMs ?? 0) + (uas?.cpuMs ?? 0),
    drops,
    load: [load0, loadavg()[0] ?? 0],
    sample,
    pass: problems.length === 0,
    why: problems.join(', ') || 'ok',
  };
}

export function formatStep(s: StepResult): string {
  const unit = 'per call';
  return [
    `${String(s.rate).padStart(6)}/s x ${String(s.seconds).padStart(3)} s`,
    `${String(s.successful).padStart(7)}/${String(s.calls).padEnd(7)} ok`,
    `retrans ${String(s.retransmissions).padStart(5)}`,
    `drops ${String(s.drops).padStart(5)}`,
    `created ${s.created.toFixed(0).padStart(6)}/s`,
    `server CPU ${((s.serverCpuMs / s.calls) * 1000).toFixed(0).padStart(5)} us ${unit}`,
    `SIPp ${((s.sippCpuMs / s.calls) * 1000).toFixed(0).padStart(4)} us`,
    `load ${s.load[0].toFixed(1)}-${s.load[1].toFixed(1)}`,
    s.sample
      ? `heap ${(s.sample.heapUsed / 2 ** 20).toFixed(0)} MB, ${s.sample.serverTransactions + s.sample.clientTransactions} txns, loop delay max ${s.sample.loopDelayMaxMs.toFixed(0)} ms`
      : '',
    s.pass ? 'PASS' : `FAIL (${s.why})`,
  ]
    .filter((x) => x.length > 0)
    .join('  ');
}
