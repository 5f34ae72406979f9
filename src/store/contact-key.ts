/**
 * Contact identity for the location service. RFC 3261 section 10.3 step 7: "For each address,
 * the registrar then searches the list of current bindings using the URI comparison rules"
 * (section 19.1.4). Those rules are not an equivalence a database index can hold (a parameter
 * present in only one URI is ignored, so `;a=1` and `;a=2` both equal a URI without `a`), so the
 * store does two things:
 *
 * - `contactKey` gives a canonical text (scheme, unescaped user and password, lower-case host,
 *   port, every parameter with lower-cased name and value in sorted order, URI headers
 *   unescaped and sorted) that is stored beside the contact and unique per AOR: two registrations
 *   of the same URI spelled differently (`sip:%61lice@HOST` and `sip:alice@host`) can never be
 *   two rows, whatever races happen.
 * - `contactsMatch` is the exact section 19.1.4 comparison, applied in the register transaction to
 *   the AOR's bindings (a handful of rows) to decide which ones a Contact updates.
 *
 * The contact text itself is stored and returned byte for byte as registered (RFC 4475
 * cparam02/regescrt): neither function changes it.
 */
import { parseUri, SipUri, TelUri, type Uri } from '../sip/index.js';

function tryParse(contact: string): Uri | undefined {
  try {
    return parseUri(contact.trim());
  } catch {
    return undefined;
  }
}

function sortedParams(entries: readonly (readonly [string, string | null])[], lower: boolean): string {
  return entries
    .map(([n, v]) => {
      const name = n.toLowerCase();
      if (v === null) return name;
      return `${name}=${lower ? v.toLowerCase() : v}`;
    })
    .sort()
    .join(';');
}

function safeUnescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The canonical key of a contact URI text. Text that does not parse as a URI (which a registrar
 * should already have rejected with 400) keys on itself, so the store still never loses it.
 */
export function contactKey(contact: string): string {
  const uri = tryParse(contact);
  if (uri === undefined) return `raw:${contact}`;
  if (uri instanceof SipUri) {
    const user = uri.user === undefined ? '' : encodeURIComponent(uri.user);
    const password = uri.password === undefined ? '' : `:${encodeURIComponent(uri.password)}`;
    const at = uri.user === undefined ? '' : '@';
    const port = uri.port === undefined ? '' : `:${uri.port}`;
    const params = sortedParams(uri.params.entries(), true);
    const headers = uri.headers
      .entries()
      .map(([n, v]) => `${n.toLowerCase()}=${encodeURIComponent(safeUnescape(v ?? ''))}`)
      .sort()
      .join('&');
    return `${uri.scheme}:${user}${password}${at}${uri.host.toLowerCase()}${port}${params ? `;${params}` : ''}${headers ? `?${headers}` : ''}`;
  }
  if (uri instanceof TelUri) {
    const params = sortedParams(uri.params.entries(), true);
    return `tel:${uri.digits.toLowerCase()}${params ? `;${params}` : ''}`;
  }
  return `${uri.scheme}:${uri.opaque}`;
}

/** RFC 3261 section 19.1.4 equality of two contact URI texts (raw equality when one does not parse). */
export function contactsMatch(a: string, b: string): boolean {
  const ua = tryParse(a);
  const ub = tryParse(b);
  if (ua === undefined || ub === undefined) return a === b;
  return ua.equals(ub);
}
