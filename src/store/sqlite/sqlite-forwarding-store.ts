/** ForwardingStore on SQLite: one row per (AOR, kind), written with an UPSERT. */
import type Database from 'better-sqlite3';
import type { Clock } from '../../util/clock.js';
import { normalizeAor } from '../aor.js';
import { checkKind, orderRules, toForwardingRule } from '../forwarding-rules.js';
import type { ForwardingKind, ForwardingRule, ForwardingRuleInput, ForwardingStore } from '../forwarding-store.js';
import { type ForwardingRow, rowToForwarding } from '../record-rows.js';
import type { StoreGate } from '../store-gate.js';
import { StatementCache } from './statement-cache.js';

const COLS = 'aor, kind, target, no_answer_timeout_sec, enabled, updated_at';

export class SqliteForwardingStore implements ForwardingStore {
  readonly #gate: StoreGate;
  readonly #clock: Clock;
  readonly #sql: StatementCache;

  constructor(db: Database.Database, gate: StoreGate, clock: Clock) {
    this.#gate = gate;
    this.#clock = clock;
    this.#sql = new StatementCache(db);
  }

  async get(user: string, kind: ForwardingKind): Promise<ForwardingRule | undefined> {
    const aor = normalizeAor(user);
    checkKind(kind);
    return this.#gate.run(() => {
      const row = this.#sql.get(`SELECT ${COLS} FROM forwarding WHERE aor = ? AND kind = ?`).get(aor, kind) as
        | ForwardingRow
        | undefined;
      return row ? rowToForwarding(row) : undefined;
    });
  }

  async list(user?: string): Promise<ForwardingRule[]> {
    const aor = user === undefined ? undefined : normalizeAor(user);
    return this.#gate.run(() => {
      const rows = (
        aor === undefined
          ? this.#sql.get(`SELECT ${COLS} FROM forwarding`).all()
          : this.#sql.get(`SELECT ${COLS} FROM forwarding WHERE aor = ?`).all(aor)
      ) as ForwardingRow[];
      return orderRules(rows.map(rowToForwarding));
    });
  }

  async set(input: ForwardingRuleInput): Promise<ForwardingRule> {
    const rule = toForwardingRule(input, this.#clock.wallTime());
    return this.#gate.run(() => {
      this.#sql
        .get(
          `INSERT INTO forwarding (${COLS}) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (aor, kind) DO UPDATE SET target = excluded.target,
             no_answer_timeout_sec = excluded.no_answer_timeout_sec, enabled = excluded.enabled,
             updated_at = excluded.updated_at`,
        )
        .run(rule.user, rule.kind, rule.target, rule.noAnswerTimeoutSec, rule.enabled ? 1 : 0, rule.updatedAt);
      return rule;
    });
  }

  async setEnabled(user: string, kind: ForwardingKind, enabled: boolean): Promise<boolean> {
    const aor = normalizeAor(user);
    checkKind(kind);
    const now = this.#clock.wallTime();
    return this.#gate.run(
      () =>
        this.#sql
          .get('UPDATE forwarding SET enabled = ?, updated_at = ? WHERE aor = ? AND kind = ?')
          .run(enabled ? 1 : 0, now, aor, kind).changes > 0,
    );
  }

  async clear(user: string, kind?: ForwardingKind): Promise<number> {
    const aor = normalizeAor(user);
    if (kind !== undefined) checkKind(kind);
    return this.#gate.run(() =>
      kind === undefined
        ? this.#sql.get('DELETE FROM forwarding WHERE aor = ?').run(aor).changes
        : this.#sql.get('DELETE FROM forwarding WHERE aor = ? AND kind = ?').run(aor, kind).changes,
    );
  }
}
