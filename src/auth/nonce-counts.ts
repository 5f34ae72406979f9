/**
 * Replay protection for nonce counts (RFC 7616 section 3.4: "the server can detect request replays
 * by maintaining its own copy of this count - if the same nc-value is seen twice, then the request
 * is a replay"). For each nonce in use the highest nc accepted so far is kept; an nc not above it
 * is a replay (or a reordered request, which the client recovers from through stale=true).
 *
 * Memory is bounded: entries are kept in least-recently-used order, dropped when their nonce
 * expires, and evicted beyond `capacity`. Evicting an entry whose nonce is still alive would let
 * its old counts be replayed, so the tracker remembers the issue time of the newest nonce it ever
 * evicted early and answers 'forgotten' for any nonce issued at or before it that it no longer
 * tracks: the server then asks for a fresh nonce (stale=true) rather than trusting it. Issue
 * order is the nonce's timestamp and sequence (NonceCheck.order), so that nonces issued within
 * the same millisecond are still told apart.
 */

export type NonceCountVerdict = 'ok' | 'replay' | 'forgotten';

interface Entry {
  highest: number;
  readonly order: bigint;
  readonly expiresAt: number;
}

export class NonceCountTracker {
  readonly #entries = new Map<string, Entry>();
  /** Nonces issued at or before this order may have been evicted while alive. */
  #forgottenUpTo = -1n;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records nc for the nonce if it is above every count seen with it. `order` (issue order) and
   * `expiresAt` (ms, wall clock) come from the verified nonce; `now` is the current wall-clock time.
   */
  accept(nonce: string, nc: number, order: bigint, expiresAt: number, now: number): NonceCountVerdict {
    this.#dropExpired(now);
    const entry = this.#entries.get(nonce);
    if (entry === undefined) {
      if (order <= this.#forgottenUpTo) return 'forgotten';
      this.#entries.set(nonce, { highest: nc, order, expiresAt });
      this.#evict(now);
      return 'ok';
    }
    if (nc <= entry.highest) return 'replay';
    entry.highest = nc;
    // Move to the most recently used end.
    this.#entries.delete(nonce);
    this.#entries.set(nonce, entry);
    return 'ok';
  }

  /** Drops entries whose nonce has expired, from the least recently used end. */
  #dropExpired(now: number): void {
    for (const [nonce, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(nonce);
    }
  }

  #evict(now: number): void {
    while (this.#entries.size > this.capacity) {
      const first = this.#entries.entries().next();
      if (first.done) return;
      const [nonce, entry] = first.value;
      this.#entries.delete(nonce);
      if (entry.expiresAt > now && entry.order > this.#forgottenUpTo) this.#forgottenUpTo = entry.order;
    }
  }
}
