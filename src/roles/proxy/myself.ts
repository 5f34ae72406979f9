/**
 * "Is this us?" — the questions RFC 3261 section 16 keeps asking: is a Route value this proxy
 * (16.4: "If the first value in the Route header field indicates this proxy"), did this proxy
 * put the Request-URI into a Record-Route (16.4, strict routing), is a Via sent-by ours (16.3
 * step 4, loop detection), and is a domain one we are responsible for (16.5, 10.3 step 1).
 * Kamailio calls the same test `myself`: the listening addresses plus aliases; the domain list
 * is Kamailio's `domain` module.
 */
import { SipUri, type Uri, type Via } from '../../sip/index.js';
import { defaultPort, type LocalEndpoint, sameAddress } from '../../transport/index.js';

export class Myself {
  readonly #domains: ReadonlySet<string>;
  readonly #aliases: readonly string[];

  /**
   * @param endpoints the bound listeners, read each time (ports are known only after binding)
   * @param domains the SIP domains served (lower-cased here)
   * @param aliases other host names or addresses that mean this element (a DNS name of the host)
   */
  constructor(
    private readonly endpoints: () => readonly LocalEndpoint[],
    domains: readonly string[],
    aliases: readonly string[] = [],
  ) {
    this.#domains = new Set(domains.map((d) => d.toLowerCase()));
    this.#aliases = aliases.map((a) => a.toLowerCase());
  }

  get domains(): readonly string[] {
    return [...this.#domains];
  }

  /**
   * The digest realm for a user of `host`: the domain itself when it is one we serve, else (our
   * own address used as a domain) the first configured domain, so that `alice@127.0.0.1` and
   * `alice@localhost` are one account when localhost is the domain.
   */
  realmFor(host: string): string {
    const h = host.toLowerCase();
    if (this.#domains.has(h)) return h;
    const first = this.#domains.values().next();
    return first.done ? h : first.value;
  }

  /** True when host[:port] names one of our listeners (any transport), or an alias. */
  isOwnHost(host: string, port: number | undefined): boolean {
    const h = host.toLowerCase();
    for (const ep of this.endpoints()) {
      const p = port ?? defaultPort(ep.transport);
      if (ep.port === p && sameAddress(ep.host, h)) return true;
    }
    return this.#aliases.includes(h) || this.#aliases.includes(`${h}:${port ?? ''}`);
  }

  /** True when the URI points at this element (a Route or Record-Route value of ours). */
  isOwnUri(uri: Uri): boolean {
    return uri instanceof SipUri && this.isOwnHost(uri.params.getUnquoted('maddr') ?? uri.host, uri.port);
  }

  /** True for a Via whose sent-by is ours (loop detection, section 16.3 step 4). */
  isOwnVia(via: Via): boolean {
    return this.isOwnHost(via.host, via.port);
  }

  /** True when `port` (or the default port when absent) is one of our listening ports. */
  private isOwnPort(port: number | undefined): boolean {
    return this.endpoints().some((ep) => ep.port === (port ?? defaultPort(ep.transport)));
  }

  /**
   * A domain we are responsible for, by host alone: a configured domain, an alias, or one of our
   * addresses. For identities (From, To), which rarely carry a port.
   */
  isLocalDomain(host: string): boolean {
    const h = host.toLowerCase();
    if (this.#domains.has(h) || this.#aliases.includes(h)) return true;
    return this.endpoints().some((ep) => sameAddress(ep.host, h));
  }

  /**
   * True when a Request-URI addresses one of our domains (section 16.5): a configured domain on
   * no port or one of ours, or this element's own address and port (Kamailio `uri==myself`).
   * `sip:bob@127.0.0.1:5070` is a phone beside us, not our domain.
   */
  isLocalUri(uri: Uri): boolean {
    if (!(uri instanceof SipUri)) return false;
    const h = uri.host.toLowerCase();
    if (this.#domains.has(h) && (uri.port === undefined || this.isOwnPort(uri.port))) return true;
    return this.isOwnHost(h, uri.port);
  }
}
