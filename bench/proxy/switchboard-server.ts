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
 *   node bench/proxy/switchboard-server.js --port P --rcvbuf BYTES [--auth on|off] [--password PW]
 *
 * Tells its parent `{ kind: 'ready', port, pid }` once listening; stops on `{ kind: 'stop' }`
 * or when the IPC channel closes.
 */
import { parseArgs } from 'node:util';
import { computeHa1, type DigestHash, type UserLookup } from '../../src/auth/index.js';
import { startServer } from '../../src/roles/server/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    rcvbuf: { type: 'string' },
    auth: { type: 'string' },
    password: { type: 'string' },
    workers: { type: 'string' },
  },
});
if (Number(values.workers ?? 1) !== 1) throw new Error('--workers: only 1 for now');

const password = values.password ?? 'secret';
/** Every user has the bench password: the same check as Kamailio's pv_auth_check("$td", password). */
const users: UserLookup = {
  lookupHa1: async (username: string, realm: string, hash: DigestHash) => computeHa1(hash, username, realm, password),
};

const server = await startServer({
  role: 'server',
  listen: [{ transport: 'udp', host: '127.0.0.1', port: Number(values.port ?? 0) }],
  transportOptions: { receiveBufferSize: Number(values.rcvbuf ?? 4 * 1024 * 1024) },
  store: { kind: 'sqlite', dataDir: ':memory:' },
  auth: values.auth === 'on' ? { users, algorithms: ['MD5'], methods: [] } : false,
  proxy: { recordRoute: true },
  // Bindings are kept for the whole run (Expires 3600): no purge in the middle of a step.
  purgeIntervalMs: 0,
});

const endpoint = server.endpoints[0];
process.send?.({ kind: 'ready', port: endpoint?.port ?? 0, pid: process.pid });

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('message', (raw: unknown) => {
  if ((raw as { kind?: string }).kind === 'stop') stop();
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
