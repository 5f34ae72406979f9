/**
 * RFC 3263 "Locating SIP Servers": from a SIP/SIPS URI (or a host, port and transport) to an
 * ordered list of destinations to try (section 4.3: on failure, the next one).
 *
 * - Numeric IP: no DNS. Transport from the transport parameter, else TLS for SIPS and UDP for
 *   SIP; port from the URI, else 5060/5061 (section 4.1, 4.2).
 * - Host name with an explicit port: A/AAAA only (section 4.2), same transport rule.
 * - Host name with a transport parameter: SRV for that transport (`_sips._tcp` for TLS), then
 *   A/AAAA on the default port when there is none (section 4.2).
 * - Otherwise NAPTR (section 4.1): records whose service is SIP+D2U, SIP+D2T or SIPS+D2T (only
 *   SIPS+D2T for a SIPS URI) with the "s" flag, by order then preference, each followed by its
 *   SRV; when there are no usable NAPTR records, SRV for `_sip._udp`, `_sip._tcp` and
 *   `_sips._tcp` (only `_sips._tcp` for SIPS); when there is no SRV either, A/AAAA with UDP for
 *   SIP and TLS for SIPS on the default port.
 *
 * SRV targets are ordered per RFC 2782 (srv-order.ts). Answers are cached on the injected Clock:
 * A/AAAA for their TTL; NAPTR and SRV, whose TTL node:dns does not report, for `srvTtlSeconds`;
 * negative answers for `negativeTtlSeconds`. Queries go through node:dns `Resolver` (c-ares) with
 * configurable servers, timeout and tries. A destination keeps the URI's host name for TLS
 * identity checks (RFC 5922 section 4.1: the domain of the URI, not the SRV target).
 */
import { Resolver as DnsResolver } from 'node:dns/promises';
import { SipUri, type TransportProtocol } from '../sip/index.js';
import type { Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { defaultPort, isIpLiteral, normalizeAddress, parseTransport, unbracket } from './addresses.js';
import { DnsCache } from './dns-cache.js';
import { orderSrv } from './srv-order.js';
import { type Destination, type DestinationResolver, type ResolveTarget, TransportError } from './types.js';

export interface NaptrAnswer {
  readonly flags: string;
  readonly service: string;
  readonly regexp: string;
  readonly replacement: string;
  readonly order: number;
  readonly preference: number;
}

export interface SrvAnswer {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly name: string;
}

export interface AddressAnswer {
  readonly address: string;
  readonly ttl: number;
}

/** The four queries RFC 3263 needs; node:dns by default, replaceable (tests, DNS-over-something). */
export interface DnsBackend {
  resolveNaptr(name: string): Promise<NaptrAnswer[]>;
  resolveSrv(name: string): Promise<SrvAnswer[]>;
  resolve4(name: string): Promise<AddressAnswer[]>;
  resolve6(name: string): Promise<AddressAnswer[]>;
  cancel?(): void;
}

export interface ResolverOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** DNS servers, "ip" or "ip:port" ("[v6]:port"); the system's when absent. */
  readonly servers?: readonly string[];
  /** Per-try query timeout (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Tries per server (default 2). */
  readonly tries?: number;
  /** Transports this client supports, in preference order for SRV without NAPTR (default udp, tcp, tls). */
  readonly transports?: readonly TransportProtocol[];
  /** Address families to look up (default both, IPv4 first). */
  readonly families?: 'ipv4' | 'ipv6' | 'ipv4-first' | 'ipv6-first';
  /** Cache time of NAPTR and SRV answers (node:dns does not report their TTL; default 60 s). */
  readonly srvTtlSeconds?: number;
  /** Cache time of "no such name / no records" answers (default 30 s). */
  readonly negativeTtlSeconds?: number;
  /** Upper bound of any cache time (default 3600 s). */
  readonly maxTtlSeconds?: number;
  /** Random numbers in [0, 1) for RFC 2782 weighted selection (default Math.random). */
  readonly random?: () => number;
  /** Replaces node:dns (servers/timeoutMs/tries then do not apply). */
  readonly backend?: DnsBackend;
}

/** Outcome of one query: records, or none with the reason (a negative answer or a failure). */
interface Answer<T> {
  readonly records: readonly T[];
  /** Set when the query failed (timeout, SERVFAIL, refused): not cached, reported if nothing resolves. */
  readonly failure?: string;
}

const NEGATIVE_CODES = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

const NAPTR_SERVICES: Readonly<Record<string, TransportProtocol>> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIPS+D2T': 'tls',
};

function srvName(transport: TransportProtocol, host: string): string {
  // RFC 3263 section 4.2: "_sips" for TLS (a SIPS URI, or TLS for a SIP URI), "_sip" otherwise.
  return transport === 'tls' ? `_sips._tcp.${host}` : `_sip._${transport}.${host}`;
}

