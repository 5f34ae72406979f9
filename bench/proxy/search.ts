/**
 * The highest rate a server sustains in one test of bench/proxy: a low-rate baseline (its
 * retransmissions per call are the reference), then short steps doubling the rate from `start`
 * until one fails, bisection between the last pass and the first failure to within 10 %, then
 * long steps: from that rate down by 30 % until one passes, then bisection between the highest
 * long pass and the lowest long failure to within 10 %. A long step (--duration, 40 s by
 * default) outlasts the transactions' wait states (Timer J, L and M: 64 x T1 = 32 s), so that
 * the memory and timers of the steady state are in it: a rate that a short step sustains may
 * not survive it. The highest passing long step's figures are the result.
 */
import { highestShortRate } from '../common/short-search.js';
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
  const pass = await highestShortRate(async (r) => (await step(r, o.shortSeconds)).pass, o.start, o.max);
  // Long steps: from the short-step rate down by 30 % until one passes, then bisect between the
  // highest long pass and the lowest long failure to within 10 %.
  let lo: StepResult | undefined;
  let hi = 0;
  let rate = pass;
  for (let attempt = 0; attempt < 10 && rate >= 5; attempt++) {
    const s = await step(rate, o.confirmSeconds);
    if (s.pass) lo = s;
    else hi = rate;
    if (lo !== undefined && (hi === 0 || hi / lo.rate <= 1.1)) break;
    rate = lo === undefined ? Math.round(rate * 0.7) : Math.round((lo.rate + hi) / 2);
  }
  return { baseline, steps, sustained: lo?.rate ?? 0, confirmation: lo };
}
