/**
 * Validation of account fields, shared by both backends so that an account the CLI can create
 * in SQLite can be created in PostgreSQL too, and vice versa.
 */
import { InvalidRecordError } from './errors.js';
import type { NewUser } from './user-store.js';

const CONTROL = /[\u0000-\u001f\u007f]/;
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)$/;

export function checkUsername(username: string): string {
  if (typeof username !== 'string' || username.length === 0) throw new InvalidRecordError('username', 'empty');
  if (CONTROL.test(username) || /\s/.test(username)) {
    throw new InvalidRecordError('username', 'white space and control characters are not allowed');
  }
  if (username.length > 128) throw new InvalidRecordError('username', 'longer than 128 characters');
  return username;
}

/** Domains are host names or IP literals, compared lower-case (RFC 3261 section 19.1.4). */
export function checkDomain(domain: string): string {
  const d = typeof domain === 'string' ? domain.trim().toLowerCase() : '';
  if (d.length === 0) throw new InvalidRecordError('domain', 'empty');
  if (!HOST.test(d) || d.length > 253)
    throw new InvalidRecordError('domain', `"${domain}" is not a host name or IP address`);
  return d;
}

export function checkRealm(realm: string): string {
  if (typeof realm !== 'string' || realm.length === 0) throw new InvalidRecordError('realm', 'empty');
  if (CONTROL.test(realm) || realm.includes('"')) {
    throw new InvalidRecordError('realm', 'quotes and control characters are not allowed');
  }
  return realm;
}

export function checkPassword(password: string): string {
  if (typeof password !== 'string' || password.length === 0) throw new InvalidRecordError('password', 'empty');
  return password;
}

export interface CheckedUser {
  readonly username: string;
  readonly domain: string;
  readonly realm: string;
  readonly displayName: string | null;
  readonly enabled: boolean;
}

export function checkNewUser(user: NewUser): CheckedUser {
  const domain = checkDomain(user.domain);
  const displayName = user.displayName ?? null;
  if (displayName !== null && CONTROL.test(displayName)) {
    throw new InvalidRecordError('displayName', 'control characters are not allowed');
  }
  return {
    username: checkUsername(user.username),
    domain,
    realm: checkRealm(user.realm ?? domain),
    displayName,
    enabled: user.enabled ?? true,
  };
}
