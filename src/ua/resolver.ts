/**
 * The UA's default next-hop resolution when no RFC 3263 resolver is given: IP literals only
 * (section 4.2 of RFC 3263 without DNS): the transport from the URI's transport parameter (TLS for
 * sips), the port from the URI or the scheme's default. Anything that needs DNS is refused, which
 * tells the user to configure a resolver.
 */
import { isIP } from 'node:net';
import { SipUri, stripBrackets, type TransportProtocol, type Uri } from '../sip/index.js';
import { type Destination, TransportError } from '../transport/index.js';

export async function resolveLiteral(uri: Uri): Promise<Destination[]> {
  if (!(uri instanceof SipUri))
    throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', `cannot route to a ${uri.scheme} URI`);
  const target = uri.params.getUnquoted('maddr') ?? uri.host;
  const address = stripBrackets(target);
  if (isIP(address) === 0) {
    throw new TransportError(
      'ERR_TRANSPORT_UNAVAILABLE',
      `${address} is not an IP address and no DNS resolver is configured`,
    );
  }
  const param = uri.params.getUnquoted('transport')?.toLowerCase();
  const transport: TransportProtocol =
    uri.scheme === 'sips'
      ? 'tls'
      : param === 'tcp' || param === 'tls' || param === 'ws' || param === 'wss'
        ? param
        : 'udp';
  const port = uri.port ?? (transport === 'tls' || transport === 'wss' ? 5061 : 5060);
  return [{ transport, address, port }];
}
