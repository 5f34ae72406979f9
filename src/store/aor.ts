/**
 * Address-of-record normalisation. RFC 3261 section 10.3 step 5: the registrar takes the AOR
 * from the To header and converts it to canonical form, "all URI parameters MUST be removed
 * (including the user-param), and any escaped characters MUST be converted to their unescaped
 * form". Every store keys bindings and forwarding rules on this canonical text, so that
 * `sip:Alice@EXAMPLE.com;transport=tcp`, `<sips:Alice@example.com:5061>` and `Alice@example.com`
 * all name the same user, as in Kamailio's usrloc (user@domain) and Asterisk's AOR objects.
 *
 * The canonical form is `sip:user@host`: scheme sip (a SIPS registration and a SIP one reach
 * the same person; whether a call must use TLS is a property of the Contact, not of the AOR),
 * user case kept (RFC 3261 section 19.1.4: the user part compares case-sensitively), host
 * lower-cased, no port, no parameters. The user is printed with the minimal escaping of the
 * grammar, so two spellings of one user (`%61lice`, `alice`) give one key.
 */
import { parseUri, SipUri } from '../sip/index.js';
import { InvalidAorError } from './errors.js';

/** Canonical `sip:user@host` text for an AOR given as a URI, `<URI>`, or bare `user@host`. */
export function normalizeAor(aor: string | SipUri): string {
  let uri: SipUri;
  if (aor instanceof SipUri) uri = aor;
  else {
    let text = aor.trim();
    if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1);
    // No scheme (`alice@example.com`) means a SIP URI; any other scheme is kept, and refused below.
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) text = `sip:${text}`;
    let parsed: ReturnType<typeof parseUri>;
    try {
      parsed = parseUri(text);
    } catch (err) {
      throw new InvalidAorError(aor, (err as Error).message);
    }
    if (!(parsed instanceof SipUri)) throw new InvalidAorError(aor, 'not a SIP or SIPS URI');
    uri = parsed;
  }
  if (uri.user === undefined || uri.user.length === 0) {
    throw new InvalidAorError(String(aor), 'no user part');
  }
  return new SipUri({ scheme: 'sip', user: uri.user, host: uri.host.toLowerCase() }).toString();
}

/** The user and domain of a canonical AOR (`sip:alice@example.com` -> alice, example.com). */
export function splitAor(aor: string): { user: string; domain: string } {
  const canonical = normalizeAor(aor);
  const uri = parseUri(canonical) as SipUri;
  return { user: uri.user as string, domain: uri.host };
}
