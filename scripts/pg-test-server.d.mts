// Types of scripts/pg-test-server.mjs, for the TypeScript tests that start a throwaway cluster.

export declare const NOT_INSTALLED_MESSAGE: string;

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding the cluster, its socket and its log. */
  readonly dir: string;
  /** Stops the server (immediate shutdown) and deletes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Directory of initdb and pg_ctl; default $PG_BIN_DIR or the newest /usr/lib/postgresql/N/bin. */
  readonly binDir?: string;
  /** A fixed port instead of a free one. */
  readonly port?: number;
  /** Where the temporary directory goes (default os.tmpdir()). */
  readonly tmpRoot?: string;
  /** Leave the server running when this process exits. */
  readonly keep?: boolean;
}

export declare function findPostgresBinDir(env?: NodeJS.ProcessEnv): string | undefined;
export declare function startPostgres(options?: StartPostgresOptions): Promise<PostgresServer>;
export declare function stopPostgres(dir: string, binDir?: string): void;
