/**
 * The location service contract (RFC 3261 section 10: "an abstract service ... that provides
 * address bindings for a particular domain"): what the registrar writes and what proxies and
 * redirect servers read. Asynchronous so that an embedded SQLite file and a PostgreSQL server
 * shared by several instances fit behind it. Every write has resolved only once it is durable
 * (committed; see docs/storage.md), so a 200 OK sent after it never promises a binding that a
 * crash could take back.
 *
 * Times are wall-clock milliseconds passed in by the caller (Clock.wallTime()): the store never
 * reads a clock for expiry, so tests and several instances agree on what "now" means.
 * AOR arguments may be any spelling of the AOR; the store normalises them (normalizeAor).
 */
import type {
  Binding,
  BindingInput,
  LocationStats,
  RegisterGuard,
  RegisterOutcome,
  RegisterUpdate,
} from './binding.js';

export interface LocationStore {
  /** Live bindings of an AOR (expiresAt > now), q descending then most recently written first. */
  get(aor: string, now: number): Promise<Binding[]>;

  /**
   * Adds a binding, or replaces the binding(s) it matches (same rules as a REGISTER Contact).
   * For tools and imports; the registrar uses applyRegister.
   */
  upsert(binding: BindingInput, now: number): Promise<Binding>;

  /** Removes the bindings of an AOR whose contact matches (RFC 3261 section 19.1.4); returns how many. */
  remove(aor: string, contact: string): Promise<number>;

  /** Removes every binding of an AOR; returns how many. */
  removeAll(aor: string): Promise<number>;

  /** Deletes every binding with expiresAt <= now and returns them (for reg-event notices and logs). */
  expire(now: number): Promise<Binding[]>;

  /** Live AORs and bindings. */
  stats(now: number): Promise<LocationStats>;

  /** Live bindings of every AOR, by AOR then as get() orders them; `limit` caps the number returned. */
  list(now: number, limit?: number): Promise<Binding[]>;

  /**
   * One REGISTER, in one transaction with the AOR locked against other writers (other
   * connections, other instances): expired bindings of the AOR are purged, the guard (the
   * registrar's policy) sees the plan, then the Contacts are applied and committed. Resolves
   * after the commit with the AOR's bindings for the 200 OK; resolves `{ ok: false }` without
   * writing when the guard refuses.
   */
  applyRegister(aor: string, update: RegisterUpdate, now: number, guard?: RegisterGuard): Promise<RegisterOutcome>;
}
