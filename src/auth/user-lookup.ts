/**
 * Where a digest server finds HA1s. The auth layer declares this interface and the store layer
 * implements it from its UserStore (imports point down; the server calls up only through this).
 * Stores keep one HA1 per hash function, never the password: HA1 = H(username:realm:password)
 * (RFC 7616 section 3.4.2), which is what "-sess" algorithms start from too.
 */
import type { DigestHash } from './algorithm.js';
import { computeHa1 } from './digest-math.js';

export interface UserLookup {
  /**
   * The HA1 of `username` in `realm` for `hash`, lower-case hex; undefined when the user is
   * unknown or has no HA1 for that hash (the server then answers exactly as for a wrong password).
   */
  lookupHa1(username: string, realm: string, hash: DigestHash): Promise<string | undefined>;
}

/**
 * A UserLookup over plain passwords held in memory, for tests and small setups. HA1s are computed
 * on demand for whatever realm the server asks about.
 */
export class InMemoryUserLookup implements UserLookup {
  readonly #passwords: ReadonlyMap<string, string>;

  constructor(passwords: ReadonlyMap<string, string> | Readonly<Record<string, string>>) {
    this.#passwords = passwords instanceof Map ? new Map(passwords) : new Map(Object.entries(passwords));
  }

  async lookupHa1(username: string, realm: string, hash: DigestHash): Promise<string | undefined> {
    const password = this.#passwords.get(username);
    return password === undefined ? undefined : computeHa1(hash, username, realm, password);
  }
}
