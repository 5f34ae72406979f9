/**
 * The account contract: who may register and call, and the digest secrets to check them with.
 * Passwords are never stored: add() and setPassword() compute HA1 for every digest algorithm
 * (ha1.ts) and keep those, as Kamailio's auth_db subscriber table does with ha1/ha1b. The
 * digest server reads through lookupHa1 (the auth layer's UserLookup), so a `switchboard user
 * add` run against the same database takes effect on the next REGISTER, with no reload.
 */
import type { DigestHash, UserLookup } from '../auth/index.js';

export interface UserAccount {
  readonly username: string;
  /** The SIP domain (lower case): the user's AOR is sip:username@domain. */
  readonly domain: string;
  /** The digest realm the HA1s were computed with (defaults to the domain). */
  readonly realm: string;
  readonly displayName: string | null;
  /** A disabled account keeps its secrets but lookupHa1 answers nothing for it. */
  readonly enabled: boolean;
  /** HA1 per hash function, lower-case hex (an account imported without one lacks it). */
  readonly ha1: Readonly<Partial<Record<DigestHash, string>>>;
  /** Wall-clock ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewUser {
  readonly username: string;
  readonly domain: string;
  readonly realm?: string;
  readonly displayName?: string | null;
  readonly enabled?: boolean;
}

/** Implements the auth layer's UserLookup, so a DigestServer can take a UserStore as its `users`. */
export interface UserStore extends UserLookup {
  /** Creates an account; throws DuplicateUserError when username@domain exists. */
  add(user: NewUser, password: string): Promise<UserAccount>;
  get(username: string, domain: string): Promise<UserAccount | undefined>;
  /** Every account (of one domain when given), ordered by domain then username. */
  list(domain?: string): Promise<UserAccount[]>;
  /** Deletes an account; false when there was none. */
  remove(username: string, domain: string): Promise<boolean>;
  /** Replaces every HA1; throws UnknownUserError when the account does not exist. */
  setPassword(username: string, domain: string, password: string): Promise<void>;
  /** Throws UnknownUserError when the account does not exist. */
  setEnabled(username: string, domain: string, enabled: boolean): Promise<void>;
  /**
   * The auth layer's UserLookup: the HA1 of an enabled account whose realm is `realm`, for
   * `algorithm` as a challenge names it (`MD5`, `SHA-256`, `sha-256-sess`...); undefined when
   * the user, the realm or the algorithm is unknown, or the account is disabled.
   */
  lookupHa1(username: string, realm: string, algorithm: string): Promise<string | undefined>;
}
