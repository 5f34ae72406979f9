/**
 * The configuration of `switchboard proxy|registrar|server`: one declarative document (YAML or
 * JSON) for the static things operators expect in a file (ECOSYSTEM.md 1.6: listen addresses,
 * domains, storage, authentication, timers), validated with zod so that any mistake is reported
 * in one line naming the field: `server.yaml: proxy.recordRoute: expected boolean, got string`.
 * Times are in seconds (timers T1/T2/T4 in milliseconds, as RFC 3261 gives them). Unknown fields
 * are errors: a misspelt option must not be silently ignored.
 */
import { z } from 'zod';
import { SwitchboardError } from '../../util/index.js';
import { parseListenText } from './listen-spec.js';

/** A bad configuration value; the message is one line: `<source>: <field>: <what is wrong>`. */
export class ServerConfigError extends SwitchboardError {
  constructor(
    readonly source: string | undefined,
    readonly field: string,
    readonly detail: string,
  ) {
    super('ERR_CONFIG', `${source === undefined ? '' : `${source}: `}${field}: ${detail}`);
  }
}

const seconds = (min: number) => z.number().int().min(min);

const listenEntry = z.union([
  z.string().refine((s) => parseListenText(s) !== undefined, 'expected "transport:host:port", e.g. udp:127.0.0.1:5060'),
  z
    .object({
      transport: z.enum(['udp', 'tcp', 'tls']),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(5060),
      advertise: z.string().min(1).optional(),
      tls: z
        .object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() })
        .strict()
        .optional(),
    })
    .strict(),
]);

const domainName = z.string().regex(/^[A-Za-z0-9._:[\]-]+$/, 'expected a domain name or an address');

export const serverConfigSchema = z
  .object({
    listen: z.array(listenEntry).min(1).default(['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060']),
    domains: z.array(domainName).default([]),
    aliases: z.array(domainName).default([]),
    store: z
      .object({
        data: z.string().min(1).optional(),
        db: z
          .string()
          .regex(/^postgres(ql)?:\/\//i, 'expected a postgres:// URL')
          .optional(),
        synchronous: z.enum(['full', 'normal']).default('full'),
      })
      .strict()
      .refine((s) => s.data === undefined || s.db === undefined, 'give either data or db, not both')
      .prefault({}),
    auth: z
      .object({
        enabled: z.boolean().default(true),
        realm: z.string().min(1).optional(),
        methods: z.array(z.string().regex(/^[A-Z]+$/, 'expected a method name in capitals')).default(['INVITE']),
        secret: z.string().min(16, 'must be at least 16 characters').optional(),
        nonceLifetime: seconds(1).default(300),
        algorithms: z
          .array(z.enum(['SHA-256', 'MD5', 'SHA-512-256']))
          .min(1)
          // MD5 alone by default, as Kamailio's auth module: libre (baresip 1.0.0) and JsSIP give up
          // when any challenge names another algorithm. Add SHA-256 for RFC 8760 clients.
          .default(['MD5']),
      })
      .strict()
      .prefault({}),
    proxy: z
      .object({
        recordRoute: z.boolean().default(true),
        forking: z.enum(['q', 'parallel', 'sequential']).default('q'),
        timerC: seconds(181).default(185),
        ringTimeout: seconds(1).optional(),
        maxBreadth: seconds(1).default(60),
        recurseOn3xx: z.boolean().default(true),
        relay: z.enum(['local', 'open']).default('local'),
        natRouting: z.boolean().default(false),
        registrar: z
          .string()
          .regex(/^sips?:/, 'expected a sip: URI')
          .optional(),
      })
      .strict()
      .prefault({}),
    registrar: z
      .object({
        minExpires: seconds(0).default(60),
        maxExpires: seconds(1).default(86_400),
        defaultExpires: seconds(1).default(3600),
        maxContacts: seconds(0).default(0),
      })
      .strict()
      .refine((r) => r.minExpires <= r.maxExpires, 'minExpires must not exceed maxExpires')
      .prefault({}),
    timers: z
      .object({ t1: seconds(1).default(500), t2: seconds(1).default(4000), t4: seconds(1).default(5000) })
      .strict()
      .prefault({}),
    limits: z
      .object({ maxMessageBytes: seconds(1500).default(65_536) })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

/** The configuration with every default filled in. */
export type ServerConfig = z.output<typeof serverConfigSchema>;
/** What a file (or a test) may give: every field optional. */
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out.length > 0 ? '.' : ''}${String(p)}`;
  return out.length > 0 ? out : '(top level)';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'mapping' : typeof v;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Validates a parsed document; throws ServerConfigError naming the first bad field. */
export function parseServerConfig(raw: unknown, source?: string): ServerConfig {
  const result = serverConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new ServerConfigError(source, '(top level)', 'invalid');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new ServerConfigError(source, fieldOf([...issue.path, key]), 'unknown field');
  }
  if (issue.code === 'invalid_type') {
    const got = valueAt(raw, issue.path);
    const detail = got === undefined ? 'missing' : `expected ${issue.expected}, got ${typeName(got)}`;
    throw new ServerConfigError(source, fieldOf(issue.path), detail);
  }
  if (issue.code === 'invalid_union') {
    throw new ServerConfigError(
      source,
      fieldOf(issue.path),
      'expected "transport:host:port" or {transport, host, port}',
    );
  }
  const detail = issue.message.replace(/^Invalid (input|option): /, '').replace(/^Too (small|big): /, '');
  throw new ServerConfigError(source, fieldOf(issue.path), detail);
}
