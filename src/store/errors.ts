/**
 * Errors of the storage layer. Each has a stable `code` that the registrar, the CLI and the
 * dashboard switch on; the backend's own error (SQLite, PostgreSQL) is kept as `cause`.
 */
import { SwitchboardError } from '../util/errors.js';

/** A backend failure: the database could not be opened, read or written. */
export class StoreError extends SwitchboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE', message, options);
  }
}

/** An address of record that is not a SIP or SIPS URI with a user part. */
export class InvalidAorError extends SwitchboardError {
  constructor(
    readonly aor: string,
    why: string,
  ) {
    super('ERR_STORE_AOR', `bad address of record "${aor}": ${why}`);
  }
}

/**
 * `users.add` for a username that already exists in that domain, or in that digest realm (a
 * username must be unique per realm, or the digest server could not tell whose HA1 to use).
 */
export class DuplicateUserError extends SwitchboardError {
  constructor(
    readonly username: string,
    readonly domain: string,
    readonly realm?: string,
  ) {
    super(
      'ERR_USER_EXISTS',
      realm === undefined || realm === domain
        ? `user ${username}@${domain} already exists`
        : `user ${username}@${domain} already exists, or realm "${realm}" already has a user ${username}`,
    );
  }
}

/** An operation on a user that does not exist. */
export class UnknownUserError extends SwitchboardError {
  constructor(
    readonly username: string,
    readonly domain: string,
  ) {
    super('ERR_USER_NOT_FOUND', `no user ${username}@${domain}`);
  }
}

/** A value the store refuses to keep (empty username, q outside 0..1, bad forwarding target...). */
export class InvalidRecordError extends SwitchboardError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('ERR_STORE_RECORD', `${field}: ${message}`);
  }
}

/** The database was written by a newer Switchboard: its schema version is unknown to this one. */
export class SchemaVersionError extends SwitchboardError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      'ERR_STORE_SCHEMA',
      `database schema version ${found} is newer than this Switchboard knows (${known}); upgrade Switchboard`,
    );
  }
}

/** An operation on a store after close(). */
export class StoreClosedError extends SwitchboardError {
  constructor() {
    super('ERR_STORE_CLOSED', 'the store is closed');
  }
}
