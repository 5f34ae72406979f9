/**
 * From a configuration file and command-line flags to the options of startServer. The file is
 * YAML or JSON (by extension; anything else is read as YAML, of which JSON is a subset), validated
 * by config-schema.ts; flags (`--listen`, `--domain`, `--data`, `--db`, `--auth`, `--realm`,
 * `--log-level`) then override what the file says, each checked with an error naming the flag.
 * Every error is one line: `<file>: <field>: <problem>` or `--flag: <problem>`.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { DigestAlgorithm } from '../../auth/index.js';
import { parseUri, SipUri } from '../../sip/index.js';
import { storeOptionsFrom } from '../../store/index.js';
import { errorMessage } from '../../util/index.js';
import { parseServerConfig, type ServerConfig, ServerConfigError } from './config-schema.js';
import { type ListenObject, parseListenText, toListenSpec } from './listen-spec.js';
import type { ServerRole, StartServerOptions } from './start-server.js';

export interface ServerFlags {
  readonly config?: string | undefined;
  readonly listen?: readonly string[] | undefined;
  readonly domain?: readonly string[] | undefined;
  readonly data?: string | undefined;
  readonly db?: string | undefined;
  readonly auth?: string | undefined;
  readonly realm?: string | undefined;
  readonly logLevel?: string | undefined;
}

/** Reads and parses a configuration file (not yet validated); errors name the file and the line. */
export async function readConfigDocument(path: string): Promise<unknown> {
  const name = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ServerConfigError(undefined, '--config', code === 'ENOENT' ? `no such file ${path}` : errorMessage(err));
  }
  try {
    if (extname(path).toLowerCase() === '.json') return JSON.parse(text) as unknown;
    return parseYaml(text) as unknown;
  } catch (err) {
    const first = errorMessage(err).split('\n')[0] ?? 'unreadable';
    throw new ServerConfigError(name, 'syntax', first.replace(/:$/, ''));
  }
}

/** The validated configuration of a file (or of nothing: every default). */
export async function loadServerConfig(path: string | undefined): Promise<ServerConfig> {
  if (path === undefined) return parseServerConfig({}, undefined);
  return parseServerConfig(await readConfigDocument(path), basename(path));
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** The configuration with the command line's flags applied on top. */
export function applyFlags(config: ServerConfig, flags: ServerFlags): ServerConfig {
  let out: ServerConfig = { ...config };
  if (flags.listen !== undefined && flags.listen.length > 0) {
    for (const l of flags.listen) {
      if (parseListenText(l) === undefined) {
        throw new ServerConfigError(
          undefined,
          '--listen',
          `expected "transport:host:port" (e.g. udp:127.0.0.1:5060), not "${l}"`,
        );
      }
    }
    out = { ...out, listen: [...flags.listen] };
  }
  if (flags.domain !== undefined && flags.domain.length > 0) {
    for (const d of flags.domain) {
      if (!/^[A-Za-z0-9._:[\]-]+$/.test(d)) throw new ServerConfigError(undefined, '--domain', `not a domain: "${d}"`);
    }
    out = { ...out, domains: [...flags.domain] };
  }
  if (flags.data !== undefined && flags.db !== undefined) {
    throw new ServerConfigError(undefined, '--db', 'give either --db or --data, not both');
  }
  if (flags.db !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(flags.db))
      throw new ServerConfigError(undefined, '--db', 'expected a postgres:// URL');
    out = { ...out, store: { synchronous: out.store.synchronous, db: flags.db } };
  } else if (flags.data !== undefined) {
    out = { ...out, store: { synchronous: out.store.synchronous, data: flags.data } };
  }
  if (flags.auth !== undefined) {
    const v = flags.auth.toLowerCase();
    if (!['on', 'off', 'true', 'false', 'yes', 'no'].includes(v)) {
      throw new ServerConfigError(undefined, '--auth', `expected on or off, not "${flags.auth}"`);
    }
    out = { ...out, auth: { ...out.auth, enabled: v === 'on' || v === 'true' || v === 'yes' } };
  }
  if (flags.realm !== undefined) {
    if (flags.realm.length === 0) throw new ServerConfigError(undefined, '--realm', 'empty');
    out = { ...out, auth: { ...out.auth, realm: flags.realm } };
  }
  if (flags.logLevel !== undefined) {
    const level = flags.logLevel as (typeof LOG_LEVELS)[number];
    if (!LOG_LEVELS.includes(level)) {
      throw new ServerConfigError(undefined, '--log-level', `expected one of ${LOG_LEVELS.join(', ')}`);
    }
    out = { ...out, log: { level } };
  }
  return out;
}

function listenObject(entry: ServerConfig['listen'][number]): ListenObject {
  if (typeof entry !== 'string') return entry;
  return parseListenText(entry) as ListenObject;
}

/** The startServer options a validated configuration stands for (the logger and clock come from the caller). */
export function startOptionsFromConfig(config: ServerConfig, role: ServerRole): StartServerOptions {
  const store = storeOptionsFrom({ db: config.store.db, data: config.store.data });
  const p = config.proxy;
  let registrarUri: SipUri | undefined;
  if (p.registrar !== undefined) {
    const uri = parseUri(p.registrar);
    if (!(uri instanceof SipUri)) throw new ServerConfigError(undefined, 'proxy.registrar', 'expected a sip: URI');
    registrarUri = uri;
  }
  return {
    role,
    listen: config.listen.map((l) => toListenSpec(listenObject(l))),
    transportOptions: {
      maxDatagramSize: config.limits.maxMessageBytes,
      maxStreamMessageSize: config.limits.maxMessageBytes,
    },
    domains: config.domains,
    aliases: config.aliases,
    store: store.kind === 'sqlite' ? { ...store, synchronous: config.store.synchronous } : store,
    auth: config.auth.enabled
      ? {
          realm: config.auth.realm,
          methods: config.auth.methods,
          secret: config.auth.secret,
          nonceLifetimeMs: config.auth.nonceLifetime * 1000,
          algorithms: config.auth.algorithms as DigestAlgorithm[] | undefined,
        }
      : false,
    proxy: {
      recordRoute: p.recordRoute,
      forking: p.forking,
      timerCMs: p.timerC * 1000,
      ...(p.ringTimeout === undefined ? {} : { ringTimeoutMs: p.ringTimeout * 1000 }),
      maxBreadth: p.maxBreadth,
      recurseOn3xx: p.recurseOn3xx,
      relay: p.relay,
      natRouting: p.natRouting,
      ...(registrarUri === undefined ? {} : { registrar: registrarUri }),
    },
    registrar: config.registrar,
    timers: { T1: config.timers.t1, T2: config.timers.t2, T4: config.timers.t4 },
  };
}
