/**
 * UserStore on PostgreSQL. Each write is a single statement (its own transaction), except
 * setPassword, which reads the account's realm and rewrites its HA1s under a row lock.
 */
import type pg from 'pg';
import type { Clock } from '../../util/clock.js';
import { DuplicateUserError, UnknownUserError } from '../errors.js';
import { computeAllHa1, hashFor } from '../ha1.js';
import { HA1_COLUMNS, rowToUser, type UserRow } from '../record-rows.js';
import type { StoreGate } from '../store-gate.js';
import { checkDomain, checkNewUser, checkPassword, checkUsername } from '../user-rules.js';
import type { NewUser, UserAccount, UserStore } from '../user-store.js';
import { inTransaction } from './pg-transaction.js';

const COLS =
  'username, domain, realm, ha1_md5, ha1_sha256, ha1_sha512_256, display_name, enabled, created_at, updated_at';

export class PgUserStore implements UserStore {
  readonly #t: string;

  constructor(
    private readonly pool: pg.Pool,
    quotedSchema: string,
    private readonly gate: StoreGate,
    private readonly clock: Clock,
  ) {
    this.#t = `${quotedSchema}.users`;
  }

  async add(user: NewUser, password: string): Promise<UserAccount> {
    const u = checkNewUser(user);
    const ha1 = computeAllHa1(u.username, u.realm, checkPassword(password));
    const now = this.clock.wallTime();
    return this.gate.runAsync(async () => {
      try {
        await this.pool.query(`INSERT INTO ${this.#t} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
          u.username,
          u.domain,
          u.realm,
          ha1.MD5,
          ha1['SHA-256'],
          ha1['SHA-512-256'],
          u.displayName,
          u.enabled,
          now,
          now,
        ]);
      } catch (err) {
        // 23505 unique_violation: the (username, domain) key or the (username, realm) one.
        if ((err as { code?: unknown }).code === '23505') throw new DuplicateUserError(u.username, u.domain, u.realm);
        throw err;
      }
      return { ...u, ha1, createdAt: now, updatedAt: now };
    });
  }

  async get(username: string, domain: string): Promise<UserAccount | undefined> {
    const d = checkDomain(domain);
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<UserRow>(`SELECT ${COLS} FROM ${this.#t} WHERE username = $1 AND domain = $2`, [
        username,
        d,
      ]);
      const row = r.rows[0];
      return row ? rowToUser(row) : undefined;
    });
  }

  async list(domain?: string): Promise<UserAccount[]> {
    const d = domain === undefined ? undefined : checkDomain(domain);
    return this.gate.runAsync(async () => {
      // COLLATE "C": byte order, the order SQLite's BINARY collation gives, whatever the cluster's locale.
      const r =
        d === undefined
          ? await this.pool.query<UserRow>(
              `SELECT ${COLS} FROM ${this.#t} ORDER BY domain COLLATE "C", username COLLATE "C"`,
            )
          : await this.pool.query<UserRow>(
              `SELECT ${COLS} FROM ${this.#t} WHERE domain = $1 ORDER BY username COLLATE "C"`,
              [d],
            );
      return r.rows.map(rowToUser);
    });
  }

  async remove(username: string, domain: string): Promise<boolean> {
    const d = checkDomain(domain);
    return this.gate.runAsync(async () => {
      const r = await this.pool.query(`DELETE FROM ${this.#t} WHERE username = $1 AND domain = $2`, [username, d]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async setPassword(username: string, domain: string, password: string): Promise<void> {
    const d = checkDomain(domain);
    checkUsername(username);
    checkPassword(password);
    const now = this.clock.wallTime();
    await this.gate.runAsync(() =>
      inTransaction(this.pool, async (c) => {
        const r = await c.query<{ realm: string }>(
          `SELECT realm FROM ${this.#t} WHERE username = $1 AND domain = $2 FOR UPDATE`,
          [username, d],
        );
        const row = r.rows[0];
        if (!row) throw new UnknownUserError(username, d);
        const ha1 = computeAllHa1(username, row.realm, password);
        await c.query(
          `UPDATE ${this.#t} SET ha1_md5 = $1, ha1_sha256 = $2, ha1_sha512_256 = $3, updated_at = $4
           WHERE username = $5 AND domain = $6`,
          [ha1.MD5, ha1['SHA-256'], ha1['SHA-512-256'], now, username, d],
        );
      }),
    );
  }

  async setEnabled(username: string, domain: string, enabled: boolean): Promise<void> {
    const d = checkDomain(domain);
    const now = this.clock.wallTime();
    await this.gate.runAsync(async () => {
      const r = await this.pool.query(
        `UPDATE ${this.#t} SET enabled = $1, updated_at = $2 WHERE username = $3 AND domain = $4`,
        [enabled, now, username, d],
      );
      if ((r.rowCount ?? 0) === 0) throw new UnknownUserError(username, d);
    });
  }

  async lookupHa1(username: string, realm: string, algorithm: string): Promise<string | undefined> {
    const alg = hashFor(algorithm);
    if (alg === undefined) return undefined;
    return this.gate.runAsync(async () => {
      const r = await this.pool.query<{ ha1: string | null }>(
        `SELECT ${HA1_COLUMNS[alg]} AS ha1 FROM ${this.#t} WHERE username = $1 AND realm = $2 AND enabled`,
        [username, realm],
      );
      return r.rows[0]?.ha1 ?? undefined;
    });
  }
}
