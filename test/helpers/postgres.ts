/**
 * One throwaway PostgreSQL server per test file (scripts/pg-test-server.mjs): started in the
 * file's `before`, stopped in its `after`. initdb plus start take well under a second with
 * Debian's binaries, so each file that needs PostgreSQL pays that once. When the binaries are
 * missing, `before` fails and with it every test of the file, with the message saying how to
 * install them; nothing is skipped.
 *
 * Tests isolate themselves with a schema each (freshSchema), so they can share the server and
 * run in any order.
 */
import { after, before } from 'node:test';
import { type PostgresServer, startPostgres } from '../../scripts/pg-test-server.mjs';

export interface TestPostgres {
  /** The server's connection string; only valid once the file's `before` ran. */
  readonly url: string;
  /** A schema name no other test of this process uses. */
  freshSchema(): string;
}

let counter = 0;

/** Registers before/after hooks in the current file (or describe) and returns the server handle. */
export function postgresForThisFile(): TestPostgres {
  let server: PostgresServer | undefined;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });
  return {
    get url(): string {
      if (!server) throw new Error('PostgreSQL test server not started (used outside a test?)');
      return server.url;
    },
    freshSchema: () => `t${process.pid}_${++counter}`,
  };
}