function nodeBackend(options: ResolverOptions): DnsBackend {
  const r = new DnsResolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers !== undefined && options.servers.length > 0) r.setServers([...options.servers]);
  return {
    resolveNaptr: (name) => r.resolveNaptr(name),
    resolveSrv: (name) => r.resolveSrv(name),
    resolve4: (name) => r.resolve4(name, { ttl: true }),
    resolve6: (name) => r.resolve6(name, { ttl: true }),
    cancel: () => r.cancel(),
  };
}

/** Destinations from one SRV name; answered is true when it had records (even only "."). */
interface SrvResult {
  readonly answered: boolean;
  readonly destinations: Destination[];
}

interface Normalized {
  readonly host: string;
  readonly port: number | undefined;
  readonly transport: TransportProtocol | undefined;
  readonly secure: boolean;
}

export class Resolver implements DestinationResolver {
  private readonly backend: DnsBackend;
  private readonly cache: DnsCache;
  private readonly logger: Logger;
  private readonly transports: readonly TransportProtocol[];
  private readonly families: NonNullable<ResolverOptions['families']>;
  private readonly srvTtl: number;
  private readonly negativeTtl: number;
  private readonly maxTtl: number;
  private readonly random: () => number;

  constructor(options: ResolverOptions) {
    this.backend = options.backend ?? nodeBackend(options);
    this.cache = new DnsCache(options.clock);
    this.logger = (options.logger ?? nullLogger).child({ component: 'resolver' });
    this.transports = options.transports ?? ['udp', 'tcp', 'tls'];
    this.families = options.families ?? 'ipv4-first';
    this.srvTtl = options.srvTtlSeconds ?? 60;
    this.negativeTtl = options.negativeTtlSeconds ?? 30;
    this.maxTtl = options.maxTtlSeconds ?? 3600;
    this.random = options.random ?? Math.random;
  }

