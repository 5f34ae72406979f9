/**
 * LocationStore on PostgreSQL, for several proxy/registrar instances sharing one location
 * service. Every write of an AOR runs in a transaction that first takes the AOR's advisory lock
 * (pg-transaction.ts), so two instances registering the same AOR at once run one after the
 * other: the second sees the first's committed bindings and updates them rather than adding a
 * duplicate, and a registrar guard's checks (CSeq order, maximum contacts) hold at commit.
 * Reads take no lock: READ COMMITTED shows them the last committed state.
 */
import type pg from 'pg';
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
import { inTransaction, lockAor } from './pg-transaction.js';

const COLS = BINDING_COLUMNS.join(', ');
const ORDER = 'ORDER BY coalesce(q, 1) DESC, updated_at DESC, id ASC';
const PLACEHOLDERS = BINDING_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');

type Queryable = pg.Pool | pg.PoolClient;

export class PgLocationStore implements LocationStore {
  readonly #t: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    quotedSchema: string,
    private readonly gate: StoreGate,
  ) {
    this.#t = `${quotedSchema}.location`;
  }

  async #live(q: Queryable, aor: string, now: number): Promise<Binding[]> {
    const r = await q.query<BindingRow>(`SELECT ${COLS} FROM ${this.#t} WHERE aor = $1 AND expires_at > $2 ${ORDER}`, [
      aor,
      now,
    ]);
    return r.rows.map(rowToBinding);
  }

  async #deleteKeys(c: pg.PoolClient, aor: string, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const r = await c.query(`DELETE FROM ${this.#t} WHERE aor = $1 AND contact_key = ANY($2::text[])`, [aor, keys]);
    return r.rowCount ?? 0;
  }

  async #insert(c: pg.PoolClient, b: Binding): Promise<void> {
    await c.query(`INSERT INTO ${this.#t} (${COLS}) VALUES (${PLACEHOLDERS})`, bindingValues(b));
  }

  async #allOf(c: pg.PoolClient, aor: string): Promise<Binding[]> {
    const r = await c.query<BindingRow>(`SELECT ${COLS} FROM ${this.#t} WHERE aor = $1 ${ORDER}`, [aor]);
    return r.rows.map(rowToBinding);
  }

  async get(aor: string, now: number): Promise<Binding[]> {
    const key = normalizeAor(aor);
    return this.gate.runAsync(() => this.#live(this.pool, key, now));
  }

  async upsert(input: BindingInput, now: number): Promise<Binding> {
    const next = toBinding(input, now);
    return this.gate.runAsync(() =>
      inTransaction(this.pool, async (c) => {
        await lockAor(c, this.schema, next.aor);
        const old = (await this.#allOf(c, next.aor)).filter((b) => replaces(b, next));
        await this.#deleteKeys(
          c,
          next.aor,
          old.map((b) => b.contactKey),
        );
        await this.#insert(c, next);
        return next;
      }),
    );
  }

  async remove(aor: string, contact: string): Promise<number> {
    const key = normalizeAor(aor);
    return this.gate.runAsync(() =>
      inTransaction(this.pool, async (c) => {
        await lockAor(c, this.schema, key);
        const hit = (await this.#allOf(c, key)).filter((b) => sameContact(b, contact));
        return this.#deleteKeys(
          c,
          key,
          hit.map((b) => b.contactKey),
        );
      }),
    );
  }

  async removeAll(aor: string): Promise<number> {
    const key = normalizeAor(aor);
    return this.gate.runAsync(() =>
      inTransaction(this.pool, async (c) => {
        await lockAor(c, this.schema, key);
        const r = await c.query(`DELETE FROM ${this.#t} WHERE aor = $1`, [key]);
        return r.rowCount ?? 0;
      }),
    );
  }

  async expire(now: number): Promise<Binding[]> {
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<BindingRow>(`DELETE FROM ${this.#t} WHERE expires_at <= $1 RETURNING ${COLS}`, [
        now,
      ]);
      return r.rows.map(rowToBinding);
    });
  }

  async stats(now: number): Promise<LocationStats> {
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<{ aors: number; contacts: number }>(
        `SELECT count(DISTINCT aor)::int AS aors, count(*)::int AS contacts FROM ${this.#t} WHERE expires_at > $1`,
        [now],
      );
      const row = r.rows[0];
      return { aors: row?.aors ?? 0, contacts: row?.contacts ?? 0 };
    });
  }

  async list(now: number, limit?: number): Promise<Binding[]> {
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<BindingRow>(
        `SELECT ${COLS} FROM ${this.#t} WHERE expires_at > $1
         ORDER BY aor COLLATE "C", coalesce(q, 1) DESC, updated_at DESC, id ASC LIMIT $2`,
        [now, limit ?? null],
      );
      return r.rows.map(rowToBinding);
    });
  }

  async applyRegister(
    aor: string,
    update: RegisterUpdate,
    now: number,
    guard?: RegisterGuard,
  ): Promise<RegisterOutcome> {
    const key = normalizeAor(aor);
    return this.gate.runAsync(() =>
      inTransaction(this.pool, async (c): Promise<RegisterOutcome> => {
        await lockAor(c, this.schema, key);
        await c.query(`DELETE FROM ${this.#t} WHERE aor = $1 AND expires_at <= $2`, [key, now]);
        const current = await this.#live(c, key, now);
        const plan = planRegister(key, current, update, now);
        const rejection = guard?.(plan.view);
        if (rejection) return { ok: false, rejection, bindings: current };
        await this.#deleteKeys(
          c,
          key,
          plan.deletes.map((b) => b.contactKey),
        );
        for (const b of plan.inserts) await this.#insert(c, b);
        return {
          ok: true,
          bindings: await this.#live(c, key, now),
          added: plan.added,
          refreshed: plan.refreshed,
          removed: plan.removed,
        };
      }),
    );
  }
}
