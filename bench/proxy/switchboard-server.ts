/**
 * The Switchboard side of bench/proxy, in a process of its own (forked by run.ts with an IPC
 * channel): `startServer` in `server` role (proxy and registrar on one UDP port, SQLite location
 * store in memory, Record-Route on: what `switchboard server --auth off` runs), plus what the
 * CLI's configuration cannot set yet: the UDP receive buffer (TransportManager's
 * receiveBufferSize, SO_RCVBUF), so that it gets the same buffer as Kamailio. With `--auth on`
 * REGISTER is challenged (401, MD5 only, qop=auth, as the Kamailio configuration of the bench)
 * and every user's password is the bench password, checked from memory as Kamailio's
 * pv_auth_check does (HA1 computed per request from the password). INVITEs are not challenged.
 *
 * With `--workers N` (N > 1) this process is a cluster primary that forks N workers sharing the
 * port (cluster-worker.ts: shared handle, Call-ID affinity, relaying), with the location store in
 * one SQLite file on tmpfs and one nonce secret; it runs no server itself.
 *
 *   node bench/proxy/switchboard-server.js --port P --rcvbuf BYTES [--auth on|off] [--password PW]
 *        [--workers N]
 *
 * Tells its parent `{ kind: 'ready', port, pid }` once listening; stops on `{ kind: 'stop' }`,
 * SIGTERM, or when the IPC channel closes.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { computeHa1, type DigestHash, type UserLookup } from '../../src/auth/index.js';
import { type RunningServer, startServer } from '../../src/roles/server/index.js';
import { openStores, type StoreOptions } from '../../src/store/index.js';
import { type SharedUdp, shareUdpPort } from './cluster-worker.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    rcvbuf: { type: 'string' },
    auth: { type: 'string' },
    password: { type: 'string' },
    workers: { type: 'string' },
  },
});

const port = Number(values.port ?? 0);
const receiveBufferSize = Number(values.rcvbuf ?? 4 * 1024 * 1024);
const workers = Number(values.workers ?? 1);
const password = values.password ?? 'secret';
/** Shared by the workers, so that a nonce one issued is good at another (servers.md, several instances). */
const NONCE_SECRET = 'bench-proxy-nonce-secret-0123456789';

/** Every user has the bench password: the same check as Kamailio's pv_auth_check("$td", password). */
const users: UserLookup = {
  lookupHa1: async (username: string, realm: string, hash: DigestHash) => computeHa1(hash, username, realm, password),
};

async function serve(store: StoreOptions): Promise<RunningServer> {
  return startServer({
    role: 'server',
    listen: [{ transport: 'udp', host: '127.0.0.1', port }],
    transportOptions: { receiveBufferSize },
    store,
    auth: values.auth === 'on' ? { users, algorithms: ['MD5'], methods: [], secret: NONCE_SECRET } : false,
    proxy: { recordRoute: true },
    // Bindings are kept for the whole run (Expires 3600): no purge in the middle of a step.
    purgeIntervalMs: 0,
  });
}

/** Runs `stop` once on the parent's stop message, its disconnection or SIGTERM. */
function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const once = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (raw: unknown) => {
    if ((raw as { kind?: string }).kind === 'stop') once();
  });
  process.on('disconnect', once);
  process.on('SIGTERM', once);
}

if (workers <= 1) {
  const server = await serve({ kind: 'sqlite', dataDir: ':memory:' });
  process.send?.({ kind: 'ready', port: server.endpoints[0]?.port ?? port, pid: process.pid });
  // `{ kind: 'sample', id }`: memory (after a full collection when run with --expose-gc), the
  // transactions and proxied requests still held, and the event loop's longest delay since the
  // previous sample (a message waits at least that long in the socket buffer).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('message', (raw: unknown) => {
    const m = raw as { kind?: string; id?: number };
    if (m.kind !== 'sample') return;
    const loopDelayMaxMs = loopDelay.max / 1e6;
    const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const mem = process.memoryUsage();
    const t = server.transactions.stats();
    process.send?.({
      kind: 'sample',
      id: m.id,
      heapUsed: mem.heapUsed,
      rss: mem.rss,
      collected: gc !== undefined,
      clientTransactions: t.clientTransactions,
      serverTransactions: t.serverTransactions,
      proxied: server.proxy?.activeRequests ?? 0,
      loopDelayMaxMs,
      loopDelayP99Ms,
    });
    loopDelay.reset();
  });
  onStop(() => server.stop());
} else if (cluster.isPrimary) {
  if (port === 0) throw new Error('--workers needs a fixed --port');
  // One store file on tmpfs for all workers; the schema is created here, before they race for it.
  const dataDir = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'switchboard-bench-'));
  await (await openStores({ kind: 'sqlite', dataDir, synchronous: 'normal' })).close();
  cluster.setupPrimary({ args: process.argv.slice(2) });
  const relays: number[] = new Array(workers).fill(0);
  let reported = 0;
  let ready = 0;
  const all: Worker[] = [];
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork({ SB_WORKER_INDEX: String(i), SB_DATA_DIR: dataDir });
    all.push(w);
    w.on('message', (m: { kind: string; relayPort?: number }) => {
      if (m.kind === 'relay') {
        relays[i] = m.relayPort ?? 0;
        if (++reported === workers) for (const x of all) x.send({ kind: 'peers', ports: relays });
      } else if (m.kind === 'ready' && ++ready === workers) {
        process.send?.({ kind: 'ready', port, pid: process.pid });
      }
    });
  }
  onStop(async () => {
    await Promise.all(
      all.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  });
} else {
  const index = Number(process.env.SB_WORKER_INDEX);
  const shared: SharedUdp = await shareUdpPort(port, index, workers, receiveBufferSize);
  const peersSet = new Promise<void>((resolve) => {
    process.on('message', (m: { kind?: string; ports?: number[] }) => {
      if (m.kind === 'peers' && m.ports) shared.setPeers(m.ports).then(resolve);
    });
  });
  process.send?.({ kind: 'relay', relayPort: shared.relayPort });
  const server = await serve({ kind: 'sqlite', dataDir: process.env.SB_DATA_DIR as string, synchronous: 'normal' });
  await peersSet;
  if (process.env.SB_DEBUG) setInterval(() => console.error(index, JSON.stringify(shared.stats())), 2000);
  process.send?.({ kind: 'ready' });
  process.on('SIGTERM', () => {
    server.stop().then(() => {
      shared.close();
      process.exit(0);
    });
  });
}
