/**
 * The first half of every rate search in bench/: double the rate from `start` until a short step
 * fails (or `max` passes), then bisect between the highest pass and the lowest failure to
 * within 10%. Returns the highest short-step rate that passed, or start / 2 when none did.
 * What confirms it (long steps) differs per benchmark and stays with the caller.
 */
export async function highestShortRate(
  passes: (rate: number) => Promise<boolean>,
  start: number,
  max: number,
): Promise<number> {
  let pass = 0;
  let fail = 0;
  for (let rate = start; rate <= max; rate *= 2) {
    if (await passes(rate)) pass = rate;
    else {
      fail = rate;
      break;
    }
  }
  if (fail === 0) fail = max * 2;
  while (pass > 0 && fail / pass > 1.1) {
    const mid = Math.round((pass + fail) / 2);
    if (await passes(mid)) pass = mid;
    else fail = mid;
  }
  return pass === 0 ? Math.round(start / 2) : pass;
}
