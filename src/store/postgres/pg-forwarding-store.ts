/** ForwardingStore on PostgreSQL: one row per (AOR, kind), written with INSERT ... ON CONFLICT. */
import type pg from 'pg';
import type { Clock } from '../../util/clock.js';
import { normalizeAor } from '../aor.js';
import { checkKind, orderRules, toForwardingRule } from '../forwarding-rules.js';
import type { ForwardingKind, ForwardingRule, ForwardingRuleInput, ForwardingStore } from '../forwarding-store.js';
import { type ForwardingRow, rowToForwarding } from '../record-rows.js';
import type { StoreGate } from '../store-gate.js';

const COLS = 'aor, kind, target, no_answer_timeout_sec, enabled, updated_at';

export class PgForwardingStore implements ForwardingStore {
  readonly #t: string;

  constructor(
    private readonly pool: pg.Pool,
    quotedSchema: string,
    private readonly gate: StoreGate,
    private readonly clock: Clock,
  ) {
    this.#t = `${quotedSchema}.forwarding`;
  }

  async get(user: string, kind: ForwardingKind): Promise<ForwardingRule | undefined> {
    const aor = normalizeAor(user);
    checkKind(kind);
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<ForwardingRow>(`SELECT ${COLS} FROM ${this.#t} WHERE aor = $1 AND kind = $2`, [
        aor,
        kind,
      ]);
      const row = r.rows[0];
      return row ? rowToForwarding(row) : undefined;
    });
  }

  async list(user?: string): Promise<ForwardingRule[]> {
    const aor = user === undefined ? undefined : normalizeAor(user);
    return this.gate.runAsync(async () => {
      const r =
        aor === undefined
          ? await this.pool.query<ForwardingRow>(`SELECT ${COLS} FROM ${this.#t}`)
          : await this.pool.query<ForwardingRow>(`SELECT ${COLS} FROM ${this.#t} WHERE aor = $1`, [aor]);
      return orderRules(r.rows.map(rowToForwarding));
    });
  }

  async set(input: ForwardingRuleInput): Promise<ForwardingRule> {
    const rule = toForwardingRule(input, this.clock.wallTime());
    return this.gate.runAsync(async () => {
      await this.pool.query(
        `INSERT INTO ${this.#t} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (aor, kind) DO UPDATE SET target = excluded.target,
           no_answer_timeout_sec = excluded.no_answer_timeout_sec, enabled = excluded.enabled,
           updated_at = excluded.updated_at`,
        [rule.user, rule.kind, rule.target, rule.noAnswerTimeoutSec, rule.enabled, rule.updatedAt],
      );
      return rule;
    });
  }

  async setEnabled(user: string, kind: ForwardingKind, enabled: boolean): Promise<boolean> {
    const aor = normalizeAor(user);
    checkKind(kind);
    const now = this.clock.wallTime();
    return this.gate.runAsync(async () => {
      const r = await this.pool.query(
        `UPDATE ${this.#t} SET enabled = $1, updated_at = $2 WHERE aor = $3 AND kind = $4`,
        [enabled, now, aor, kind],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  async clear(user: string, kind?: ForwardingKind): Promise<number> {
    const aor = normalizeAor(user);
    if (kind !== undefined) checkKind(kind);
    return this.gate.runAsync(async () => {
      const r =
        kind === undefined
          ? await this.pool.query(`DELETE FROM ${this.#t} WHERE aor = $1`, [aor])
          : await this.pool.query(`DELETE FROM ${this.#t} WHERE aor = $1 AND kind = $2`, [aor, kind]);
      return r.rowCount ?? 0;
    });
  }
}
