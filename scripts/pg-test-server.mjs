#!/usr/bin/env node
// A throwaway PostgreSQL cluster for tests and for trying several Switchboard instances against
// one location service: initdb into a fresh temporary directory, start on 127.0.0.1 and a free
// port, hand back the connection string, and later stop it and delete everything.
//
// Debian's postgresql package puts its programs in /usr/lib/postgresql/<major>/bin (not on
// PATH); scripts/install-peers.sh installs it. PostgreSQL refuses to run as root, so as root the
// programs run as the `postgres` user the package creates (runuser), in a directory it owns.
// The cluster trusts every local connection and runs with fsync off: it is for tests only, it
// is never the durability under test (clients still get synchronous_commit semantics).
//
// As a module: `const pg = await startPostgres(); ... pg.url ...; await pg.stop();`
// As a command:
//   node scripts/pg-test-server.mjs start     prints the URL and the directory, leaves it running
//   node scripts/pg-test-server.mjs stop DIR  stops the cluster started in DIR and deletes DIR
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NOT_INSTALLED_MESSAGE =
  'PostgreSQL not installed: run scripts/install-peers.sh (Debian package postgresql)';

/** The directory holding initdb and pg_ctl: $PG_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinDir(env = process.env) {
  const explicit = env.PG_BIN_DIR;
  if (explicit) return existsSync(join(explicit, 'initdb')) ? explicit : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(root, majors[0], 'bin') : undefined;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** [command, args] running `program args` as the postgres user when we are root. */
function asPostgres(program, args) {
  if (!isRoot()) return [program, args];
  return ['runuser', ['-u', 'postgres', '--', program, ...args]];
}

function postgresIds() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no postgres user: reinstall the postgresql package');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function exec(program, args) {
  const [cmd, argv] = asPostgres(program, args);
  try {
    return await run(cmd, argv, { encoding: 'utf8' });
  } catch (err) {
    const e = /** @type {{ stderr?: string, stdout?: string, message: string }} */ (err);
    const detail = (e.stderr || e.stdout || e.message).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${program.split('/').pop()} failed: ${detail}`);
  }
}

function stopSync(binDir, dir) {
  const [cmd, argv] = asPostgres(join(binDir, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']);
  spawnSync(cmd, argv, { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts a cluster; resolves { url, port, dir, stop }. Rejects with NOT_INSTALLED_MESSAGE when
 * the binaries are missing. `keep: true` leaves it running when this process exits (the CLI).
 */
export async function startPostgres(options = {}) {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir || !existsSync(join(binDir, 'initdb')) || !existsSync(join(binDir, 'pg_ctl'))) {
    throw new Error(NOT_INSTALLED_MESSAGE);
  }
  // As root the cluster belongs to `postgres`, which must be able to reach its directory: /tmp
  // is world-traversable, a $TMPDIR under /root may not be.
  const dir = mkdtempSync(join(options.tmpRoot ?? (isRoot() ? '/tmp' : tmpdir()), 'switchboard-pg-'));
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const cleanup = () => stopSync(binDir, dir);
  try {
    await exec(join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    let port = 0;
    let lastError;
    // The free port is found by binding and releasing it; another process can take it in
    // between, so a start that fails is retried on a new port.
    for (let attempt = 0; attempt < 3; attempt++) {
      port = options.port ?? (await freePort());
      try {
        await exec(join(binDir, 'pg_ctl'), [
          'start',
          '-D',
          data,
          '-w',
          '-t',
          '30',
          '-l',
          join(dir, 'server.log'),
          '-o',
          `-h 127.0.0.1 -p ${port} -k '${dir}' -F -c max_connections=200`,
        ]);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err;
        if (options.port !== undefined) break;
      }
    }
    if (lastError) {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').trim() : '';
      throw new Error(`${lastError.message}${log ? ` (server log: ${log.split('\n').slice(-2).join(' | ')})` : ''}`);
    }
    // A test process that dies without calling stop() must not leave a server behind.
    if (!options.keep) process.once('exit', cleanup);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      dir,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', cleanup);
        await exec(join(binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** Stops a cluster started by `start` in DIR and deletes DIR. */
export function stopPostgres(dir, binDir = findPostgresBinDir()) {
  if (!binDir) throw new Error(NOT_INSTALLED_MESSAGE);
  if (!existsSync(join(dir, 'data', 'PG_VERSION'))) throw new Error(`${dir} holds no cluster started by this script`);
  stopSync(binDir, dir);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const [cmd, arg] = process.argv.slice(2);
  try {
    if (cmd === 'start') {
      const pg = await startPostgres({ keep: true });
      console.log(pg.url);
      console.log(`# stop with: node scripts/pg-test-server.mjs stop ${pg.dir}`);
    } else if (cmd === 'stop' && arg) {
      stopPostgres(arg);
    } else {
      console.error('usage: node scripts/pg-test-server.mjs start | stop DIR');
      process.exitCode = 2;
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
