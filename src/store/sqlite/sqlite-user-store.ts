/**
 * UserStore on SQLite. Each write is one statement, hence one implicit transaction, committed
 * (and with synchronous=FULL fsynced) before the promise resolves.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../util/clock.js';
import { DuplicateUserError, UnknownUserError } from '../errors.js';
import { computeAllHa1, hashFor } from '../ha1.js';
import { HA1_COLUMNS, rowToUser, type UserRow } from '../record-rows.js';
import type { StoreGate } from '../store-gate.js';
import { checkDomain, checkNewUser, checkPassword, checkUsername } from '../user-rules.js';
import type { NewUser, UserAccount, UserStore } from '../user-store.js';
import { StatementCache } from './statement-cache.js';

const COLS =
  'username, domain, realm, ha1_md5, ha1_sha256, ha1_sha512_256, display_name, enabled, created_at, updated_at';

function isConstraint(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

export class SqliteUserStore implements UserStore {
  readonly #gate: StoreGate;
  readonly #clock: Clock;
  readonly #sql: StatementCache;

  constructor(
    private readonly db: Database.Database,
    gate: StoreGate,
    clock: Clock,
  ) {
    this.#gate = gate;
    this.#clock = clock;
    this.#sql = new StatementCache(db);
  }

  #stmt(sql: string): Database.Statement {
    return this.#sql.get(sql);
  }

  async add(user: NewUser, password: string): Promise<UserAccount> {
    const u = checkNewUser(user);
    const ha1 = computeAllHa1(u.username, u.realm, checkPassword(password));
    const now = this.#clock.wallTime();
    return this.#gate.run(() => {
      try {
        this.#stmt(`INSERT INTO users (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          u.username,
          u.domain,
          u.realm,
          ha1.MD5,
          ha1['SHA-256'],
          ha1['SHA-512-256'],
          u.displayName,
          u.enabled ? 1 : 0,
          now,
          now,
        );
      } catch (err) {
        if (isConstraint(err)) throw new DuplicateUserError(u.username, u.domain, u.realm);
        throw err;
      }
      return { ...u, ha1, createdAt: now, updatedAt: now };
    });
  }

  async get(username: string, domain: string): Promise<UserAccount | undefined> {
    const d = checkDomain(domain);
    return this.#gate.run(() => {
      const row = this.#stmt(`SELECT ${COLS} FROM users WHERE username = ? AND domain = ?`).get(username, d) as
        | UserRow
        | undefined;
      return row ? rowToUser(row) : undefined;
    });
  }

  async list(domain?: string): Promise<UserAccount[]> {
    const d = domain === undefined ? undefined : checkDomain(domain);
    return this.#gate.run(() => {
      const rows = (
        d === undefined
          ? this.#stmt(`SELECT ${COLS} FROM users ORDER BY domain, username`).all()
          : this.#stmt(`SELECT ${COLS} FROM users WHERE domain = ? ORDER BY username`).all(d)
      ) as UserRow[];
      return rows.map(rowToUser);
    });
  }

  async remove(username: string, domain: string): Promise<boolean> {
    const d = checkDomain(domain);
    return this.#gate.run(
      () => this.#stmt('DELETE FROM users WHERE username = ? AND domain = ?').run(username, d).changes > 0,
    );
  }

  async setPassword(username: string, domain: string, password: string): Promise<void> {
    const d = checkDomain(domain);
    checkUsername(username);
    checkPassword(password);
    const now = this.#clock.wallTime();
    this.#gate.run(() => {
      const tx = this.db.transaction(() => {
        const row = this.#stmt('SELECT realm FROM users WHERE username = ? AND domain = ?').get(username, d) as
          | { realm: string }
          | undefined;
        if (!row) throw new UnknownUserError(username, d);
        const ha1 = computeAllHa1(username, row.realm, password);
        this.#stmt(
          'UPDATE users SET ha1_md5 = ?, ha1_sha256 = ?, ha1_sha512_256 = ?, updated_at = ? WHERE username = ? AND domain = ?',
        ).run(ha1.MD5, ha1['SHA-256'], ha1['SHA-512-256'], now, username, d);
      });
      tx.immediate();
    });
  }

  async setEnabled(username: string, domain: string, enabled: boolean): Promise<void> {
    const d = checkDomain(domain);
    const now = this.#clock.wallTime();
    this.#gate.run(() => {
      const r = this.#stmt('UPDATE users SET enabled = ?, updated_at = ? WHERE username = ? AND domain = ?').run(
        enabled ? 1 : 0,
        now,
        username,
        d,
      );
      if (r.changes === 0) throw new UnknownUserError(username, d);
    });
  }

  async lookupHa1(username: string, realm: string, algorithm: string): Promise<string | undefined> {
    const alg = hashFor(algorithm);
    if (alg === undefined) return undefined;
    return this.#gate.run(() => {
      const row = this.#stmt(
        `SELECT ${HA1_COLUMNS[alg]} AS ha1 FROM users WHERE username = ? AND realm = ? AND enabled = 1`,
      ).get(username, realm) as { ha1: string | null } | undefined;
      return row?.ha1 ?? undefined;
    });
  }
}
