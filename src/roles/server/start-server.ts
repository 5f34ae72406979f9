/**
 * Starting a proxy, a registrar, or both on one port, in-process: what the `switchboard proxy |
 * registrar | server` commands run, and what tests, scenario harnesses and benchmarks call:
 *
 *   const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: ['example.com'] });
 *   ... server.uri (sip:127.0.0.1:PORT), server.endpoints ...
 *   await server.stop();
 *
 * It opens the stores (SQLite in memory unless told otherwise, or stores handed in), binds the
 * transports (or uses a transport handed in: a MemoryTransport for virtual-clock tests), builds
 * one transaction layer, and puts the proxy, the registrar or the dispatcher of both on top of
 * it. Bindings past their expiry are purged from the store every few minutes.
 */
import { type DigestAlgorithm, DigestServer, type UserLookup } from '../../auth/index.js';
import { Params, SipUri } from '../../sip/index.js';
import { openStores, type StoreOptions, type Stores } from '../../store/index.js';
import { type TimerBase, TransactionLayer, type TransactionUser } from '../../transaction/index.js';
import {
  bracketHost,
  type ListenSpec,
  type LocalEndpoint,
  type Transport,
  TransportManager,
  type TransportManagerOptions,
} from '../../transport/index.js';
import { type Clock, errorMessage, type Logger, nullLogger, RealClock, type TimerHandle } from '../../util/index.js';
import {
  type MetricSample,
  MetricSet,
  Myself,
  PROXY_ALLOW,
  type ProxyHooks,
  type ProxyOptions,
  SipProxy,
} from '../proxy/index.js';
import { Registrar, type RegistrarOptions, RegistrarService } from '../registrar/index.js';
import { ServerConfigError } from './config-schema.js';
import { parseListenText, toListenSpec } from './listen-spec.js';
import { ServerDispatcher } from './server-dispatcher.js';

export type ServerRole = 'server' | 'proxy' | 'registrar';

export interface ServerAuthOptions {
  /** One realm for every domain; default: each user's domain. */
  readonly realm?: string | undefined;
  /** Methods the proxy challenges (default INVITE). */
  readonly methods?: readonly string[] | undefined;
  /** Nonce secret, shared by instances behind one name (default: random per instance). */
  readonly secret?: string | undefined;
  readonly nonceLifetimeMs?: number | undefined;
  readonly algorithms?: readonly DigestAlgorithm[] | undefined;
  /** Where HA1s come from (default: the user store). */
  readonly users?: UserLookup | undefined;
}

export type ProxyTuning = Omit<
  ProxyOptions,
  'transactions' | 'clock' | 'logger' | 'domains' | 'aliases' | 'locations' | 'auth' | 'hooks' | 'metrics'
>;

export type RegistrarTuning = Pick<RegistrarOptions, 'minExpires' | 'maxExpires' | 'defaultExpires' | 'maxContacts'>;

