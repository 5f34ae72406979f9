/**
 * Where an outgoing call goes. A SIP URI (or user@host) is dialled as given; anything else is a
 * number: the dial plan picks a template (rewrite, ;user=phone, route), and the number becomes
 * sip:<number>@<domain>. The route decides the next hops: the configured proxies (primary first,
 * then the backups the UA fails over to after the primary's Timer B, RFC 3263 section 4.3), the
 * emergency proxy for a template marked Route="emergency", or the target itself when no proxy is
 * configured (peer-to-peer).
 */
import { parseUri, SipUri, type Uri } from '../../sip/index.js';
import { DialPlan } from './dial-plan.js';
import type { PhoneConfig } from './phone-config.js';

export interface CallRoute {
  readonly uri: Uri;
  /** Next hops; empty = straight to the Request-URI. */
  readonly proxies: readonly Uri[];
  readonly route: 'default' | 'emergency' | 'direct';
  /** The MATCH of the dial plan template used. */
  readonly template: string | undefined;
}

export type RouteOutcome =
  | { readonly ok: true; readonly route: CallRoute }
  | { readonly ok: false; readonly error: string };

const URI_LIKE = /^(sips?|tel):/i;

export class CallRouter {
  private plan: DialPlan;

  constructor(
    private config: PhoneConfig,
    /** Host[:port] of our AOR, for numbers dialled without a domain. */
    private readonly ownDomain: string,
  ) {
    this.plan = new DialPlan(config.dialPlan);
  }

  reconfigure(config: PhoneConfig): void {
    this.config = config;
    this.plan = new DialPlan(config.dialPlan);
  }

  resolve(target: string): RouteOutcome {
    const text = target.trim();
    if (text.length === 0) return { ok: false, error: 'nothing to dial' };
    const proxies = this.config.proxies.map((p) => parseUri(p));
    if (URI_LIKE.test(text) || text.includes('@')) {
      let uri: Uri;
      try {
        uri = parseUri(URI_LIKE.test(text) ? text : `sip:${text}`);
      } catch (err) {
        return { ok: false, error: `not a SIP URI: ${text} (${(err as Error).message})` };
      }
      return {
        ok: true,
        route: { uri, proxies, route: proxies.length > 0 ? 'default' : 'direct', template: undefined },
      };
    }
    if (!/^[A-Za-z0-9*#+._-]+$/.test(text)) return { ok: false, error: `cannot dial "${text}"` };
    const m = this.plan.match(text);
    const number = m?.number ?? text;
    const emergency = m?.route === 'emergency' && this.config.emergencyProxy !== undefined;
    const hops = emergency ? [parseUri(this.config.emergencyProxy as string)] : proxies;
    const domain = this.config.domain ?? hostOfProxy(proxies[0]) ?? this.ownDomain;
    let uri: Uri;
    try {
      uri = parseUri(`sip:${escapeUser(number)}@${domain}${m?.user ? `;user=${m.user}` : ''}`);
    } catch (err) {
      return { ok: false, error: `cannot make a SIP URI of "${number}": ${(err as Error).message}` };
    }
    return {
      ok: true,
      route: {
        uri,
        proxies: hops,
        route: emergency ? 'emergency' : hops.length > 0 ? 'default' : 'direct',
        template: m?.template.match,
      },
    };
  }
}

function hostOfProxy(uri: Uri | undefined): string | undefined {
  return uri instanceof SipUri ? uri.host : undefined;
}

/** '#' is not allowed unescaped in a user part (RFC 3261 section 25.1). */
function escapeUser(number: string): string {
  return number.replace(/#/g, '%23');
}
