/**
 * Row mappings of the `users` and `forwarding` tables, shared by both backends. Booleans are
 * INTEGER 0/1 in SQLite and BOOLEAN in PostgreSQL; times are BIGINT ms in both.
 */

import type { DigestHash } from '../auth/index.js';
import type { ForwardingKind, ForwardingRule } from './forwarding-store.js';
import type { UserAccount } from './user-store.js';

type Cell = string | number | bigint | boolean | null;

/** HA1 column of each algorithm. */
export const HA1_COLUMNS: Readonly<Record<DigestHash, string>> = {
  MD5: 'ha1_md5',
  'SHA-256': 'ha1_sha256',
  'SHA-512-256': 'ha1_sha512_256',
};

export interface UserRow {
  readonly username: Cell;
  readonly domain: Cell;
  readonly realm: Cell;
  readonly ha1_md5: Cell;
  readonly ha1_sha256: Cell;
  readonly ha1_sha512_256: Cell;
  readonly display_name: Cell;
  readonly enabled: Cell;
  readonly created_at: Cell;
  readonly updated_at: Cell;
}

export function rowToUser(r: UserRow): UserAccount {
  const ha1: Partial<Record<DigestHash, string>> = {};
  for (const [alg, col] of Object.entries(HA1_COLUMNS) as [DigestHash, keyof UserRow][]) {
    const v = r[col];
    if (v !== null && v !== '') ha1[alg] = String(v);
  }
  return {
    username: String(r.username),
    domain: String(r.domain),
    realm: String(r.realm),
    displayName: r.display_name === null ? null : String(r.display_name),
    enabled: r.enabled === true || r.enabled === 1 || r.enabled === '1',
    ha1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface ForwardingRow {
  readonly aor: Cell;
  readonly kind: Cell;
  readonly target: Cell;
  readonly no_answer_timeout_sec: Cell;
  readonly enabled: Cell;
  readonly updated_at: Cell;
}

export function rowToForwarding(r: ForwardingRow): ForwardingRule {
  return {
    user: String(r.aor),
    kind: String(r.kind) as ForwardingKind,
    target: String(r.target),
    noAnswerTimeoutSec: r.no_answer_timeout_sec === null ? null : Number(r.no_answer_timeout_sec),
    enabled: r.enabled === true || r.enabled === 1 || r.enabled === '1',
    updatedAt: Number(r.updated_at),
  };
}