  /** Ordered destinations for a URI or target; rejects with ERR_TRANSPORT_RESOLVE when there are none. */
  async resolve(target: SipUri | ResolveTarget): Promise<Destination[]> {
    const t = this.normalize(target);
    const failures: string[] = [];
    const found = await this.locate(t, failures);
    const seen = new Set<string>();
    const out = found.filter((d) => {
      const key = `${d.transport}|${d.address}|${d.port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (out.length === 0) {
      const why = failures.length > 0 ? `: ${failures.join('; ')}` : '';
      throw new TransportError('ERR_TRANSPORT_RESOLVE', `no destination found for ${t.host}${why}`);
    }
    return out;
  }

  /** Forgets every cached answer. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Cancels outstanding queries (they reject). */
  cancel(): void {
    this.backend.cancel?.();
  }

  private normalize(target: SipUri | ResolveTarget): Normalized {
    if (target instanceof SipUri) {
      const secure = target.scheme === 'sips';
      const param = target.params.get('transport');
      let transport = param === undefined || param === null ? undefined : parseTransport(param);
      if (param !== undefined && param !== null && transport === undefined) {
        throw new TransportError('ERR_TRANSPORT_RESOLVE', `transport=${param} is not supported`);
      }
      // RFC 3261 section 26.2.2 / RFC 3263 section 4.1: a SIPS URI over TCP means TLS.
      if (secure && transport === 'tcp') transport = 'tls';
      if (secure && transport === 'udp') {
        throw new TransportError('ERR_TRANSPORT_RESOLVE', 'a SIPS URI cannot use UDP');
      }
      // Section 4.1 of RFC 3263 via RFC 3261 section 19.1.1: maddr overrides the host.
      const maddr = target.params.getUnquoted('maddr');
      return { host: unbracket(maddr ?? target.host), port: target.port, transport, secure };
    }
    const secure = target.secure ?? target.transport === 'tls';
    return { host: unbracket(target.host), port: target.port, transport: target.transport, secure };
  }

  private async locate(t: Normalized, failures: string[]): Promise<Destination[]> {
    const fixed = t.transport ?? (t.secure ? 'tls' : 'udp');
    // RFC 3263 section 4.1: "If the TARGET was a numeric IP address, [use] UDP for a SIP URI,
    // and TCP for a SIPS URI" (TLS over TCP); section 4.2: the URI's port or the default.
    if (isIpLiteral(t.host)) {
      return [{ transport: fixed, address: normalizeAddress(t.host), port: t.port ?? defaultPort(fixed) }];
    }
    // Section 4.2: "If the TARGET was not a numeric IP address, but a port is present in the
    // URI, the client performs an A or AAAA record lookup of the domain name."
    if (t.port !== undefined) return this.addresses(t.host, fixed, t.port, t.host, failures);
    // "If ... a transport was specified explicitly, the client performs an SRV query for that
    // specific transport".
    if (t.transport !== undefined) {
      const viaSrv = await this.srv(t.transport, t.host, t.host, failures);
      if (viaSrv.answered) return viaSrv.destinations;
      return this.addresses(t.host, t.transport, defaultPort(t.transport), t.host, failures);
    }
    const viaNaptr = await this.naptr(t, failures);
    if (viaNaptr.length > 0) return viaNaptr;
    // "If no NAPTR records are found, the client constructs SRV queries for those transport
    // protocols it supports, and does a query for each."
    const candidates = this.transports.filter((tr) => tr === 'udp' || tr === 'tcp' || tr === 'tls');
    const allowed = t.secure ? candidates.filter((tr) => tr === 'tls') : candidates;
    const lists = await Promise.all(allowed.map((tr) => this.srv(tr, t.host, t.host, failures)));
    // RFC 2782: a lone "." target says the service is decidedly not there: no A/AAAA fallback.
    if (lists.some((l) => l.answered)) return lists.flatMap((l) => l.destinations);
    // "If no SRV records were found, the client SHOULD use TCP for a SIPS URI, and UDP for a
    // SIP URI" with an A or AAAA lookup.
    return this.addresses(t.host, fixed, defaultPort(fixed), t.host, failures);
  }

  private async naptr(t: Normalized, failures: string[]): Promise<Destination[]> {
    const answer = await this.query(
      `NAPTR:${t.host}`,
      () => this.backend.resolveNaptr(t.host),
      () => this.srvTtl,
    );
    if (answer.failure) failures.push(`NAPTR ${t.host}: ${answer.failure}`);
    const usable = answer.records
      .filter((r) => {
        const transport = NAPTR_SERVICES[r.service.toUpperCase()];
        if (transport === undefined || !this.transports.includes(transport)) return false;
        // "... if the URI is a SIPS URI, only SIPS+D2X records are considered".
        if (t.secure && transport !== 'tls') return false;
        return r.flags.toLowerCase() === 's' && r.replacement !== '' && r.replacement !== '.';
      })
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const out: Destination[] = [];
    for (const r of usable) {
      const transport = NAPTR_SERVICES[r.service.toUpperCase()] as TransportProtocol;
      out.push(...(await this.srvRecords(r.replacement, transport, t.host, failures)).destinations);
    }
    return out;
  }

  private srv(transport: TransportProtocol, host: string, hostname: string, failures: string[]): Promise<SrvResult> {
    return this.srvRecords(srvName(transport, host), transport, hostname, failures);
  }

  private async srvRecords(
    name: string,
    transport: TransportProtocol,
    hostname: string,
    failures: string[],
  ): Promise<SrvResult> {
    const answer = await this.query(
      `SRV:${name}`,
      () => this.backend.resolveSrv(name),
      () => this.srvTtl,
    );
    if (answer.failure) failures.push(`SRV ${name}: ${answer.failure}`);
    const ordered = orderSrv(answer.records, this.random);
    const lists = await Promise.all(ordered.map((r) => this.addresses(r.name, transport, r.port, hostname, failures)));
    return { answered: answer.records.length > 0, destinations: lists.flat() };
  }

  private async addresses(
    host: string,
    transport: TransportProtocol,
    port: number,
    hostname: string,
    failures: string[],
  ): Promise<Destination[]> {
    const want4 = this.families !== 'ipv6';
    const want6 = this.families !== 'ipv4';
    const ttlOf = (records: readonly AddressAnswer[]) =>
      Math.min(this.maxTtl, ...records.map((r) => Math.max(0, r.ttl)));
    const none: Answer<AddressAnswer> = { records: [] };
    const [a, aaaa] = await Promise.all([
      want4 ? this.query(`A:${host}`, () => this.backend.resolve4(host), ttlOf) : none,
      want6 ? this.query(`AAAA:${host}`, () => this.backend.resolve6(host), ttlOf) : none,
    ]);
    if (a.failure) failures.push(`A ${host}: ${a.failure}`);
    if (aaaa.failure) failures.push(`AAAA ${host}: ${aaaa.failure}`);
    const v4 = a.records.map((r) => r.address);
    const v6 = aaaa.records.map((r) => r.address);
    const ordered = this.families === 'ipv6-first' ? [...v6, ...v4] : [...v4, ...v6];
    return ordered.map((address) => ({ transport, address: normalizeAddress(address), port, hostname }));
  }

  /** One cached query; negative answers become an empty list, failures an empty uncached one. */
  private async query<T>(
    key: string,
    run: () => Promise<T[]>,
    ttlOf: (records: readonly T[]) => number,
  ): Promise<Answer<T>> {
    return this.cache.get<Answer<T>>(
      key,
      async () => {
        try {
          return { records: await run() };
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'string' && NEGATIVE_CODES.has(code)) return { records: [] };
          this.logger.debug('DNS query failed', { key, error: errorMessage(err) });
          return { records: [], failure: typeof code === 'string' ? code : errorMessage(err) };
        }
      },
      (answer) => {
        if (answer.failure !== undefined) return 0;
        if (answer.records.length === 0) return Math.min(this.negativeTtl, this.maxTtl);
        return Math.min(ttlOf(answer.records), this.maxTtl);
      },
    );
  }
}
