/**
 * The one way to get stores: `openStores({ kind: 'sqlite', dataDir })` for the embedded default,
 * `openStores({ kind: 'postgres', connectionString })` for a location service shared by several
 * instances; and `storeOptionsFrom` to turn a command line's `--data DIR` / `--db URL` into
 * those options the same way in every command.
 */
import { InvalidRecordError } from './errors.js';
import { openPostgresStores } from './postgres/open-postgres.js';
import { openSqliteStores } from './sqlite/open-sqlite.js';
import type { StoreOptions, Stores } from './stores.js';

export async function openStores(options: StoreOptions): Promise<Stores> {
  return options.kind === 'postgres' ? openPostgresStores(options) : openSqliteStores(options);
}

/** The default data directory: $SWITCHBOARD_DATA, else ./data. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const d = env['SWITCHBOARD_DATA'];
  return d !== undefined && d.length > 0 ? d : './data';
}

/**
 * Options from `--db` (a postgres:// or postgresql:// URL; $SWITCHBOARD_DB when absent) and
 * `--data` (a directory for SQLite; default defaultDataDir()). Giving both is an error.
 */
export function storeOptionsFrom(
  args: { readonly db?: string | undefined; readonly data?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): StoreOptions {
  if (args.db !== undefined && args.data !== undefined) {
    throw new InvalidRecordError('--db', 'give either --db or --data, not both');
  }
  const envDb = env['SWITCHBOARD_DB'];
  const db = args.db ?? (args.data === undefined && envDb !== undefined && envDb.length > 0 ? envDb : undefined);
  if (db !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(db)) {
      throw new InvalidRecordError('--db', `expected a postgres://user:password@host:port/database URL, not "${db}"`);
    }
    // `?schema=name` picks the schema; it is ours, not libpq's, so it is taken off the URL.
    let url: URL;
    try {
      url = new URL(db);
    } catch {
      throw new InvalidRecordError('--db', `not a URL: "${db}"`);
    }
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: url.toString(), ...(schema === null ? {} : { schema }) };
  }
  return { kind: 'sqlite', dataDir: args.data ?? defaultDataDir(env) };
}
