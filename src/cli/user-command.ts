/**
 * `switchboard user add|list|remove|passwd|enable|disable`: manages the accounts the registrar
 * and proxy authenticate against (what `kamctl add` / `kamcli subscriber` do for Kamailio).
 * Works on the same database a running server uses — SQLite under `--data DIR` (default
 * $SWITCHBOARD_DATA or ./data) or PostgreSQL with `--db postgres://...` — and takes effect on the
 * next request, since the server looks accounts up on every authentication.
 *
 * Only HA1 digests are stored (MD5, SHA-256, SHA-512-256), never the password; they are not
 * printed either, being password-equivalent for digest authentication. Exit codes: 0 done,
 * 1 the operation failed (no such user, already exists, database unreachable), 2 a bad command
 * line, reported in one line naming the problem.
 */
import { parseArgs } from 'node:util';
import {
  checkDomain,
  checkUsername,
  HA1_HASHES,
  openStores,
  type StoreOptions,
  type Stores,
  storeOptionsFrom,
} from '../store/index.js';
import { errorMessage, SwitchboardError } from '../util/errors.js';
import type { CommandIO } from './io.js';

const USAGE = [
  'usage: switchboard user <action> [options]',
  '  add USER[@DOMAIN] (--password P | --password-stdin) [--realm R] [--display-name N] [--disabled]',
  '  list [--domain D] [--json]',
  '  remove USER[@DOMAIN]',
  '  passwd USER[@DOMAIN] (--password P | --password-stdin)',
  '  enable USER[@DOMAIN] | disable USER[@DOMAIN]',
  'common options: --domain D (default $SWITCHBOARD_DOMAIN or localhost), --data DIR | --db postgres://...',
].join('\n');

const ACTIONS = ['add', 'list', 'remove', 'passwd', 'enable', 'disable'] as const;
type Action = (typeof ACTIONS)[number];

