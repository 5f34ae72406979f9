/**
 * The proxy's authentication stage (RFC 3261 section 16.3 step 6 and section 22.3): a request
 * from one of our users must prove it with Proxy-Authorization, or is answered 407 with
 * Proxy-Authenticate. As in Kamailio's default configuration (`if (from_uri==myself) {
 * if (!auth_check("$fd", "subscriber", "1")) auth_challenge(...); consume_credentials(); }`):
 * - only initial requests (no To tag) of the configured methods are challenged — in-dialog
 *   requests follow a route the INVITE already authenticated, and ACK and CANCEL can never be
 *   (section 22.1);
 * - only requests whose From is in one of our domains: calls from other domains to our users
 *   arrive unauthenticated, as between any two SIP domains;
 * - the authenticated user must be the From user (auth_check flag 1): a user cannot place calls
 *   as someone else (403);
 * - our credentials are removed before forwarding (consume_credentials): the next hop has no use
 *   for them.
 * The realm is the caller's domain (Myself.realmFor) unless one realm is configured.
 */
import { authorizedForAor, consumeCredentials, type DigestServer, type UserLookup } from '../../auth/index.js';
import { type IncomingRequest, type OutgoingRequest, type OutgoingResponse, responseTo } from '../../sip/index.js';
import type { Myself } from './myself.js';

export interface ProxyAuthOptions {
  readonly digest: DigestServer;
  readonly users: UserLookup;
  /** One realm for every domain; default: the domain of the From URI. */
  readonly realm?: string | undefined;
  /** Methods to challenge (default INVITE; Kamailio's default also challenges nothing else). */
  readonly methods?: readonly string[] | undefined;
}

export type AuthVerdict =
  | { readonly kind: 'pass'; readonly user: string | undefined }
  | { readonly kind: 'reject'; readonly response: OutgoingResponse; readonly detail: string };

export async function authenticate(
  request: IncomingRequest,
  base: OutgoingRequest,
  myself: Myself,
  options: ProxyAuthOptions,
): Promise<AuthVerdict> {
  const methods = options.methods ?? ['INVITE'];
  const from = request.get('from');
  if (from === undefined || from.uri.kind !== 'sip' || !myself.isLocalDomain(from.uri.host)) {
    return { kind: 'pass', user: undefined };
  }
  const realm = options.realm ?? myself.realmFor(from.uri.host);
  if (request.toTag !== undefined || !methods.includes(request.method)) {
    // Phones may keep answering our challenge within the dialog (section 22.3 allows it); the
    // credentials are for us, so they never go further, whether we check them or not.
    consumeCredentials(base, realm, true);
    return { kind: 'pass', user: undefined };
  }
  const result = await options.digest.verify(request, { realm, proxy: true, users: options.users });
  if (!result.ok) {
    return { kind: 'reject', response: result.respond, detail: `${result.reason}: ${result.detail}` };
  }
  if (!authorizedForAor(result.username, from.uri)) {
    const response = responseTo(request, 403, { reason: 'Forbidden Auth ID' });
    return { kind: 'reject', response, detail: `user ${result.username} is not ${from.uri.toString()}` };
  }
  consumeCredentials(base, realm, true);
  return { kind: 'pass', user: result.username };
}
