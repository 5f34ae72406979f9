/**
 * `switchboard server|proxy|registrar`: runs the stateful proxy and the registrar on one port
 * (`server`, what `npm start` runs), or either alone, until SIGINT or SIGTERM.
 *
 *   switchboard server [--config FILE] [--listen udp:HOST:PORT ...] [--domain D ...]
 *                      [--data DIR | --db postgres://...] [--auth on|off] [--realm R]
 *                      [--log-level debug|info|warn|error|silent]
 *
 * With no options: UDP and TCP on 127.0.0.1:5060, domain $SWITCHBOARD_DOMAIN or localhost,
 * SQLite under $SWITCHBOARD_DATA or ./data, digest authentication on. It prints one
 * `listening udp 127.0.0.1:5060` line per listener and one `ready ...` line, logs JSON lines on
 * standard error, and exits 0 after a signal, 1 when it cannot start (the port is taken: one
 * line saying so), 2 for a bad command line or configuration (one line naming the field).
 */
import { parseArgs } from 'node:util';
import {
  applyFlags,
  endpointText,
  loadServerConfig,
  type RunningServer,
  type ServerConfig,
  ServerConfigError,
  type ServerRole,
  startOptionsFromConfig,
  startServer,
} from '../roles/server/index.js';
import { TransportError } from '../transport/index.js';
import { errorMessage, JsonLogger, type Logger, nullLogger, RealClock, SwitchboardError } from '../util/index.js';
import type { CommandIO } from './io.js';
import { signalled } from './signals.js';

const OPTIONS = {
  config: { type: 'string' },
  listen: { type: 'string', multiple: true },
  domain: { type: 'string', multiple: true },
  data: { type: 'string' },
  db: { type: 'string' },
  auth: { type: 'string' },
  realm: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ServerCommandOptions {
  /** Resolves when the command should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
  /** Environment for defaults ($SWITCHBOARD_DOMAIN, $SWITCHBOARD_DATA, $SWITCHBOARD_DB). */
  readonly env?: NodeJS.ProcessEnv;
}

function usage(role: ServerRole): string {
  return (
    `usage: switchboard ${role} [--config FILE] [--listen udp|tcp|tls:HOST:PORT ...] [--domain D ...] ` +
    '[--data DIR | --db postgres://...] [--auth on|off] [--realm R] [--log-level L]'
  );
}

/** The listener a bind failure is about, from the socket error's syscall, address and port. */
function failedListener(config: ServerConfig, err: TransportError): string | undefined {
  const cause = err.cause as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  if (cause?.code !== 'EADDRINUSE' && cause?.code !== 'EACCES' && cause?.code !== 'EADDRNOTAVAIL') return undefined;
  const transports = cause.syscall === 'bind' ? ['udp'] : ['tcp', 'tls'];
  const specs = startOptionsFromConfig(config, 'server').listen ?? [];
  for (const s of specs) {
    if (typeof s === 'string' || !transports.includes(s.transport)) continue;
    if (cause.port !== undefined && s.port !== cause.port) continue;
    return `${s.transport}:${s.host?.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
  }
  return cause.address === undefined ? undefined : `${transports[0]}:${cause.address}:${cause.port ?? ''}`;
}

function startFailure(role: ServerRole, config: ServerConfig, err: unknown): string {
  if (err instanceof TransportError) {
    const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code;
    const where = failedListener(config, err);
    if (cause === 'EADDRINUSE' && where !== undefined) {
      return `switchboard ${role}: ${where} is already in use (another SIP server is running there?); choose another with --listen`;
    }
    if (cause === 'EACCES' && where !== undefined) return `switchboard ${role}: not allowed to listen on ${where}`;
  }
  return `switchboard ${role}: cannot start: ${errorMessage(err).split('\n')[0]}`;
}

function loggerFor(level: ServerConfig['log']['level']): Logger {
  return level === 'silent' ? nullLogger : new JsonLogger(process.stderr, level);
}

function describeAuth(config: ServerConfig): string {
  if (!config.auth.enabled) return 'auth off';
  return `auth on (realm ${config.auth.realm ?? 'per domain'}, challenging ${config.auth.methods.join(',')} and REGISTER)`;
}

async function run(
  role: ServerRole,
  argv: readonly string[],
  io: CommandIO,
  options: ServerCommandOptions,
): Promise<number> {
  const env = options.env ?? process.env;
  let config: ServerConfig;
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    if (values.help) {
      io.stdout(usage(role));
      return 0;
    }
    if (positionals.length > 0) throw new ServerConfigError(undefined, 'arguments', `unexpected "${positionals[0]}"`);
    const fromFile = await loadServerConfig(values.config);
    config = applyFlags(fromFile, {
      listen: values.listen,
      domain: values.domain,
      data: values.data,
      db: values.db,
      auth: values.auth,
      realm: values.realm,
      logLevel: values['log-level'],
    });
    if (config.domains.length === 0) config = { ...config, domains: [env['SWITCHBOARD_DOMAIN'] || 'localhost'] };
    if (config.store.db === undefined && config.store.data === undefined) {
      // The same defaults as `switchboard user`: $SWITCHBOARD_DB, else $SWITCHBOARD_DATA, else ./data.
      const db = env['SWITCHBOARD_DB'];
      const store = db ? { db } : { data: env['SWITCHBOARD_DATA'] || './data' };
      config = applyFlags(config, store);
    }
  } catch (err) {
    const line = err instanceof SwitchboardError || err instanceof TypeError ? errorMessage(err) : String(err);
    io.stderr(`switchboard ${role}: ${line.split('\n')[0]}`);
    return 2;
  }
  const logger = loggerFor(config.log.level);
  let server: RunningServer;
  try {
    server = await startServer({ ...startOptionsFromConfig(config, role), clock: new RealClock(), logger });
  } catch (err) {
    io.stderr(startFailure(role, config, err));
    return err instanceof ServerConfigError ? 2 : 1;
  }
  for (const ep of server.endpoints) io.stdout(`listening ${endpointText(ep).replace(':', ' ')}`);
  const store = `${server.stores.description} (${server.stores.durability})`;
  io.stdout(
    `ready: switchboard ${role}, domains ${config.domains.join(', ')}, store ${store}, ${describeAuth(config)}`,
  );
  if (config.auth.enabled && (await server.stores.users.list()).length === 0) {
    io.stdout(
      `note: no accounts yet, every REGISTER and INVITE will be challenged in vain; add one with ` +
        `npx switchboard user add alice@${config.domains[0]} --password ...  (or run with --auth off)`,
    );
  }
  await (options.until ?? signalled());
  await server.stop();
  io.stdout(`stopped: switchboard ${role}`);
  return 0;
}

/** `switchboard server`: proxy and registrar on one port. */
export function serverCommand(
  argv: readonly string[],
  io: CommandIO,
  options: ServerCommandOptions = {},
): Promise<number> {
  return run('server', argv, io, options);
}

/** `switchboard proxy`: the stateful proxy alone (location service read from the store). */
export function proxyCommand(
  argv: readonly string[],
  io: CommandIO,
  options: ServerCommandOptions = {},
): Promise<number> {
  return run('proxy', argv, io, options);
}

/** `switchboard registrar`: the registrar alone. */
export function registrarCommand(
  argv: readonly string[],
  io: CommandIO,
  options: ServerCommandOptions = {},
): Promise<number> {
  return run('registrar', argv, io, options);
}
