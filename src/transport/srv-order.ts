/**
 * RFC 2782 target selection: SRV records in ascending priority; within one priority, a weighted
 * random order ("arrange all SRV RRs (that have not been ordered yet) in any order, except that
 * all those with weight 0 are placed at the beginning of the list. Compute the sum of the
 * weights ... choose a uniform random number between 0 and the sum computed (inclusive), and
 * select the RR whose running sum value is the first in the selected order which is greater
 * than or equal to the random number selected"), repeated until every record is ordered.
 * A target of "." means the service is decidedly not available at this domain.
 */
export interface SrvLike {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly name: string;
}

/** Orders SRV records for trying; `random` returns a number in [0, 1). Records with target "." are dropped. */
export function orderSrv<T extends SrvLike>(records: readonly T[], random: () => number = Math.random): T[] {
  const usable = records.filter((r) => r.name !== '.' && r.name !== '');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: T[] = [];
  for (const priority of priorities) {
    const group = usable.filter((r) => r.priority === priority);
    const remaining = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)];
    while (remaining.length > 0) {
      const sum = remaining.reduce((s, r) => s + r.weight, 0);
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      let index = remaining.length - 1;
      for (let i = 0; i < remaining.length; i++) {
        running += (remaining[i] as T).weight;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      out.push(remaining[index] as T);
      remaining.splice(index, 1);
    }
  }
  return out;
}
