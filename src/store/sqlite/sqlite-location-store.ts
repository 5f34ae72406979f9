/**
 * LocationStore on SQLite (better-sqlite3). better-sqlite3 is synchronous: each method runs its
 * statements to completion, commit included, before its promise resolves, so "resolved" means
 * "committed" (with synchronous=FULL also "fsynced"; see open-sqlite.ts). applyRegister runs in
 * a BEGIN IMMEDIATE transaction, which takes SQLite's write lock up front: a second process on
 * the same file (the CLI, another instance) waits for it (busy_timeout) instead of interleaving.
 */
import type Database from 'better-sqlite3';
import { normalizeAor } from '../aor.js';
import type {
  Binding,
  BindingInput,
  LocationStats,
  RegisterGuard,
  RegisterOutcome,
  RegisterUpdate,
} from '../binding.js';
import { BINDING_COLUMNS, type BindingRow, bindingValues, rowToBinding } from '../binding-row.js';
import { replaces, sameContact, toBinding } from '../binding-rules.js';
import type { LocationStore } from '../location-store.js';
import { planRegister } from '../register-plan.js';
import type { StoreGate } from '../store-gate.js';

const ORDER = 'ORDER BY coalesce(q, 1) DESC, updated_at DESC, id ASC';
const COLS = BINDING_COLUMNS.join(', ');

export class SqliteLocationStore implements LocationStore {
  readonly #gate: StoreGate;
  readonly #live: Database.Statement<[string, number], BindingRow>;
  readonly #all: Database.Statement<[string], BindingRow>;
  readonly #insert: Database.Statement<(string | number | null)[]>;
  readonly #deleteKey: Database.Statement<[string, string]>;
  readonly #deleteAor: Database.Statement<[string]>;
  readonly #expiredOfAor: Database.Statement<[string, number]>;
  readonly #expired: Database.Statement<[number], BindingRow>;
  readonly #stats: Database.Statement<[number], { aors: number; contacts: number }>;
  readonly #list: Database.Statement<[number, number], BindingRow>;

  constructor(
    private readonly db: Database.Database,
    gate: StoreGate,
  ) {
    this.#gate = gate;
    this.#live = db.prepare(`SELECT ${COLS} FROM location WHERE aor = ? AND expires_at > ? ${ORDER}`);
    this.#all = db.prepare(`SELECT ${COLS} FROM location WHERE aor = ? ${ORDER}`);
    this.#insert = db.prepare(`INSERT INTO location (${COLS}) VALUES (${BINDING_COLUMNS.map(() => '?').join(', ')})`);
    this.#deleteKey = db.prepare('DELETE FROM location WHERE aor = ? AND contact_key = ?');
    this.#deleteAor = db.prepare('DELETE FROM location WHERE aor = ?');
    this.#expiredOfAor = db.prepare('DELETE FROM location WHERE aor = ? AND expires_at <= ?');
    this.#expired = db.prepare(`DELETE FROM location WHERE expires_at <= ? RETURNING ${COLS}`);
    this.#stats = db.prepare(
      'SELECT count(DISTINCT aor) AS aors, count(*) AS contacts FROM location WHERE expires_at > ?',
    );
    this.#list = db.prepare(
      `SELECT ${COLS} FROM location WHERE expires_at > ? ORDER BY aor, coalesce(q, 1) DESC, updated_at DESC, id ASC LIMIT ?`,
    );
  }

  async get(aor: string, now: number): Promise<Binding[]> {
    return this.#gate.run(() => this.#live.all(normalizeAor(aor), now).map(rowToBinding));
  }

  async upsert(input: BindingInput, now: number): Promise<Binding> {
    return this.#gate.run(() => {
      const next = toBinding(input, now);
      this.db
        .transaction(() => {
          for (const b of this.#all.all(next.aor).map(rowToBinding)) {
            if (replaces(b, next)) this.#deleteKey.run(b.aor, b.contactKey);
          }
          this.#insert.run(...bindingValues(next));
        })
        .immediate();
      return next;
    });
  }

  async remove(aor: string, contact: string): Promise<number> {
    return this.#gate.run(() => {
      const key = normalizeAor(aor);
      return this.db
        .transaction(() => {
          let n = 0;
          for (const b of this.#all.all(key).map(rowToBinding)) {
            if (sameContact(b, contact)) n += this.#deleteKey.run(key, b.contactKey).changes;
          }
          return n;
        })
        .immediate();
    });
  }

  async removeAll(aor: string): Promise<number> {
    return this.#gate.run(() => this.#deleteAor.run(normalizeAor(aor)).changes);
  }

  async expire(now: number): Promise<Binding[]> {
    return this.#gate.run(() => this.#expired.all(now).map(rowToBinding));
  }

  async stats(now: number): Promise<LocationStats> {
    return this.#gate.run(() => {
      const r = this.#stats.get(now) as { aors: number; contacts: number };
      return { aors: r.aors, contacts: r.contacts };
    });
  }

  async list(now: number, limit?: number): Promise<Binding[]> {
    return this.#gate.run(() => this.#list.all(now, limit ?? -1).map(rowToBinding));
  }

  async applyRegister(
    aor: string,
    update: RegisterUpdate,
    now: number,
    guard?: RegisterGuard,
  ): Promise<RegisterOutcome> {
    return this.#gate.run(() => {
      const key = normalizeAor(aor);
      const tx = this.db.transaction((): RegisterOutcome => {
        this.#expiredOfAor.run(key, now);
        const current = this.#live.all(key, now).map(rowToBinding);
        const plan = planRegister(key, current, update, now);
        const rejection = guard?.(plan.view);
        if (rejection) return { ok: false, rejection, bindings: current };
        for (const b of plan.deletes) this.#deleteKey.run(key, b.contactKey);
        for (const b of plan.inserts) this.#insert.run(...bindingValues(b));
        return {
          ok: true,
          bindings: this.#live.all(key, now).map(rowToBinding),
          added: plan.added,
          refreshed: plan.refreshed,
          removed: plan.removed,
        };
      });
      return tx.immediate();
    });
  }
}
