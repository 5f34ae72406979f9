/**
 * The highest rate a server sustains in one test of bench/proxy: a low-rate baseline (its
 * retransmissions per call are the reference), then short steps doubling the rate from `start`
 * until one fails, bisection between the last pass and the first failure to within 10 %, then a
 * long confirmation step at the rate found, lowered by 15 % until one passes (a long step is
 * longer than the transactions' wait states, Timer K and the 32 s of Timer L / RFC 6026's
 * Accepted state, when --duration allows it, so that the memory and timers of the steady state
 * are in it). The confirmation step's figures are the result.
 */
import { formatStep, runStep, type StepContext, type StepResult } from './steps.js';

export interface SearchOptions {
  readonly start: number;
  readonly max: number;
  readonly shortSeconds: number;
  readonly confirmSeconds: number;
  readonly log: (line: string) => void;
}

export interface SearchResult {
  readonly baseline: StepResult;
  readonly steps: readonly StepResult[];
  /** The confirmed rate, 0 when none passed. */
  readonly sustained: number;
  readonly confirmation: StepResult | undefined;
}

export async function searchRate(ctx: StepContext, o: SearchOptions): Promise<SearchResult> {
  const steps: StepResult[] = [];
  const baseline = await runStep(ctx, Math.max(10, Math.round(o.start / 4)), Math.min(5, o.shortSeconds), undefined);
  o.log(`  baseline ${formatStep(baseline)}`);
  if (!baseline.pass) return { baseline, steps, sustained: 0, confirmation: undefined };
  const step = async (rate: number, seconds: number): Promise<StepResult> => {
    const s = await runStep(ctx, rate, seconds, baseline.retransPerCall);
    steps.push(s);
    o.log(`  ${formatStep(s)}`);
    return s;
  };
  let pass = 0;
  let fail = 0;
  for (let rate = o.start; rate <= o.max; rate *= 2) {
    if ((await step(rate, o.shortSeconds)).pass) pass = rate;
    else {
      fail = rate;
      break;
    }
  }
  if (fail === 0) fail = o.max * 2;
  while (pass > 0 && fail / pass > 1.1) {
    const mid = Math.round((pass + fail) / 2);
    if ((await step(mid, o.shortSeconds)).pass) pass = mid;
    else fail = mid;
  }
  if (pass === 0) pass = Math.round(o.start / 2);
  for (let attempt = 0; attempt < 6 && pass >= 10; attempt++) {
    const s = await step(pass, o.confirmSeconds);
    if (s.pass) return { baseline, steps, sustained: pass, confirmation: s };
    pass = Math.round(pass * 0.85);
  }
  return { baseline, steps, sustained: 0, confirmation: undefined };
}
