/**
 * Prepares each SQL text once per connection. Preparing parses and plans the statement; the
 * hot paths (lookupHa1 on every authenticated request, get() on every routed call) must not
 * repeat that work.
 */
import type Database from 'better-sqlite3';

export class StatementCache {
  readonly #statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }
}