export interface StartServerOptions {
  /** `server` (proxy and registrar on one port, the default), `proxy` or `registrar`. */
  readonly role?: ServerRole;
  /** Listeners, `udp:127.0.0.1:0` or ListenSpec; default one UDP listener on 127.0.0.1, any port. */
  readonly listen?: readonly (string | ListenSpec)[];
  /** A transport to use instead of binding sockets (MemoryTransport in tests); stop() stops it. */
  readonly transport?: Transport & { stop?(): Promise<void> };
  readonly transportOptions?: TransportManagerOptions;
  readonly domains?: readonly string[];
  readonly aliases?: readonly string[];
  /** Stores to open (default SQLite in memory), or stores already open (the caller closes them). */
  readonly store?: StoreOptions | Stores;
  /** Digest authentication: false (default) or its options. */
  readonly auth?: false | ServerAuthOptions;
  readonly proxy?: ProxyTuning;
  readonly registrar?: RegistrarTuning;
  readonly hooks?: readonly ProxyHooks[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly timers?: Partial<TimerBase>;
  /** Delay before the INVITE server transaction sends 100 Trying itself (default 150 ms). */
  readonly tryingDelayMs?: number;
  /** Purge expired bindings this often (default 300 000 ms; 0 never). */
  readonly purgeIntervalMs?: number;
}

export interface RunningServer {
  readonly role: ServerRole;
  /** The bound listeners. */
  readonly endpoints: readonly LocalEndpoint[];
  /** `sip:host:port` of the first listener (`;transport=tcp` for a stream one): the URI phones use. */
  readonly uri: SipUri;
  readonly transactions: TransactionLayer;
  readonly stores: Stores;
  readonly proxy: SipProxy | undefined;
  readonly registrar: Registrar | undefined;
  readonly metrics: MetricSet;
  /** Counters plus current gauges (transactions, registered contacts and AORs). */
  metricSamples(): Promise<MetricSample[]>;
  /** Stops listening, ends every transaction, closes the stores it opened. Idempotent. */
  stop(): Promise<void>;
}

function isStores(s: StoreOptions | Stores): s is Stores {
  return 'locations' in s;
}

function listenSpecOf(entry: string | ListenSpec, index: number): ListenSpec {
  if (typeof entry !== 'string') return entry;
  const parsed = parseListenText(entry);
  if (parsed === undefined) {
    throw new ServerConfigError(undefined, `listen[${index}]`, `expected "transport:host:port", not "${entry}"`);
  }
  return toListenSpec(parsed);
}

function uriOf(ep: LocalEndpoint): SipUri {
  const params = ep.transport === 'udp' ? Params.empty : Params.of({ transport: ep.transport });
  return new SipUri({ host: bracketHost(ep.host), port: ep.port, params });
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const role = options.role ?? 'server';
  const clock = options.clock ?? new RealClock();
  const logger = (options.logger ?? nullLogger).child({ role });
  const given = options.store !== undefined && isStores(options.store) ? options.store : undefined;
  const storeOptions = options.store !== undefined && !isStores(options.store) ? options.store : undefined;
  const stores =
    given ?? (await openStores({ ...(storeOptions ?? { kind: 'sqlite', dataDir: ':memory:' }), clock, logger }));
  let transport: Transport & { stop?(): Promise<void> };
  try {
    if (options.transport !== undefined) transport = options.transport;
    else {
      const listen = (options.listen ?? ['udp:127.0.0.1:0']).map(listenSpecOf);
      const manager = new TransportManager({ listen, clock, logger, options: options.transportOptions });
      await manager.start();
      transport = manager;
    }
  } catch (err) {
    if (given === undefined) await stores.close();
    throw err;
  }
  const transactions = new TransactionLayer({
    transport,
    clock,
    logger,
    timers: options.timers,
    tryingDelayMs: options.tryingDelayMs ?? 150,
  });
  const metrics = new MetricSet();
  const auth = options.auth === undefined || options.auth === false ? undefined : options.auth;
  const digest =
    auth === undefined
      ? undefined
      : new DigestServer({
          clock,
          ...(auth.secret === undefined ? {} : { secret: auth.secret }),
          ...(auth.nonceLifetimeMs === undefined ? {} : { nonceLifetimeMs: auth.nonceLifetimeMs }),
          // MD5 alone unless configured (see config-schema.ts: old clients refuse other challenges).
          algorithms: auth.algorithms ?? ['MD5'],
        });
  const users = auth?.users ?? stores.users;
  const domains = options.domains ?? [];
  const aliases = options.aliases ?? [];
  const proxy =
    role === 'registrar'
      ? undefined
      : new SipProxy({
          ...options.proxy,
          transactions,
          clock,
          logger,
          domains,
          aliases,
          locations: stores.locations,
          hooks: options.hooks ?? [],
          metrics,
          allow: options.proxy?.allow ?? (role === 'server' ? [...PROXY_ALLOW, 'REGISTER'] : PROXY_ALLOW),
          ...(auth === undefined || digest === undefined
            ? {}
            : { auth: { digest, users, realm: auth.realm, methods: auth.methods } }),
          ...(auth?.secret === undefined ? {} : { secret: auth.secret }),
        });
  const myself = proxy?.myself ?? new Myself(() => transport.endpoints(), domains, aliases);
  const registrar =
    role === 'proxy'
      ? undefined
      : new Registrar({
          ...options.registrar,
          transactions,
          locations: stores.locations,
          myself,
          clock,
          logger,
          metrics,
          ...(digest === undefined ? {} : { auth: { digest, users, realm: auth?.realm } }),
        });
  let user: TransactionUser;
  if (proxy !== undefined && registrar !== undefined) user = new ServerDispatcher(proxy, registrar);
  else if (proxy !== undefined) user = proxy;
  else user = new RegistrarService(registrar as Registrar);
  transactions.setUser(user);

  let purge: TimerHandle | undefined;
  const purgeEvery = options.purgeIntervalMs ?? 300_000;
  const schedulePurge = (): void => {
    if (purgeEvery <= 0) return;
    purge = clock.setTimer(purgeEvery, () => {
      stores.locations.expire(clock.wallTime()).then(
        (gone) => gone.length > 0 && logger.debug('expired bindings purged', { count: gone.length }),
        (err: unknown) => logger.warn('purging expired bindings failed', { error: errorMessage(err) }),
      );
      schedulePurge();
    });
  };
  schedulePurge();

  const endpoints = transport.endpoints();
  const first = endpoints[0];
  if (first === undefined) throw new ServerConfigError(undefined, 'listen', 'no listener');
  let stopping: Promise<void> | undefined;
  return {
    role,
    endpoints,
    uri: uriOf(first),
    transactions,
    stores,
    proxy,
    registrar,
    metrics,
    async metricSamples() {
      const stats = transactions.stats();
      const live = await stores.locations.stats(clock.wallTime());
      const gauges: MetricSample[] = [
        gauge('sip_transactions_active', 'Transactions in progress', { kind: 'client' }, stats.clientTransactions),
        gauge('sip_transactions_active', 'Transactions in progress', { kind: 'server' }, stats.serverTransactions),
        gauge('registrar_contacts', 'Live bindings in the location service', {}, live.contacts),
        gauge('registrar_aors', 'Addresses of record with a live binding', {}, live.aors),
      ];
      return [...metrics.samples(), ...gauges];
    },
    stop() {
      stopping ??= (async () => {
        purge?.cancel();
        transactions.close();
        await transport.stop?.();
        if (given === undefined) await stores.close();
      })();
      return stopping;
    },
  };
}

function gauge(name: string, help: string, labels: Record<string, string>, value: number): MetricSample {
  return { name, type: 'gauge', help, labels, value };
}