const OPTIONS = {
  domain: { type: 'string' },
  realm: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'display-name': { type: 'string' },
  disabled: { type: 'boolean' },
  json: { type: 'boolean' },
  data: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each action accepts besides --domain, --data and --db. */
const ALLOWED: Readonly<Record<Action, readonly string[]>> = {
  add: ['realm', 'password', 'password-stdin', 'display-name', 'disabled'],
  list: ['json'],
  remove: [],
  passwd: ['password', 'password-stdin'],
  enable: [],
  disable: [],
};

/** A command-line problem: one line, exit code 2. */
class UsageError extends Error {}

interface Target {
  readonly username: string;
  readonly domain: string;
}

function target(
  action: Action,
  positionals: readonly string[],
  domainOption: string | undefined,
  env: NodeJS.ProcessEnv,
): Target {
  if (positionals.length === 0) throw new UsageError(`user ${action}: which user? (user ${action} USER[@DOMAIN])`);
  if (positionals.length > 1) throw new UsageError(`user ${action}: one user at a time, got ${positionals.length}`);
  const arg = positionals[0] as string;
  const at = arg.lastIndexOf('@');
  const username = at < 0 ? arg : arg.slice(0, at);
  const inArg = at < 0 ? undefined : arg.slice(at + 1);
  if (username.length === 0) throw new UsageError(`user ${action}: empty user name in "${arg}"`);
  if (inArg !== undefined && domainOption !== undefined && inArg.toLowerCase() !== domainOption.toLowerCase()) {
    throw new UsageError(`user ${action}: "${arg}" and --domain ${domainOption} name different domains`);
  }
  const domain = inArg ?? domainOption ?? env['SWITCHBOARD_DOMAIN'] ?? 'localhost';
  if (domain.length === 0) throw new UsageError(`user ${action}: empty domain in "${arg}"`);
  // Checked before the database is opened (or created): a typo must not leave an empty data directory behind.
  return { username: checkUsername(username), domain: checkDomain(domain) };
}

async function password(
  action: Action,
  values: { password?: string | undefined; 'password-stdin'?: boolean | undefined },
  io: CommandIO,
): Promise<string> {
  if (values.password !== undefined && values['password-stdin']) {
    throw new UsageError(`user ${action}: give --password or --password-stdin, not both`);
  }
  let pw: string | undefined = values.password;
  if (values['password-stdin']) {
    // The first line, without its line ending: `echo secret | switchboard user add ...`.
    pw = (await io.readStdin()).toString('utf8').split(/\r?\n/)[0];
  }
  if (pw === undefined) throw new UsageError(`user ${action}: a password is needed (--password P or --password-stdin)`);
  if (pw.length === 0) throw new UsageError(`user ${action}: the password is empty`);
  return pw;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = errorMessage(err);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw new UsageError(`user: unknown option ${option}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) throw new UsageError(`user: ${option} needs a value`);
    throw new UsageError(`user: ${message.split('\n')[0]}`);
  }
}

function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

async function list(stores: Stores, domain: string | undefined, json: boolean, io: CommandIO): Promise<number> {
  const users = await stores.users.list(domain);
  if (json) {
    const out = users.map((u) => ({
      username: u.username,
      domain: u.domain,
      realm: u.realm,
      displayName: u.displayName,
      enabled: u.enabled,
      algorithms: HA1_HASHES.filter((h) => u.ha1[h] !== undefined),
      createdAt: new Date(u.createdAt).toISOString(),
      updatedAt: new Date(u.updatedAt).toISOString(),
    }));
    io.stdout(JSON.stringify(out, null, 2));
    return 0;
  }
  if (users.length === 0) {
    io.stderr(`no users${domain === undefined ? '' : ` in domain ${domain}`} (${stores.description})`);
    return 0;
  }
  const rows = [
    ['USERNAME', 'DOMAIN', 'ENABLED', 'ALGORITHMS'],
    ...users.map((u) => [
      u.username,
      u.realm === u.domain ? u.domain : `${u.domain} (realm ${u.realm})`,
      u.enabled ? 'yes' : 'no',
      HA1_HASHES.filter((h) => u.ha1[h] !== undefined).join(','),
    ]),
  ];
  for (const line of formatTable(rows)) io.stdout(line);
  return 0;
}

export async function userCommand(
  argv: readonly string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [actionName, ...rest] = argv;
  if (actionName === undefined || actionName === '--help' || actionName === '-h' || actionName === 'help') {
    io.stdout(USAGE);
    return actionName === undefined ? 2 : 0;
  }
  if (!(ACTIONS as readonly string[]).includes(actionName)) {
    io.stderr(`user: unknown action "${actionName}" (try: ${ACTIONS.join(', ')})`);
    return 2;
  }
  const action = actionName as Action;
  let options: StoreOptions;
  let run: (stores: Stores) => Promise<number>;
  try {
    const { values, positionals } = parse(rest);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    for (const name of Object.keys(values)) {
      if (!['domain', 'data', 'db', 'help', ...ALLOWED[action]].includes(name)) {
        throw new UsageError(`user ${action}: --${name} does not apply to ${action}`);
      }
    }
    options = storeOptionsFrom({ db: values.db, data: values.data }, env);
    if (action === 'list') {
      if (positionals.length > 0) throw new UsageError(`user list: unexpected argument "${positionals[0]}"`);
      const domain = values.domain === undefined ? undefined : checkDomain(values.domain);
      run = (stores) => list(stores, domain, values.json === true, io);
    } else {
      const who = target(action, positionals, values.domain, env);
      const name = `${who.username}@${who.domain}`;
      if (action === 'add') {
        const pw = await password(action, values, io);
        run = async (stores) => {
          const u = await stores.users.add(
            {
              username: who.username,
              domain: who.domain,
              ...(values.realm === undefined ? {} : { realm: values.realm }),
              displayName: values['display-name'] ?? null,
              enabled: values.disabled !== true,
            },
            pw,
          );
          const realm = u.realm === u.domain ? '' : `, realm ${u.realm}`;
          const state = u.enabled ? '' : ', disabled';
          io.stdout(`added ${u.username}@${u.domain}${realm}${state} (${stores.description})`);
          return 0;
        };
      } else if (action === 'passwd') {
        const pw = await password(action, values, io);
        run = async (stores) => {
          await stores.users.setPassword(who.username, who.domain, pw);
          io.stdout(`password changed for ${name}`);
          return 0;
        };
      } else if (action === 'remove') {
        run = async (stores) => {
          if (!(await stores.users.remove(who.username, who.domain))) {
            io.stderr(`user remove: no user ${name}`);
            return 1;
          }
          io.stdout(`removed ${name}`);
          return 0;
        };
      } else {
        const enabled = action === 'enable';
        run = async (stores) => {
          await stores.users.setEnabled(who.username, who.domain, enabled);
          io.stdout(`${enabled ? 'enabled' : 'disabled'} ${name}`);
          return 0;
        };
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(err.message);
      return 2;
    }
    // storeOptionsFrom's complaints about --db/--data are command-line problems too.
    if (err instanceof SwitchboardError && err.code === 'ERR_STORE_RECORD') {
      io.stderr(`user ${action}: ${err.message}`);
      return 2;
    }
    throw err;
  }

  let stores: Stores;
  try {
    stores = await openStores(options);
  } catch (err) {
    io.stderr(`user ${action}: ${errorMessage(err)}`);
    return 1;
  }
  try {
    return await run(stores);
  } catch (err) {
    // A bad field (domain, username) is the command line's fault; anything else is the operation's.
    const usage = err instanceof SwitchboardError && err.code === 'ERR_STORE_RECORD';
    io.stderr(`user ${action}: ${errorMessage(err)}`);
    return usage ? 2 : 1;
  } finally {
    await stores.close();
  }
}
