/**
 * Removing the credentials a proxy has checked before forwarding the request, as Kamailio's
 * consume_credentials() does: the next hop has no use for them, and they would hand it a
 * username and a response to attack offline. Credentials for other realms stay: they belong to
 * other proxies on the path or to the UAS (RFC 3261 section 22.3 allows one credential per realm
 * in the same request).
 */
import { type OutgoingRequest, parseAuthValue } from '../sip/index.js';

/** Removes the Digest credentials for `realm` from Proxy-Authorization (or Authorization); returns how many. */
export function consumeCredentials(request: OutgoingRequest, realm: string, proxy = true): number {
  const name = proxy ? 'Proxy-Authorization' : 'Authorization';
  const lines = request.getRaw(name);
  const keep: string[] = [];
  for (const raw of lines) {
    let ours = false;
    try {
      const v = parseAuthValue(raw);
      ours = v.scheme.toLowerCase() === 'digest' && v.params.getUnquoted('realm') === realm;
    } catch {
      ours = false;
    }
    if (!ours) keep.push(raw);
  }
  if (keep.length === lines.length) return 0;
  request.remove(name);
  for (const raw of keep) request.appendRaw(name, raw);
  return lines.length - keep.length;
}
