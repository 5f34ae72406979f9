/**
 * A DNS answer cache on the injected Clock: entries live for their TTL (capped), negative answers
 * (no such name, no records of the type) for a configured time (RFC 2308 negative caching), and
 * concurrent lookups of the same key share one query.
 */
import type { Clock } from '../util/clock.js';

interface Entry<T> {
  readonly expiresAt: number;
  readonly value: T;
}

export class DnsCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The cached value for key, or the result of `load`, cached for the seconds `ttlOf` returns
   * (0: not cached).
   */
  async get<T>(key: string, load: () => Promise<T>, ttlOf: (value: T) => number): Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > this.clock.now()) return hit.value as T;
      this.entries.delete(key);
    }
    const running = this.inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const p = load()
      .then((value) => {
        const ttl = ttlOf(value);
        if (ttl > 0) this.put(key, value, ttl);
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(key: string, value: unknown, ttlSeconds: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Drop the oldest insertion (Map keeps insertion order).
      const first = this.entries.keys().next();
      if (!first.done) this.entries.delete(first.value);
    }
    this.entries.set(key, { expiresAt: this.clock.now() + ttlSeconds * 1000, value });
  }
}
