/**
 * Finds the highest call rate SIPp's UAC (built-in `uac`: INVITE, 100/180, 200, ACK, BYE, 200)
 * sustains against a target UAS: a step at rate R places R x seconds calls and passes when SIPp
 * exits 0 with every call successful, achieves at least 90% of R, and retransmits no more per
 * call than at a low-rate baseline (+1 per 1,000 calls: on loopback a retransmission means a
 * response came later than T1 = 500 ms, i.e. overload). The search doubles the rate until a step
 * fails, bisects between the last pass and the first failure with short steps, then confirms
 * with a long step (longer than 64*T1, so that transactions in their wait states — Timer J,
 * Timer L — reach their steady-state numbers), lowering the rate by 20% until one passes. A
 * failed step is followed by a fresh UAS process, warmed up, so that no step inherits the calls a
 * failed one left timing out.
 */

import { runSipp, type SippResult } from '../../test/helpers/sipp.js';
import { highestShortRate } from '../common/short-search.js';
import type { Target } from './targets.js';

export interface StepResult {
  readonly rate: number;
  readonly seconds: number;
  readonly calls: number;
  readonly sipp: SippResult;
  readonly achieved: number;
  readonly retransPerCall: number;
  /** CPU ms per call of the UAS and of SIPp's UAC during the step. */
  readonly uasCpuPerCall: number;
  readonly uacCpuPerCall: number;
  readonly wallSeconds: number;
  /** The UAS's event-loop delay during the step (Switchboard only), ms. */
  readonly loopDelay: { readonly p99: number; readonly max: number } | undefined;
  readonly pass: boolean;
  readonly why: string;
}

export interface SearchOptions {
  readonly start: number;
  readonly max: number;
  readonly shortSeconds: number;
  readonly confirmSeconds: number;
  readonly log: (line: string) => void;
}

export interface SearchResult {
  readonly target: string;
  readonly baseline: StepResult;
  readonly steps: readonly StepResult[];
  /** The confirmed sustained rate (0 when even the start rate failed). */
  readonly sustained: number;
  readonly confirmation: StepResult | undefined;
}

export async function runStep(
  target: Target,
  rate: number,
  seconds: number,
  baselineRetrans: number | undefined,
): Promise<StepResult> {
  await target.idle();
  const calls = Math.max(1, Math.round(rate * seconds));
  const cpu0 = await target.cpuMs();
  await target.loopDelay();
  const t0 = performance.now();
  const sipp = await runSipp({
    scenario: { builtin: 'uac' },
    remote: `127.0.0.1:${target.port}`,
    transport: 'udp',
    calls,
    rate,
    limit: Math.max(200, rate * 5),
    timeoutS: seconds + 90,
    traceErrors: false,
    extraArgs: ['-buff_size', '4194304'],
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = await target.cpuMs();
  const loopDelay = await target.loopDelay();
  const achieved = Number(sipp.stats['CallRate(C)'] ?? 0) || 0;
  const retransPerCall = sipp.retransmissions / calls;
  const problems: string[] = [];
  if (sipp.exitCode !== 0) problems.push(`sipp exit ${sipp.exitCode ?? sipp.signal}`);
  if (sipp.failed > 0) problems.push(`${sipp.failed} failed calls`);
  if (sipp.successful !== calls) problems.push(`${sipp.successful}/${calls} successful`);
  if (achieved < rate * 0.9) problems.push(`achieved ${achieved.toFixed(0)} cps`);
  if (baselineRetrans !== undefined && retransPerCall > baselineRetrans + 0.001)
    problems.push(`retransmissions ${sipp.retransmissions} (${(retransPerCall * 1000).toFixed(1)}/1000 calls)`);
  return {
    rate,
    seconds,
    calls,
    sipp,
    achieved,
    retransPerCall,
    uasCpuPerCall: (cpu1 - cpu0) / calls,
    uacCpuPerCall: (sipp.cpuMs ?? 0) / calls,
    wallSeconds,
    loopDelay,
    pass: problems.length === 0,
    why: problems.join(', ') || 'ok',
  };
}

export function formatStep(s: StepResult): string {
  return [
    `${String(s.rate).padStart(6)} cps x ${String(s.seconds).padStart(3)} s`,
    `${String(s.sipp.successful).padStart(7)}/${String(s.calls).padEnd(7)} ok`,
    `retrans ${String(s.sipp.retransmissions).padStart(5)}`,
    `achieved ${s.achieved.toFixed(0).padStart(6)} cps`,
    `CPU/call UAS ${(s.uasCpuPerCall * 1000).toFixed(0).padStart(5)} us, SIPp UAC ${(s.uacCpuPerCall * 1000).toFixed(0).padStart(5)} us`,
    ...(s.loopDelay ? [`loop delay p99 ${s.loopDelay.p99.toFixed(0)} ms, max ${s.loopDelay.max.toFixed(0)} ms`] : []),
    s.pass ? 'PASS' : `FAIL (${s.why})`,
  ].join('  ');
}

/** A few hundred calls at a low rate: JIT, socket buffers and lazily built tables warmed up. */
async function warmUp(target: Target): Promise<void> {
  await runSipp({
    scenario: { builtin: 'uac' },
    remote: `127.0.0.1:${target.port}`,
    transport: 'udp',
    calls: 400,
    rate: 200,
    timeoutS: 60,
  });
}

/**
 * Runs the search against fresh targets from `start`: a failed step leaves a UAS full of calls
 * that time out and retransmit, so the next step gets a new process (warmed up like the first).
 */
export async function searchRate(start: () => Promise<Target>, options: SearchOptions): Promise<SearchResult> {
  const { log } = options;
  const fresh = async (): Promise<Target> => {
    const t = await start();
    await warmUp(t);
    return t;
  };
  let target = await fresh();
  const name = target.name;
  const steps: StepResult[] = [];
  try {
    const baseline = await runStep(target, Math.max(10, Math.round(options.start / 4)), 5, undefined);
    log(`  baseline ${formatStep(baseline)}`);
    if (!baseline.pass) return { target: name, baseline, steps, sustained: 0, confirmation: undefined };
    const base = baseline.retransPerCall;
    const step = async (rate: number, seconds: number): Promise<StepResult> => {
      const s = await runStep(target, rate, seconds, base);
      steps.push(s);
      log(`  ${formatStep(s)}`);
      if (!s.pass) {
        await target.stop();
        target = await fresh();
      }
      return s;
    };
    let pass = await highestShortRate(
      async (r) => (await step(r, options.shortSeconds)).pass,
      options.start,
      options.max,
    );
    // Confirm with a long step; lower by 20% on failure.
    const floor = Math.max(10, Math.round(options.start / 4));
    for (let attempt = 0; attempt < 8 && pass >= floor; attempt++) {
      const s = await step(pass, options.confirmSeconds);
      if (s.pass) return { target: name, baseline, steps, sustained: pass, confirmation: s };
      pass = Math.round(pass * 0.8);
    }
    return { target: name, baseline, steps, sustained: 0, confirmation: undefined };
  } finally {
    await target.stop();
  }
}
