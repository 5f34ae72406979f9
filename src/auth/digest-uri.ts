/**
 * The digest-uri check: the `uri` of the credentials must name the Request-URI (RFC 2617 section
 * 3.2.2.5: "the server SHOULD check that the URI ... refers to the same resource as the
 * Request-URI"; RFC 3261 section 22.4 makes the digest-uri the Request-URI in SIP). The two are
 * compared as URIs with RFC 3261 section 19.1.4's rules, so `sip:Alice@EXAMPLE.com` matches
 * `sip:Alice@example.com`, while another user, host, port or transport does not. Without this
 * check, credentials captured for one request could be replayed against another resource.
 */
import { parseUri, type Uri } from '../sip/index.js';

export function digestUriMatches(digestUri: string, requestUri: Uri): boolean {
  if (digestUri === requestUri.toString()) return true;
  let parsed: Uri;
  try {
    parsed = parseUri(digestUri);
  } catch {
    return false;
  }
  return parsed.equals(requestUri);
}
