/**
 * The target set of one request (RFC 3261 section 16.5) and the order it is tried in (section
 * 16.6: "If the target set ... is ordered by q-value ... the proxy MAY choose ... sequential
 * search ... parallel search"). Section 16.5: "A URI MUST NOT be added to the target set more
 * than once" — compared with the section 19.1.4 rules, so a 3xx Contact or a hook cannot make
 * the proxy call the same phone twice. Targets of equal q form one group tried in parallel,
 * groups go highest q first (Kamailio t_load_contacts / t_next_contacts), unless the mode says
 * all at once or strictly one by one.
 */
import type { ForkingMode, Target } from './types.js';

function qOf(t: Target): number {
  return t.q ?? 1;
}

export class TargetSet {
  readonly #seen: Target[] = [];
  #pending: Target[] = [];

  constructor(private readonly mode: ForkingMode) {}

  /** Adds the targets not seen before; returns the ones added. */
  add(targets: readonly Target[]): Target[] {
    const added: Target[] = [];
    for (const t of targets) {
      if (this.#seen.some((s) => s.uri.equals(t.uri))) continue;
      this.#seen.push(t);
      added.push(t);
    }
    // Stable sort: equal q keep the order they were given in (the location service's order).
    this.#pending = [...this.#pending, ...added].sort((a, b) => qOf(b) - qOf(a));
    return added;
  }

  /** True when a URI is already in the set (tried, or waiting). */
  has(target: Target): boolean {
    return this.#seen.some((s) => s.uri.equals(target.uri));
  }

  /** Targets not tried yet. */
  get remaining(): number {
    return this.#pending.length;
  }

  /** Every target ever added, in the order added. */
  get all(): readonly Target[] {
    return this.#seen;
  }

  /** The next targets to try together, taken out of the set; empty when none are left. */
  nextGroup(): Target[] {
    if (this.#pending.length === 0) return [];
    let count: number;
    if (this.mode === 'parallel') count = this.#pending.length;
    else if (this.mode === 'sequential') count = 1;
    else {
      const top = qOf(this.#pending[0] as Target);
      count = this.#pending.findIndex((t) => qOf(t) !== top);
      if (count < 0) count = this.#pending.length;
    }
    return this.#pending.splice(0, count);
  }

  /** Puts targets back at the front (Max-Breadth allowed only part of a group now). */
  requeue(targets: readonly Target[]): void {
    this.#pending = [...targets, ...this.#pending];
  }

  /** Forgets the targets not tried yet (a 6xx, a 2xx or a CANCEL ends the search). */
  clear(): void {
    this.#pending = [];
  }
}
