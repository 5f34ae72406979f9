/**
 * Builds the phone's UserAgent from its settings: the address of record (user@domain, or
 * user@<our address:port> for peer-to-peer use), the proxies in failover order, the digest
 * account, and the media factory that binds a MediaSession per call.
 */
import { NameAddr, parseUri, SipUri } from '../../sip/index.js';
import type { TransactionLayer } from '../../transaction/index.js';
import { bracketHost } from '../../transport/index.js';
import { type SessionMedia, UserAgent } from '../../ua/index.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { DigestAuthenticator } from './digest-authenticator.js';
import type { PhoneConfig } from './phone-config.js';

export function createPhoneUa(
  config: PhoneConfig,
  transactions: TransactionLayer,
  clock: Clock,
  logger: Logger,
  createMedia: () => Promise<SessionMedia>,
): UserAgent {
  const ep = transactions.transport.localEndpoint(config.transport) ?? transactions.transport.endpoints()[0];
  if (!ep) throw new Error('the phone transport has no listening endpoint');
  let aor: SipUri;
  if (config.domain !== undefined) {
    const domain = parseUri(`sip:${config.domain}`) as SipUri;
    aor = new SipUri({
      user: config.user,
      host: domain.host,
      ...(domain.port !== undefined ? { port: domain.port } : {}),
    });
  } else {
    aor = new SipUri({ user: config.user, host: bracketHost(ep.host), port: ep.port });
  }
  const identity = new NameAddr(aor, config.displayName !== undefined ? { displayName: config.displayName } : {});
  const authenticator =
    config.password !== undefined
      ? new DigestAuthenticator(
          { username: config.authUser ?? config.user, password: config.password },
          { outboundProxyRealms: [] },
        )
      : undefined;
  return new UserAgent({
    transactions,
    identity,
    proxies: config.proxies,
    clock,
    logger,
    userAgent: config.userAgent,
    createMedia,
    ...(authenticator ? { authenticator } : {}),
  });
}
