/**
 * Who may register which address of record. RFC 3261 section 10.3 step 6: "The registrar
 * determines if the authenticated user is authorized to modify registrations for this address-of-
 * record ... For example, a registrar might consult the authorization database that maps user
 * names to a list of addresses-of-record for which that user has authorization". Without this
 * check any user with a password could register, and so receive the calls of, anyone else.
 *
 * The rule, in order:
 * 1. `mapping(username, aor)` returning true allows (aliases, numbers, admin accounts);
 * 2. only a SIP or SIPS AOR can match by default (a tel: AOR needs the mapping);
 * 3. when `domains` is given, the AOR's host must be one of them (case-insensitive);
 * 4. the AOR's user part must equal the username, case-sensitively (section 19.1.4 compares
 *    user parts case-sensitively, after unescaping); an IMS-style username that contains '@'
 *    ("alice@example.com") must equal user@host of the AOR, the host case-insensitively.
 */
import type { Uri } from '../sip/index.js';

export interface AorAuthorizationOptions {
  /** Domains this registrar is responsible for. */
  readonly domains?: readonly string[];
  /** Extra grants: return true to let `username` register `aor`. */
  readonly mapping?: (username: string, aor: Uri) => boolean;
}

export function authorizedForAor(username: string, aor: Uri, options: AorAuthorizationOptions = {}): boolean {
  if (options.mapping?.(username, aor) === true) return true;
  if (aor.kind !== 'sip' || aor.user === undefined) return false;
  const host = aor.hostname.toLowerCase();
  if (options.domains !== undefined && !options.domains.some((d) => d.toLowerCase() === host)) return false;
  const at = username.lastIndexOf('@');
  if (at < 0) return aor.user === username;
  return aor.user === username.slice(0, at) && host === username.slice(at + 1).toLowerCase();
}
